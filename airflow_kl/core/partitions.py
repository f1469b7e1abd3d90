"""Partitions of one table, for a backtest: the values of a column (a month
number, a region), or its dates bucketed by day, ISO week or month.

Every engine groups rows by the column's *raw partition value* and hands the
groups' counts here, where they get their label and their order:

==========  ===============================  ==========================  =========
value type  raw value an engine groups by     label                       order
==========  ===============================  ==========================  =========
string      the canonical string              itself (but see below)      by text
boolean     ``True`` / ``False``              itself                      by text
number      the exact stored value            the whole number (``7``)    by value
datetime    the UTC day: ``floor(ns / day)``  ``2013-01-07`` (``day``),   by date
                                              ``2013-W02`` (``week``),
                                              ``2013-01`` (``month``)
==========  ===============================  ==========================  =========

A day is the floor of the epoch nanoseconds (the double every engine
computes for a datetime feature) over a day, so days, weeks (ISO, Monday
first) and months are UTC ones, and every engine puts a row in the same
partition. A number that is not whole (``1.5``, infinity) cannot name a
partition: cast or bucket it first. Rows whose partition value is missing
form the partition ``MISSING``, last.

A string column whose values are all whole numbers written in digits (a
hive folder's ``month=01`` that an engine read as text) is labelled as
numbers: ``1``, ordered by value. Files and Spark infer such folder values as
integers; this rule gives every engine the same labels. When two values
would share a label (``7`` and ``07``) they are kept as written.

>>> list(label_partitions({"10": [{"x": 1}], "09": [{"x": 2}]}, "string"))
['9', '10']
>>> list(label_partitions({"7": [{"x": 1}], "07": [{"x": 2}]}, "string"))
['07', '7']

>>> found = {3.0: [{"x": 1}], 12: [{"x": 2}], None: [{"x": 4}]}
>>> list(label_partitions(found, "number"))
['3', '12', 'MISSING']
>>> days = {15706: [{"x": 1}], 15712: [{"x": 2}], 15737: [{"x": 4}]}
>>> label_partitions(days, "datetime", "month")
{'2013-01': [{'x': 3}], '2013-02': [{'x': 4}]}
>>> list(label_partitions(days, "datetime", "week"))
['2013-W01', '2013-W02', '2013-W05']
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .binning import MISSING
from .errors import ConfigError, SchemaError
from .options import EVERY
from .values import NULL

PARTITION_VALUES = ("string", "boolean", "number", "datetime")
EPOCH = dt.date(1970, 1, 1)

Groups = Sequence[Mapping[str, Any]]  # per segment (OTHER last), {feature: counts}


def check_partition_by(value: Any) -> str:
    """The partition column: one non-empty name."""
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"partition_by must be one column name, got {value!r}")
    return value.strip()


def check_every(value: Any) -> str | None:
    """``None`` or one of :data:`EVERY`."""
    if value is None or value in EVERY:
        return value
    raise ConfigError(f"every must be one of {', '.join(EVERY)}, got {value!r}")


def check_partition_column(
    name: str, value: str, type_name: str, engine: str, every: str | None
) -> None:
    """Refuse a partition column no partition can be named by, or ``every``
    on a column that holds no dates.

    >>> check_partition_column("m", "number", "int64", "pandas", "month")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: every='month' buckets dates, but partition column 'm' ...
    """
    if value not in (*PARTITION_VALUES, NULL):
        raise SchemaError(
            f"partition column {name!r} is {value} ({type_name}) in {engine}; partitions are "
            "named by strings, booleans, whole numbers or dates"
        )
    if every is not None and value not in ("datetime", NULL):
        raise ConfigError(
            f"every={every!r} buckets dates, but partition column {name!r} is {value} "
            f"({type_name}) in {engine}"
        )


def day_date(day: Any) -> dt.date:
    """The date of a UTC day number (days since 1970-01-01).

    >>> day_date(15706), day_date(-1.0)
    (datetime.date(2013, 1, 1), datetime.date(1969, 12, 31))
    """
    try:
        return EPOCH + dt.timedelta(days=int(day))
    except OverflowError:
        raise SchemaError(
            f"a partition column holds a date {int(day)} days from 1970-01-01, outside the "
            "years 1 to 9999 a partition can be named by"
        ) from None


def bucket(day: Any, every: str | None) -> tuple[dt.date, str]:
    """The first day of the bucket a UTC day falls in, and the bucket's label.

    >>> bucket(15706, "week"), bucket(15706, "month")[1], bucket(15706, None)[1]
    ((datetime.date(2012, 12, 31), '2013-W01'), '2013-01', '2013-01-01')
    """
    date = day_date(day)
    if every == "month":
        return date.replace(day=1), f"{date.year:04d}-{date.month:02d}"
    if every == "week":
        year, week, weekday = date.isocalendar()
        return date - dt.timedelta(days=weekday - 1), f"{year:04d}-W{week:02d}"
    return date, date.isoformat()


def _is_missing(raw: Any) -> bool:
    return raw is None or (isinstance(raw, (float, Decimal)) and raw != raw)


def whole_number(raw: Any, column: str = "") -> int:
    """A number that names a partition: whole and finite.

    >>> whole_number(7.0), whole_number(Decimal("12.00"))
    (7, 12)
    >>> whole_number(1.5, "m")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.SchemaError: partition column 'm' holds 1.5, not a whole number; ...
    """
    if (
        isinstance(raw, bool)
        or not isinstance(raw, (int, float, Decimal))
        or (isinstance(raw, (float, Decimal)) and (not math.isfinite(raw) or raw != int(raw)))
    ):
        raise SchemaError(
            f"partition column {column!r} holds {raw!r}, not a whole number; partition by "
            "whole numbers, strings, booleans or dates (cast or bucket it first)"
        )
    return int(raw)


def partition_of(raw: Any, value: str, every: str | None, column: str = "") -> tuple[Any, str]:
    """``(order key, label)`` of a raw partition value (missing sorts last)."""
    if _is_missing(raw):
        return (1, 0), MISSING
    if value == "datetime":
        start, label = bucket(raw, every)
        return (0, start.toordinal()), label
    if value == "number":
        number = whole_number(raw, column)
        return (0, number), str(number)
    return (0, str(raw)), str(raw)


def add_groups(total: list[dict[str, Any]], more: Groups) -> list[dict[str, Any]]:
    """``total`` plus ``more``, segment by segment and feature by feature.

    >>> add_groups([{"x": 1}, {"x": 2}], [{"x": 10}, {"x": 20}])
    [{'x': 11}, {'x': 22}]
    """
    if len(total) != len(more):
        raise SchemaError(f"cannot add counts of {len(more)} segments to {len(total)}")
    if any(set(t) != set(m) for t, m in zip(total, more, strict=True)):
        raise SchemaError("cannot add counts of other features: the segments count different ones")
    return [{n: t[n] + m[n] for n in t} for t, m in zip(total, more, strict=True)]


DIGITS = re.compile(r"[0-9]+")


def digit_labels(values: Any) -> bool:
    """Whether string partition values are labelled as numbers: every one is
    digits (missing ones aside), and no two are the same number.

    >>> digit_labels(["01", "12", None]), digit_labels(["1", "A"]), digit_labels(["7", "07"])
    (True, False, False)
    """
    texts = [v for v in values if not _is_missing(v)]
    if not texts or not all(isinstance(v, str) and DIGITS.fullmatch(v) for v in texts):
        return False
    return len({int(v) for v in texts}) == len(texts)


def partition_label(key: str) -> str:
    """A stored partition key as the label rule spells it now: digits without
    leading zeros (history written before the rule kept ``01``).

    >>> partition_label("01"), partition_label("2013-01"), partition_label("0")
    ('1', '2013-01', '0')
    """
    return str(int(key)) if DIGITS.fullmatch(key) else key


def label_partitions(
    found: Mapping[Any, Groups], value: str, every: str | None = None, column: str = ""
) -> dict[str, list[dict[str, Any]]]:
    """``{label: groups}`` in partition order: the raw values an engine found,
    labelled, those sharing a label (the days of one month) added up."""
    if value == "string" and digit_labels(found):
        found = {None if _is_missing(k) else int(k): g for k, g in found.items()}
        value = "number"
    keyed: dict[str, tuple[Any, list[dict[str, Any]]]] = {}
    for raw, groups in found.items():
        order, label = partition_of(raw, value, every, column)
        groups = [dict(g) for g in groups]
        if label in keyed:
            groups = add_groups(keyed[label][1], groups)
        keyed[label] = (order, groups)
    return {label: g for label, (_, g) in sorted(keyed.items(), key=lambda kv: kv[1][0])}


def merge_found(
    total: dict[Any, list[dict[str, Any]]], more: Mapping[Any, Groups]
) -> dict[Any, list[dict[str, Any]]]:
    """Counts of raw partitions from two passes (batches, Spark partitions), added."""
    for raw, groups in more.items():
        key = None if _is_missing(raw) else raw
        total[key] = add_groups(total[key], groups) if key in total else [dict(g) for g in groups]
    return total


def natural_order(label: str) -> tuple:
    """Order partition labels as a person reads them: digit runs by value.

    >>> sorted(["10", "2", "2013-W10", "2013-W9", "MISSING"], key=natural_order)
    ['2', '10', '2013-W9', '2013-W10', 'MISSING']
    """
    parts = re.split(r"(\d+)", label)
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def check_value_types(found: Sequence[str], column: str, engine: str) -> str:
    """The one value type of a partition column across batches (``null`` where
    a batch holds only missing values)."""
    seen = sorted(set(found) - {NULL})
    if len(seen) > 1:
        raise SchemaError(
            f"partition column {column!r} is {' in one batch and '.join(seen)} in another "
            f"({engine}); give it one type"
        )
    return seen[0] if seen else NULL
