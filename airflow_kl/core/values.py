"""The value model: what a column's values are, decided once from its type.

Every engine (pandas, Arrow, Parquet, CSV, SQL, Spark, GX) maps its own
column type to one of four *value types* and hands values to the bins in one
canonical form, so the same rows give the same counts whatever counted them:

=========  ==========================================  ======================  ========
value      types                                        compared as             bins
=========  ==========================================  ======================  ========
number     integers, floats, decimals (never bool)      float64                 numeric
datetime   dates and timestamps (naive = UTC)           float64 epoch ns, UTC   numeric
boolean    bool                                          ``True`` / ``False``    categorical
string     text, categories, Python objects of mixed     ``str(v)``              categorical
           types
=========  ==========================================  ======================  ========

A column whose type says nothing about its values (an all-null column) has
the value type ``null``: every row is missing, and it fits a profile of any
value type. Any other type (binary, time of day, durations, lists, structs)
is refused with a :class:`SchemaError` before anything is counted.

>>> canonical(True), canonical(False), canonical(1), canonical(1.0), canonical("é")
('True', 'False', '1', '1.0', 'é')
>>> layout_of("boolean"), layout_of("datetime")
('categorical', 'numeric')
>>> check_value_type("x", "number", "float64", "boolean", "bool", "Spark")
Traceback (most recent call last):
...
airflow_kl.core.errors.SchemaError: feature 'x' is number (float64) in the profile but ...
"""

from __future__ import annotations

from typing import Any, Literal

from .errors import SchemaError

ValueType = Literal["number", "datetime", "boolean", "string"]
VALUE_TYPES: tuple[str, ...] = ("number", "datetime", "boolean", "string")
NULL = "null"  # an all-null column: fits any value type

_LAYOUT = {
    "number": "numeric",
    "datetime": "numeric",
    "boolean": "categorical",
    "string": "categorical",
    NULL: "categorical",  # an all-missing column profiles as a string column
}
NS_PER_DAY = 86_400e9  # a date is its midnight, UTC, in epoch nanoseconds


def layout_of(value_type: str) -> str:
    """``numeric`` (edges) or ``categorical`` (top-k values) bins for a value type.

    >>> layout_of("null"), profiled_value("null")
    ('categorical', 'string')
    """
    return _LAYOUT[value_type]


def profiled_value(value_type: str) -> str:
    """The value type a profile records: an all-missing column's is ``string``."""
    return "string" if value_type == NULL else value_type


def canonical(value: Any) -> str:
    """The one string form a categorical value is compared by, in every engine.

    ``str(value)``: booleans read ``True``/``False`` whatever an engine calls
    them (Python's ``bool`` and numpy's ``bool_`` both print so).

    >>> import numpy as np
    >>> canonical(np.bool_(False)), canonical(np.int64(3))
    ('False', '3')
    """
    return str(value)


def unsupported(column: str, type_name: str, engine: str, profiled: str = "") -> SchemaError:
    """The error for a column type no value type holds faithfully; ``profiled`` is
    the profile's reading of the column (``"datetime (timestamp[us])"``), if any."""
    was = f" (the profile has it as {profiled})" if profiled else ""
    return SchemaError(
        f"column {column!r} has the {engine} type {type_name}{was}, which airflow-kl cannot "
        f"compare faithfully; cast it to a number, date/timestamp, boolean or string, "
        f"or leave it out of features"
    )


def check_value_type(
    feature: str,
    expected: str,
    expected_type: str,
    found: str,
    found_type: str,
    engine: str,
) -> None:
    """Refuse a column whose value type differs from the profile's (``null`` fits all)."""
    if found in (expected, NULL):
        return
    raise SchemaError(
        f"feature {feature!r} is {expected} ({expected_type or expected}) in the profile "
        f"but {found} ({found_type}) in {engine}; cast the column or rebuild the profile"
    )
