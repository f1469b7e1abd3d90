"""Partition labels and order: days, ISO weeks and months of a UTC day number
(checked against numpy's and Python's own calendars), whole numbers only,
and the counts of raw values sharing a label added up."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_kl.core.errors import ConfigError, SchemaError
from airflow_kl.core.partitions import (
    bucket,
    check_every,
    check_partition_by,
    check_partition_column,
    check_value_types,
    label_partitions,
    merge_found,
    natural_order,
    partition_of,
    whole_number,
)

days = st.integers(-719_162, 2_932_896)  # 0001-01-01 to 9999-12-31


@given(days)
def test_a_day_number_buckets_as_numpy_and_the_calendar_say(day):
    date = np.datetime64(day, "D")
    start, label = bucket(day, "month")
    assert label == str(date.astype("datetime64[M]")) and start == date.astype("datetime64[M]")
    start, label = bucket(day, None)
    assert label == str(date) and start == date.astype(dt.date)
    start, label = bucket(day, "week")
    iso = date.astype(dt.date).isocalendar()
    assert label == f"{iso.year:04d}-W{iso.week:02d}"
    assert start.weekday() == 0 and 0 <= (date.astype(dt.date) - start).days < 7


def test_weeks_are_iso_weeks_across_a_year_end():
    # 2020-12-31 is a Thursday of 2020-W53; 2021-01-03 a Sunday of it still
    assert bucket(18627, "week") == (dt.date(2020, 12, 28), "2020-W53")
    assert bucket(18630, "week")[1] == "2020-W53"
    assert bucket(18631, "week")[1] == "2021-W01"


@pytest.mark.parametrize(
    ("raw", "value", "label"),
    [(7, "number", "7"), (7.0, "number", "7"), (Decimal("-3.000"), "number", "-3"),
     (2**53 + 1, "number", "9007199254740993"), ("True", "boolean", "True"),
     ("", "string", ""), (None, "string", "MISSING"), (float("nan"), "number", "MISSING")],
)  # fmt: skip
def test_labels(raw, value, label):
    assert partition_of(raw, value, None)[1] == label


@pytest.mark.parametrize("raw", [1.5, float("inf"), Decimal("2.5"), True, "3"])
def test_only_whole_numbers_name_partitions(raw):
    with pytest.raises(SchemaError, match=re.escape(f"column 'm' holds {raw!r}, not a whole")):
        whole_number(raw, "m")


def test_raw_values_sharing_a_label_add_up_in_partition_order():
    found = {
        15767: [{"x": np.array([1, 0])}, {"x": np.array([0, 2])}],  # 2013-03-03
        15706: [{"x": np.array([5, 0])}, {"x": np.array([0, 0])}],  # 2013-01-01
        15768: [{"x": np.array([1, 1])}, {"x": np.array([1, 1])}],  # 2013-03-04
        None: [{"x": np.array([0, 1])}, {"x": np.array([0, 0])}],
    }
    labelled = label_partitions(found, "datetime", "month")
    assert list(labelled) == ["2013-01", "2013-03", "MISSING"]
    assert [g["x"].tolist() for g in labelled["2013-03"]] == [[2, 1], [1, 3]]
    numbers = label_partitions({10: [{"x": 1}], 9: [{"x": 2}], -1: [{"x": 3}]}, "number")
    assert list(numbers) == ["-1", "9", "10"]


def test_merging_passes_treats_nan_and_none_as_one_missing_partition():
    total = merge_found({}, {None: [{"x": np.array([1])}]})
    merge_found(total, {float("nan"): [{"x": np.array([2])}], 3: [{"x": np.array([4])}]})
    assert {k: v[0]["x"].tolist() for k, v in total.items()} == {None: [3], 3: [4]}


def test_natural_order_reads_numbers_by_value():
    labels = ["MISSING", "10", "2", "2013-W10", "2013-W2", "b", "a"]
    assert sorted(labels, key=natural_order) == [
        "2", "10", "2013-W2", "2013-W10", "MISSING", "a", "b",
    ]  # fmt: skip


def test_refusals_name_the_value():
    with pytest.raises(ConfigError, match="every must be one of day, week, month, got 'year'"):
        check_every("year")
    with pytest.raises(ConfigError, match="partition_by must be one column name, got ' '"):
        check_partition_by(" ")
    with pytest.raises(SchemaError, match="partition column 'b' is bytes"):
        check_partition_column("b", "bytes", "binary", "pandas", None)
    with pytest.raises(ConfigError, match="every='day' buckets dates, but .* 'm' is string"):
        check_partition_column("m", "string", "str", "DuckDB", "day")
    with pytest.raises(SchemaError, match="a date -719163 days from 1970-01-01, outside"):
        bucket(-719_163, "month")
    check_partition_column("m", "null", "null", "pandas", "day")  # all missing: any type
    with pytest.raises(SchemaError, match="'m' is number in one batch and string in another"):
        check_value_types(["null", "string", "number"], "m", "CSV")
    assert check_value_types(["null", "null"], "m", "CSV") == "null"


def test_the_checks_pass_what_they_accept():
    assert check_every(None) is None and check_every("month") == "month"
    assert check_partition_by(" month ") == "month"
    assert check_value_types(["null", "string", "string"], "m", "CSV") == "string"


def test_messages_say_how_to_fix_it():
    with pytest.raises(SchemaError) as found:
        check_partition_column("b", "bytes", "binary", "pandas", None)
    assert str(found.value).endswith("named by strings, booleans, whole numbers or dates")
    with pytest.raises(SchemaError) as found:
        bucket(-719_163, "day")
    assert str(found.value).endswith("outside the years 1 to 9999 a partition can be named by")
    with pytest.raises(SchemaError) as found:
        partition_of(1.5, "number", None, "m")
    assert str(found.value) == (
        "partition column 'm' holds 1.5, not a whole number; partition by whole numbers, "
        "strings, booleans or dates (cast or bucket it first)"
    )
    with pytest.raises(SchemaError, match="partition column 'm' holds 2.5"):
        label_partitions({2.5: [{"x": 1}]}, "number", column="m")
    with pytest.raises(SchemaError, match="partition column '' holds 2.5"):
        label_partitions({2.5: [{"x": 1}]}, "number")


def test_strings_order_by_text_with_missing_last():
    found = {"b": [{"x": 1}], None: [{"x": 2}], "a": [{"x": 3}], "": [{"x": 4}]}
    assert list(label_partitions(found, "string")) == ["", "a", "b", "MISSING"]
    assert partition_of(Decimal("NaN"), "number", None)[1] == "MISSING"
