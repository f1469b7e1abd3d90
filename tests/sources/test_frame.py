from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import airflow_kl as ak
from airflow_kl.sources.frame import count_column, numeric_values, value_counts, value_type


@pytest.mark.parametrize(
    "series,kind",
    [
        (pd.Series([1, 2]), "number"),
        (pd.Series([1.5, None]), "number"),
        (pd.Series([1, None], dtype="Int64"), "number"),
        (pd.Series([Decimal("1.5"), None], dtype=object), "number"),
        (pd.Series([True, False]), "boolean"),
        (pd.Series([True, None], dtype="boolean"), "boolean"),
        (pd.Series([True, None], dtype=object), "boolean"),
        (pd.Series(["a", "b"]), "string"),
        (pd.Series(["a", "b"], dtype="category"), "string"),
        (pd.Series(pd.to_datetime(["2024-01-01"]).tz_localize("UTC")), "datetime"),
        (pd.Series([__import__("datetime").date(2024, 1, 1), None]), "datetime"),
        (pd.Series([None, None], dtype=object), "null"),
    ],
)
def test_value_type_from_pandas_equals_arrow(series, kind):
    assert value_type(series) == kind
    assert value_type(pa.array(series)) == kind


def test_missing_markers_all_count_as_missing():
    s = pd.Series([1.0, np.nan, None, 2.0])
    assert np.isnan(numeric_values(s)).sum() == 2
    o = pd.Series(["a", None, np.nan, pd.NA, "a"], dtype=object)
    assert value_counts(o) == ({"a": 2}, 3)


def test_tz_aware_datetimes_are_utc_epoch_ns():
    s = pd.Series(pd.to_datetime(["1970-01-01 01:00"]).tz_localize("Europe/Paris"))
    assert numeric_values(s).tolist() == [0.0]
    assert (
        numeric_values(pd.Series(pd.to_datetime(["1970-01-01 00:00:01", None]))).tolist()[0] == 1e9
    )


def test_pandas_and_arrow_give_identical_counts():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=1000),
            "n": pd.array(rng.integers(0, 5, 1000), dtype="Int64"),
            "c": rng.choice(["a", "b", "c"], 1000),
        }
    )
    df.loc[::7, "x"] = np.nan
    df.loc[::11, "c"] = None
    profile = ak.build_profile(df, bins=4)
    from_pandas = ak.count_bins(profile, df)
    from_arrow = ak.count_bins(profile, pa.Table.from_pandas(df))
    for name in profile.features:
        assert from_pandas[name].tolist() == from_arrow[name].tolist()
        assert from_pandas[name].sum() == 1000


def test_booleans_have_canonical_labels_and_are_not_strings():
    profile = ak.build_profile(pd.DataFrame({"c": pd.Series([True, False, True])}))
    assert profile.features["c"].categories == ("True", "False")
    nullable = pd.Series([True, None, False, True], dtype="boolean")
    assert count_column("c", nullable, profile.features["c"]).tolist() == [2, 1, 0, 1]
    with pytest.raises(ak.SchemaError, match=r"'c' is boolean \(bool\).*string \(str\)"):
        count_column("c", pd.Series(["True", "x", None]), profile.features["c"])


def test_unused_pandas_categories_are_not_profiled():
    s = pd.Series(["a", "a", "b"], dtype=pd.CategoricalDtype(["a", "b", "zzz"]))
    fp = ak.build_profile(pd.DataFrame({"c": s})).features["c"]
    assert fp.categories == ("a", "b") and fp.counts == (2, 1, 0, 0)


def test_numbers_now_strings_is_a_schema_error():
    profile = ak.build_profile(pd.DataFrame({"x": np.arange(200.0)}))
    with pytest.raises(
        ak.SchemaError,
        match=r"'x' is number \(float64\) in the profile but string \(str\) in pandas",
    ):
        ak.count_bins(profile, pd.DataFrame({"x": ["1", "2"]}))


def test_missing_column_is_named():
    profile = ak.build_profile(pd.DataFrame({"x": [1.0, 2.0], "y": [1, 2]}))
    with pytest.raises(ak.SchemaError, match="lacks column.*'y'"):
        ak.count_bins(profile, pd.DataFrame({"x": [1.0], "extra": [0]}))


def test_datetimes_only_when_named():
    df = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=300, freq="h"), "x": 1.0})
    assert list(ak.build_profile(df).features) == ["x"]
    fp = ak.build_profile(df, features=["t"], bins=3).features["t"]
    assert fp.datetime and fp.counts == (100, 100, 100, 0)
