"""The value model's messages, word for word: they are what users read."""

import pytest

from airflow_kl.core.errors import SchemaError
from airflow_kl.core.values import check_value_type, unsupported


def test_an_unsupported_type_says_what_to_do():
    error = unsupported("t", "time64[us]", "Parquet")
    assert isinstance(error, SchemaError) and str(error) == (
        "column 't' has the Parquet type time64[us], which airflow-kl cannot compare "
        "faithfully; cast it to a number, date/timestamp, boolean or string, or leave it "
        "out of features"
    )
    with_profile = unsupported("t", "TEXT", "SQLite", "datetime (timestamp[us])")
    assert str(with_profile).startswith(
        "column 't' has the SQLite type TEXT (the profile has it as datetime (timestamp[us])), "
    )


def test_a_value_type_that_differs_from_the_profile():
    check_value_type("x", "number", "float64", "null", "null", "pandas")  # null fits all
    check_value_type("x", "number", "float64", "number", "int8", "pandas")
    with pytest.raises(SchemaError) as info:
        check_value_type("x", "number", "", "string", "object", "pandas")
    assert str(info.value) == (
        "feature 'x' is number (number) in the profile but string (object) in pandas; "
        "cast the column or rebuild the profile"
    )
