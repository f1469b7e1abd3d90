"""In-memory partitions over a column of every kind: each partition's counts
(per segment too) are what the unsegmented counter gives its rows alone,
whether the rows come in partition order (counted run by run) or shuffled
(put in order first), in pandas and in Arrow."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import airflow_kl as ak
from airflow_kl.core.errors import ConfigError, SchemaError
from airflow_kl.sources.frame import TypedColumn, count_frame
from airflow_kl.sources.partitions import count_partitions, partition_codes
from tests.conformance.engines import make_frame

FEATURES = ["int", "float", "str", "cat", "nbool", "date", "mixed"]


def as_lists(groups):
    return [{n: np.asarray(c).tolist() for n, c in g.items()} for g in groups]


@pytest.mark.parametrize("order", ["partition order", "shuffled"])
@pytest.mark.parametrize("engine", ["pandas", "Arrow"])
def test_each_partition_counts_its_rows_alone(order, engine):
    frame = make_frame().assign(part=lambda f: np.arange(len(f)) % 5)
    frame = frame.sort_values("part", kind="stable") if order == "partition order" else frame
    frame = frame.reset_index(drop=True)
    features = FEATURES if engine == "pandas" else [f for f in FEATURES if f != "mixed"]
    profile = ak.build_profile(frame, features=features, top_k=3, segment_by="str")
    if engine == "Arrow":
        frame = frame.drop(columns="mixed")
    data = frame if engine == "pandas" else pa.Table.from_pandas(frame, preserve_index=False)
    value, found = count_partitions(data, profile.features, "part")
    assert value == "number" and sorted(found) == [0, 1, 2, 3, 4]
    for part, groups in found.items():
        alone = frame[frame.part == part].reset_index(drop=True)
        expected = count_frame(alone, profile.features)
        assert as_lists(groups) == as_lists([expected])
    _, by_segment = count_partitions(data, profile.features, "part", profile.segments)
    for part, groups in by_segment.items():
        alone = frame[frame.part == part].reset_index(drop=True)
        seg = profile.segments
        expected = ak.count_segment_bins(profile.features, alone, seg)
        assert len(groups) == len(seg.keys) + 1
        assert as_lists(groups) == as_lists(expected)


def test_raw_values_of_every_kind():
    frame = pd.DataFrame(
        {
            "n": pd.array([3, None, 3, -2], dtype="Int64"),
            "f": [2.0, np.nan, 2.0, 7.0],
            "s": ["b", None, "a", "b"],
            "b": [True, False, True, True],
            "d": pd.to_datetime(
                ["2013-01-01 23:59", "2013-01-02 00:00", None, "1969-12-31 12:00"], format="mixed"
            ),
            "x": [1.0, 2.0, 3.0, 4.0],
        }
    )
    for column, raws in {
        "n": [-2, 3], "f": [2.0, 7.0], "s": ["b", "a"], "b": ["True", "False"],
        "d": [-1.0, 15706.0, 15707.0],
    }.items():  # fmt: skip
        codes, found = partition_codes(TypedColumn(column, frame[column]))
        assert sorted(found, key=str) == sorted(raws, key=str), column
        assert codes.tolist().count(-1) == int(frame[column].isna().sum())
    fp = ak.build_profile(frame, features=["x"], bins=2).features
    value, found = count_partitions(frame, fp, "d", every="month")
    assert value == "datetime" and sorted(found, key=str) == sorted(
        [-1, 15706, 15707, None], key=str
    )
    assert {k: int(v[0]["x"].sum()) for k, v in found.items()} == {
        15706: 1, 15707: 1, None: 1, -1: 1,
    }  # fmt: skip


def test_columns_no_partition_is_named_by():
    frame = pd.DataFrame({"x": [1.0, 2.0], "t": pd.to_timedelta([1, 2], unit="s")})
    fp = ak.build_profile(frame, features=["x"]).features
    with pytest.raises(SchemaError, match="column 't' has the pandas type timedelta"):
        count_partitions(frame, fp, "t")
    with pytest.raises(ConfigError, match="every='week' buckets dates, but partition column 'x'"):
        count_partitions(frame, fp, "x", every="week")
    with pytest.raises(SchemaError, match="lacks column.*'nope'"):
        count_partitions(frame, fp, "nope")


def test_partition_columns_of_every_shape():
    x = {"x": [1.0, 2.0, 3.0]}
    fp = ak.build_profile(pd.DataFrame(x), features=["x"], bins=2).features
    nulls = pd.DataFrame({**x, "p": pd.Series([None, None, None], dtype=object)})
    value, found = count_partitions(nulls, fp, "p")
    assert value == "null" and list(found) == [None] and found[None][0]["x"].sum() == 3
    decimals = pd.Series([Decimal("2"), Decimal("5.0"), Decimal("2")], dtype=object)
    value, found = count_partitions(pd.DataFrame({**x, "p": decimals}), fp, "p")
    assert value == "number" and sorted(found) == [Decimal("2"), Decimal("5")]
    assert found[Decimal("2")][0]["x"].sum() == 2
    encoded = pa.table({**x, "p": pa.array([7, 3, 7]).dictionary_encode()})  # as Parquet reads
    value, found = count_partitions(encoded, fp, "p")
    assert value == "string" and sorted(found) == ["3", "7"]  # categories, as everywhere


def test_errors_name_the_engine_the_column_and_its_type():
    frame = pd.DataFrame({"x": [1.0, 2.0], "s": ["a", "b"]})
    fp = ak.build_profile(frame, features=["x"]).features
    with pytest.raises(ConfigError) as found:
        count_partitions(frame, fp, "x", every="week")
    assert str(found.value) == (
        "every='week' buckets dates, but partition column 'x' is number (float64) in pandas"
    )
    durations = pa.table({"x": [1.0, 2.0], "t": pa.array([1, 2], pa.duration("s"))})
    with pytest.raises(SchemaError, match="column 't' has the Arrow type duration"):
        count_partitions(durations, fp, "t")
    with pytest.raises(SchemaError, match=r"^Arrow data lacks column\(s\) 'nope'"):
        count_partitions(pa.Table.from_pandas(frame), fp, "nope")
    as_text = ak.build_profile(frame.assign(x=["1", "2"]), features=["x"]).features
    with pytest.raises(SchemaError, match="feature 'x' is string .* number .* in Arrow"):
        count_partitions(pa.Table.from_pandas(frame), as_text, "s")


def test_two_rows_out_of_segment_order():
    """Two rows, the first in the second segment: put in order before counting."""
    reference = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 30, "s": ["a", "a", "a", "b"] * 30})
    profile = ak.build_profile(reference, features=["x"], bins=2, segment_by="s")
    assert profile.segments.keys == (("a",), ("b",))
    rows = pd.DataFrame({"x": [4.0, 1.0], "s": ["b", "a"], "p": [1, 1]})
    _, found = count_partitions(rows, profile.features, "p", profile.segments)
    assert as_lists(found[1]) == as_lists(
        ak.count_segment_bins(profile.features, rows, profile.segments)
    )
    for key, group in zip(["a", "b"], found[1], strict=False):  # each row in its own bins
        alone = count_frame(rows[rows.s == key], profile.features)["x"].tolist()
        assert group["x"].tolist() == alone and sum(alone) == 1
    wrong = rows.assign(s=[True, False])  # the profile's segment column holds strings
    with pytest.raises(SchemaError, match="'s' .* in pandas"):
        count_partitions(wrong, profile.features, "p", profile.segments)
