"""Count in-memory columns (pandas or Arrow) into profile bins.

Sources count; they never compute a divergence. A column's value type comes
from its type (:mod:`airflow_kl.core.values`): pandas dtypes map directly,
and an ``object`` column takes the Arrow type it converts to (the type it
would have in Parquet), over all its values; an object column Arrow cannot
type (``1``, ``"1"`` and ``True`` together) is compared by ``str(v)``.

Numeric columns become one float64 array (NaN = missing) for the numpy
kernel of :mod:`airflow_kl.core.binning`; categorical columns are reduced
to value counts in Arrow first, so per-row Python never runs for typed data.

>>> import pandas as pd
>>> s = pd.Series(["a", "b", None, "a"])
>>> value_type(s), value_counts(s)
('string', ({'a': 2, 'b': 1}, 1))
>>> value_counts(pd.Series([1, 1.0, True, "1", None], dtype=object))
({'1': 2, '1.0': 1, 'True': 1}, 1)
>>> numeric_values(pd.Series([1, None], dtype="Int64")).tolist()
[1.0, nan]
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.binning import (
    categorical_counts,
    check_feature_names,
    numeric_counts,
    require_columns,
)
from ..core.errors import SchemaError
from ..core.profile import FeatureProfile
from ..core.values import NS_PER_DAY, NULL, canonical, check_value_type, layout_of, unsupported
from .profiling import categorical_profile, default_features, numeric_bins
from .threads import map_columns

log = logging.getLogger(__name__)

Column = pd.Series | pa.Array | pa.ChunkedArray
MIXED = "object (mixed types)"


def arrow_value_type(t: pa.DataType) -> str | None:
    """The value type of an Arrow type, or None when none holds it faithfully."""
    if pa.types.is_null(t):
        return NULL
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return "datetime"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
        return "string"
    if _is_string_view(t):
        return "string"
    return None


def _is_string_view(t: pa.DataType) -> bool:
    return hasattr(pa.types, "is_string_view") and pa.types.is_string_view(t)


def _pandas_value_type(dtype: Any) -> str | None:
    if isinstance(dtype, pd.ArrowDtype):
        return arrow_value_type(dtype.pyarrow_dtype)
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_string_dtype(dtype):
        return "string"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_complex_dtype(dtype):
        return None
    if pd.api.types.is_numeric_dtype(dtype):
        return "number"
    return None


def as_arrow(col: Column) -> pa.Array | pa.ChunkedArray | None:
    """The column as Arrow (its type decided from every value), or None for an
    object column Arrow cannot type (mixed Python types)."""
    if not isinstance(col, pd.Series):
        return col
    try:
        return pa.Array.from_pandas(col)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        if col.dtype == np.dtype(object):
            return None
        raise


def _object_type_name(arrow_type: pa.DataType) -> str:
    """How an object column is named in profiles and messages. Python strings
    are ``str`` on every pandas version (pandas 3 gives such a column the
    ``str`` dtype; pandas 2 keeps it ``object``), so the words do not change
    with the pandas a user runs.

    >>> _object_type_name(pa.string()), _object_type_name(pa.int64())
    ('str', 'object (int64)')
    """
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "str"
    return f"object ({arrow_type})"


class TypedColumn:
    """A column with its value type, converted to Arrow at most once."""

    def __init__(self, name: str, col: Column, engine: str = "pandas", profiled: str = "") -> None:
        self.name, self.col, self.engine = name, col, engine
        self._arrow: Any = False
        if isinstance(col, pd.Series) and col.dtype != np.dtype(object):
            self.type_name = str(col.dtype)
            found = _pandas_value_type(col.dtype)
        elif self.arrow is None:  # an object column of mixed Python types
            self.type_name, found = MIXED, "string"
        else:
            self.type_name = str(self.arrow.type)
            if isinstance(col, pd.Series):
                self.type_name = _object_type_name(self.arrow.type)
            found = arrow_value_type(self.arrow.type)
        if found is None:
            raise unsupported(name, self.type_name, engine, profiled)
        self.value = found

    @property
    def arrow(self) -> Any:
        if self._arrow is False:
            self._arrow = as_arrow(self.col)
        return self._arrow

    def numbers(self) -> np.ndarray:
        """Float64 values (epoch ns for datetimes), NaN where missing."""
        return numeric_values(self.arrow if self.value == "datetime" else self.col)

    def value_counts(self) -> tuple[dict[str, int], int]:
        """``({canonical value: count}, missing)``; an all-null column is all missing."""
        if self.value == NULL:
            return {}, len(self.col)
        return value_counts(self.col if self.arrow is None else self.arrow)


def value_type(col: Column) -> str:
    """``number``, ``datetime``, ``boolean``, ``string`` or ``null`` (all missing)."""
    return TypedColumn("column", col).value


def numeric_values(col: Column) -> np.ndarray:
    """Float64 values, NaN where missing; datetimes as epoch nanoseconds UTC."""
    if isinstance(col, pd.Series) and col.dtype.kind in "biuf":
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = as_arrow(col)
    if arr is None:
        raise SchemaError(f"cannot read {col.name!r} as numbers: it mixes Python types")
    t = arr.type
    if pa.types.is_null(t):
        return np.full(len(arr), np.nan)
    if pa.types.is_date(t) or pa.types.is_timestamp(t):
        return epoch_ns(arr)
    if pa.types.is_dictionary(t):
        arr = pc.cast(arr, t.value_type)
    return _float64(arr)  # int64 beyond 2**53 rounds to nearest, as in every engine


def _float64(arr: Any) -> np.ndarray:
    arr = pc.cast(arr, pa.float64(), safe=False)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr.to_numpy(zero_copy_only=False)


_NS_PER_UNIT = {"s": 1e9, "ms": 1e6, "us": 1e3, "ns": 1.0}


def epoch_ns(arr: Any) -> np.ndarray:
    """Dates and timestamps as float64 epoch nanoseconds UTC, NaN where missing.

    Computed as (count in the stored unit, a float64) x (ns per unit): the
    product of two exact doubles is the correctly rounded nanosecond count,
    which SQL and Spark compute the same way, and no date overflows int64 ns
    (years past 2262 stay exact to the double).

    >>> epoch_ns(pa.array([0, 1, None], pa.date32())).tolist()
    [0.0, 86400000000000.0, nan]
    """
    t = arr.type
    if pa.types.is_date32(t):
        return _float64(pc.cast(arr, pa.int32())) * NS_PER_DAY
    if pa.types.is_date64(t):
        return _float64(pc.cast(arr, pa.int64())) * 1e6
    return _float64(pc.cast(arr, pa.int64())) * _NS_PER_UNIT[t.unit]


def _mixed_value_counts(col: pd.Series) -> tuple[dict[str, int], int]:
    """Counts by ``str(v)`` over Python objects of mixed types, in any row order."""
    values = col.to_numpy(dtype=object)
    missing = pd.isna(values)
    return dict(Counter(canonical(v) for v in values[~missing])), int(missing.sum())


def value_counts(col: Column) -> tuple[dict[str, int], int]:
    """``({canonical value: count}, missing)``; missing = None/NaN/NaT/pd.NA."""
    arr = as_arrow(col)
    if arr is None:
        return _mixed_value_counts(col)
    if pa.types.is_dictionary(arr.type):
        arr = pc.cast(arr, arr.type.value_type)
    if _is_string_view(arr.type):  # Arrow counts its nulls as "" (pyarrow 26)
        arr = pc.cast(arr, pa.large_string())
    out: dict[str, int] = {}
    vc = pc.value_counts(arr)
    for value, count in zip(
        vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True
    ):
        if count and value is not None:
            key = canonical(value)
            out[key] = out.get(key, 0) + int(count)
    return out, int(arr.null_count)


def _counts(column: TypedColumn, fp: FeatureProfile) -> np.ndarray:
    if fp.kind == "numeric":
        return numeric_counts(column.numbers(), np.asarray(fp.edges))  # floats
    vc, missing = column.value_counts()
    return categorical_counts(vc, missing, fp.categories or ())


def count_column(name: str, col: Column, fp: FeatureProfile, engine: str = "pandas") -> np.ndarray:
    """One column's counts in the profile's bins (value bins, [OTHER,] MISSING).

    A column whose every value is missing fits any profile (pandas reads an
    empty string column as float64 NaN): all its rows go to MISSING.
    """
    column = checked_column(name, col, fp, engine)
    if column is None:
        return np.array([0] * (len(fp.counts) - 1) + [len(col)])
    return _counts(column, fp)


def checked_column(name: str, col: Column, fp: FeatureProfile, engine: str) -> TypedColumn | None:
    """The column typed and checked against the profile; None when it is all
    missing and of another type (then it fits: all its rows are MISSING)."""
    column = TypedColumn(name, col, engine, fp.described)
    if column.value != fp.value and _all_missing(col):
        return None
    check_value_type(name, fp.value, fp.source_type, column.value, column.type_name, engine)
    return column


def _all_missing(col: Column) -> bool:
    if isinstance(col, pd.Series):
        return bool(col.isna().all())
    return col.null_count == len(col)


def engine_of(data: Any) -> str:
    return "pandas" if isinstance(data, pd.DataFrame) else "Arrow"


def get_column(data: Any, name: str) -> Column:
    if isinstance(data, pd.DataFrame):
        return data[name]
    return data.column(name)


def column_names(data: Any) -> list[str]:
    if isinstance(data, pd.DataFrame):
        return [str(c) for c in data.columns]
    return list(data.schema.names)


def count_frame(
    data: Any, features: Mapping[str, FeatureProfile], engine: str | None = None
) -> dict[str, np.ndarray]:
    """Counts of every profiled feature in a DataFrame / Arrow Table / RecordBatch."""
    engine = engine or engine_of(data)
    require_columns(column_names(data), list(features), f"{engine} data")
    args = [(name, get_column(data, name), fp, engine) for name, fp in features.items()]
    return dict(zip(features, map_columns(count_column, args, len(data)), strict=True))


def select_features(data: Any, features: list[str] | None, engine: str | None = None) -> list[str]:
    """The features to profile: the given ones (checked), or every column whose
    type is a number, boolean or string (datetimes only when named)."""
    engine = engine or engine_of(data)
    names = column_names(data)
    if check_feature_names(features) is not None:
        require_columns(names, list(features), "reference")
        return list(features)
    found: dict[str, str | SchemaError] = {}
    for name in names:
        try:
            found[name] = TypedColumn(name, get_column(data, name), engine).value
        except SchemaError as exc:
            found[name] = exc
    return default_features(found)


def profile_column(
    name: str,
    col: Column,
    bins: int = 10,
    top_k: int = 20,
    binning: str = "quantile",
    edges: list[float] | None = None,
    engine: str = "pandas",
) -> FeatureProfile:
    """Bins and reference counts of one column."""
    column = TypedColumn(name, col, engine)
    if layout_of(column.value) == "categorical":
        vc, missing = column.value_counts()
        return categorical_profile(name, vc, missing, top_k, column.type_name, column.value)
    values = column.numbers()
    e, counts = numeric_bins(name, values, bins, binning, edges)
    return FeatureProfile(
        name,
        "numeric",
        tuple(counts.tolist()),
        edges=tuple(e.tolist()),
        source_type=column.type_name,
        value=column.value,
    )
