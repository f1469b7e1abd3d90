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


def test_date64_and_chunked_columns_are_epoch_nanoseconds():
    from airflow_kl.sources.frame import epoch_ns

    day = 86_400_000  # date64 counts milliseconds
    assert epoch_ns(pa.array([0, day, None], pa.date64())).tolist()[:2] == [0.0, 86_400e9]
    chunked = pa.chunked_array([pa.array([1, 2], pa.int64()), pa.array([3], pa.int64())])
    assert numeric_values(chunked).tolist() == [1.0, 2.0, 3.0]
    assert numeric_values(pa.chunked_array([pa.array([4.5])])).tolist() == [4.5]
    big = pa.array([2**53 + 1], pa.int64())  # rounds to the nearest double, as engines do
    assert numeric_values(big).tolist() == [float(2**53)]
    codes = pa.array([1.5, 2.5, 1.5]).dictionary_encode()
    assert numeric_values(codes).tolist() == [1.5, 2.5, 1.5]
    assert np.isnan(numeric_values(pa.nulls(2))).all() and len(numeric_values(pa.nulls(2))) == 2


def test_numbers_from_a_mixed_object_column_are_refused_by_name():
    mixed = pd.Series([1, "a", True], dtype=object, name="odd")
    with pytest.raises(ak.SchemaError) as info:
        numeric_values(mixed)
    assert str(info.value) == "cannot read 'odd' as numbers: it mixes Python types"


def test_an_all_missing_column_fits_any_profile_in_pandas_and_arrow():
    from airflow_kl.core.profile import FeatureProfile

    fp = FeatureProfile("c", "categorical", (3, 1, 2, 0), categories=("a", "b"))
    for col in (pd.Series([np.nan, np.nan, np.nan]), pa.nulls(3, pa.float64())):
        counts = count_column("c", col, fp)
        assert counts.tolist() == [0, 0, 0, 3] and counts.dtype == np.int64
    with pytest.raises(ak.SchemaError, match="feature 'c' is string"):
        count_column("c", pa.array([1.0, None, 2.0]), fp, engine="Arrow")


def test_a_column_of_an_unsupported_type_is_named_with_its_engine():
    from airflow_kl.core.profile import FeatureProfile

    fp = FeatureProfile("t", "numeric", (1, 1, 0), edges=(0.0,), value="datetime")
    col = pa.array([1, 2], pa.time64("us"))
    with pytest.raises(ak.SchemaError) as info:
        count_column("t", col, fp, engine="Parquet")
    assert str(info.value).startswith(
        "column 't' has the Parquet type time64[us] (the profile has it as datetime (datetime)), "
    )


def test_equal_canonical_values_add_up():
    counts, missing = value_counts(pa.array([1, 1, 2, None], pa.int8()))
    assert (counts, missing) == ({"1": 2, "2": 1}, 1)
    mixed, missing = value_counts(pd.Series([1, "1", 1.0, None, "x"], dtype=object))
    assert (mixed, missing) == ({"1": 2, "1.0": 1, "x": 1}, 1)


def test_uniform_binning_and_explicit_edges_in_a_profile():
    from airflow_kl.sources.profiling import choose_edges

    x = np.array([0.0, 2.0, 10.0, np.nan])
    assert choose_edges("x", x, bins=5, binning="uniform").tolist() == [2.0, 4.0, 6.0, 8.0]
    levels = np.linspace(0, 1, 11)[1:-1]
    assert choose_edges("x", x).tolist() == np.quantile([0.0, 2.0, 10.0], levels).tolist()
    assert choose_edges("x", x, bins=4).tolist() == [1.0, 2.0, 6.0]  # np.quantile of 0, 2, 10
    assert choose_edges("x", x, edges=[1, 5]).tolist() == [1.0, 5.0]
    with pytest.raises(ak.ConfigError) as info:
        choose_edges("x", x, edges=[5, 1])
    assert str(info.value) == "edges for 'x' must be strictly increasing, got [5.0, 1.0]"
    with pytest.raises(ak.ConfigError) as info:
        choose_edges("x", x, binning="equal")
    assert str(info.value) == "binning must be one of ('quantile', 'uniform'), got 'equal'"


def test_profile_defaults_and_engine_names():
    from airflow_kl.sources.frame import categorical_profile, engine_of, profile_column

    x = pd.Series(np.arange(100.0))
    fp = profile_column("x", x)
    assert len(fp.edges) == 9 and fp.source_type == "float64"  # bins=10 by default
    letters = pd.Series([f"v{i:02d}" for i in range(30)] * 2)
    assert len(profile_column("s", letters).categories) == 20  # top_k=20 by default
    cat = categorical_profile("c", {"b": 2, "a": 2}, 1, top_k=5)
    assert (cat.value, cat.source_type, cat.categories) == ("string", "", ("a", "b"))
    assert engine_of(pd.DataFrame()) == "pandas" and engine_of(pa.table({"a": [1]})) == "Arrow"


def test_the_default_features_and_why_others_are_left_out(caplog):
    import logging

    frame = pd.DataFrame(
        {"n": [1.0], "t": pd.to_datetime(["2024-01-01"]), "d": [pd.Timedelta(1, "s")]}
    )
    with caplog.at_level(logging.INFO, logger="airflow_kl.sources.profiling"):
        profile = ak.build_profile(frame)
    assert list(profile.features) == ["n"]
    assert "not profiled by default: column 'd' has the pandas type timedelta64" in caplog.text
    with pytest.raises(ak.SchemaError) as info:
        ak.build_profile(frame[["t", "d"]])
    assert str(info.value) == "reference has no number, boolean or string column: ['t', 'd']"
    with pytest.raises(ak.SchemaError) as info:
        ak.build_profile(frame, features=["n", "zz"])
    assert str(info.value) == "reference lacks column(s) 'zz'; it has: n, t, d"
    with pytest.raises(ak.SchemaError) as info:
        ak.count_bins(profile, pa.table({"m": [1.0]}))
    assert str(info.value) == "Arrow data lacks column(s) 'n'; it has: m"


def test_mixed_object_columns_count_by_their_string_form():
    from airflow_kl.core.profile import FeatureProfile

    mixed = pd.Series([1, "1", 2.5, True, None, "b"], dtype=object)
    fp = ak.build_profile(pd.DataFrame({"m": mixed}), top_k=3).features["m"]
    assert fp.source_type == "object (mixed types)" and fp.value == "string"
    assert fp.categories == ("1", "2.5", "True") and fp.counts == (2, 1, 1, 1, 1)
    again = FeatureProfile("m", "categorical", fp.counts, categories=fp.categories)
    assert count_column("m", mixed, again).tolist() == [2, 1, 1, 1, 1]


def test_object_columns_say_which_arrow_type_they_hold():
    decimals = pd.DataFrame({"d": pd.Series([Decimal("1.5"), Decimal("2.5"), None], dtype=object)})
    fp = ak.build_profile(decimals).features["d"]
    assert fp.source_type.startswith("object (decimal128(") and fp.value == "number"


def test_a_column_of_strings_is_str_on_every_pandas_version():
    """pandas 3 types a column of Python strings ``str``, pandas 2 ``object``: the
    profile and the messages name it ``str`` on both."""
    frames = {
        "object": pd.DataFrame({"s": pd.Series(["a", "b", None] * 50, dtype=object)}),
        "default": pd.DataFrame({"s": ["a", "b", None] * 50}),
    }
    for frame in frames.values():
        assert ak.build_profile(frame).features["s"].source_type == "str"
    numbers = ak.build_profile(pd.DataFrame({"s": np.arange(150.0)}))
    for frame in frames.values():
        with pytest.raises(ak.SchemaError) as info:
            ak.count_bins(numbers, frame)
        assert "(str)" in str(info.value) and "object" not in str(info.value), str(info.value)


def test_explicit_edges_and_top_k_reach_the_profile():
    frame = pd.DataFrame({"x": np.arange(10.0), "s": list("aaabbbccdd")})
    profile = ak.build_profile(frame, top_k=2, edges={"x": [2.5, 7.5]})
    assert profile.features["x"].edges == (2.5, 7.5)
    assert profile.features["x"].counts == (3, 5, 2, 0)
    assert profile.features["s"].categories == ("a", "b") and profile.features["s"].counts == (
        3,
        3,
        4,
        0,
    )
    with pytest.raises(ak.ConfigError) as info:
        ak.build_profile(frame, edges={"x": [3, 1]})
    assert str(info.value) == "edges for 'x' must be strictly increasing, got [3.0, 1.0]"


def test_unsupported_types_are_named_with_their_engine():
    from airflow_kl.sources.frame import profile_column

    with pytest.raises(ak.SchemaError) as info:
        profile_column("d", pd.Series(pd.to_timedelta([1, 2], unit="s")))
    assert str(info.value).startswith("column 'd' has the pandas type timedelta64[")
    with pytest.raises(ak.SchemaError) as info:
        profile_column("t", pa.array([1, 2], pa.time32("s")), engine="Arrow")
    assert str(info.value).startswith("column 't' has the Arrow type time32[s], ")
    with pytest.raises(ak.SchemaError) as info:
        value_type(pd.Series([1 + 2j]))
    assert str(info.value).startswith("column 'column' has the pandas type complex128, ")


def test_arrow_string_views_are_strings_and_their_nulls_are_missing():
    """pyarrow's value_counts reports a string_view null as "" (pyarrow 26)."""
    views = pa.array(["a", "b", None], pa.string_view())
    assert value_type(views) == "string"
    assert value_counts(views) == ({"a": 1, "b": 1}, 1)


def test_an_empty_chunked_column():
    assert numeric_values(pa.chunked_array([], pa.int64())).tolist() == []


def test_columns_left_out_of_an_arrow_reference_are_logged_with_their_engine(caplog):
    import logging

    table = pa.table({"n": [1.0, 2.0], "d": pa.array([1, 2], pa.duration("s"))})
    with caplog.at_level(logging.INFO, logger="airflow_kl.sources.profiling"):
        assert list(ak.build_profile(table).features) == ["n"]
    (message,) = [r.getMessage() for r in caplog.records if "not profiled" in r.getMessage()]
    assert message.startswith("not profiled by default: column 'd' has the Arrow type duration[s]")


@pytest.mark.parametrize(
    "column",
    [
        pa.chunked_array([[1.5, None], [3.0], [4.0]]),  # several chunks: each is read
        pa.chunked_array([[1.5, None], [3.0, 4.0]]),
        pa.chunked_array([[1.5, None, 3.0, 4.0]]),
        pd.Series([1.5, None, 3.0, 4.0]),
    ],
)
def test_numeric_values_reads_every_chunk_as_float64(column):
    got = numeric_values(column)
    assert got.dtype == np.float64 and got.tolist()[2:] == [3.0, 4.0]
    assert got[0] == 1.5 and np.isnan(got[1])


def test_numeric_values_are_float64_whatever_the_pandas_integer_type():
    for dtype in ("int64", "uint8", "Int64"):
        got = numeric_values(pd.Series([1, 2, 3], dtype=dtype))
        assert got.dtype == np.float64 and got.tolist() == [1.0, 2.0, 3.0]
    assert numeric_values(pa.chunked_array([], type=pa.float64())).tolist() == []
