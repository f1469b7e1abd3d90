"""Count in-memory columns (pandas or Arrow) into profile bins.

Sources count; they never compute a divergence. Numeric columns become one
float64 array (NaN = missing) and go through ``searchsorted`` + ``bincount``;
categorical columns are reduced to their value counts first (hashing in
pandas/Arrow), so per-row Python never runs.

>>> import pandas as pd
>>> s = pd.Series(["a", "b", None, "a"])
>>> column_kind(s), value_counts(s)
('categorical', ({'a': 2, 'b': 1}, 1))
>>> numeric_values(pd.Series([1, None], dtype="Int64")).tolist()
[1.0, nan]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.binning import (
    categorical_counts,
    check_bins,
    check_edges,
    check_top_k,
    numeric_counts,
    quantile_edges,
    top_categories,
    uniform_edges,
)
from ..core.errors import ConfigError, SchemaError
from ..core.profile import FeatureProfile

Column = pd.Series | pa.Array | pa.ChunkedArray
BINNINGS = ("quantile", "uniform")
_NUMERIC_INFERRED = {"integer", "floating", "mixed-integer-float", "decimal"}


def column_kind(col: Column) -> str:
    """``numeric``, ``categorical`` or ``datetime`` (numeric only when asked for)."""
    if isinstance(col, pd.Series):
        dtype = col.dtype
        if pd.api.types.is_bool_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            return "categorical"
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return "datetime"
        if pd.api.types.is_numeric_dtype(dtype):
            return "numeric"
        if dtype.kind == "O" and pd.api.types.infer_dtype(col, skipna=True) in _NUMERIC_INFERRED:
            return "numeric"
        return "categorical"
    t = col.type
    if pa.types.is_dictionary(t):
        return "categorical"
    if pa.types.is_boolean(t):
        return "categorical"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        return "datetime"
    return "categorical"


def type_name(col: Column) -> str:
    return str(col.dtype) if isinstance(col, pd.Series) else str(col.type)


def numeric_values(col: Column) -> np.ndarray:
    """Float64 values, NaN where missing; datetimes as epoch nanoseconds."""
    if isinstance(col, pd.Series):
        if pd.api.types.is_datetime64_any_dtype(col.dtype):
            return numeric_values(pa.array(col))
        if col.dtype.kind == "O":
            return pd.to_numeric(col).to_numpy(dtype=np.float64, na_value=np.nan)
        return col.to_numpy(dtype=np.float64, na_value=np.nan)
    t = col.type
    if pa.types.is_date(t):
        col = pc.cast(col, pa.timestamp("ns"))
        t = col.type
    if pa.types.is_timestamp(t):
        col = pc.cast(pc.cast(col, pa.timestamp("ns", t.tz)), pa.int64())
    arr = pc.cast(col, pa.float64(), safe=False)  # int64 beyond 2**53 rounds, as in numpy
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    return arr.to_numpy(zero_copy_only=False)


def value_counts(col: Column) -> tuple[dict[str, int], int]:
    """``({str(value): count}, missing)`` over the non-missing values."""
    out: dict[str, int] = {}
    if isinstance(col, pd.Series):
        missing = int(col.isna().sum())
        vc = col.value_counts(dropna=True, sort=False)
        items = zip(vc.index.tolist(), vc.to_numpy().tolist(), strict=True)
    else:
        missing = int(col.null_count)
        vc = pc.value_counts(col)
        items = zip(vc.field("values").to_pylist(), vc.field("counts").to_pylist(), strict=True)
    for value, count in items:
        if count and value is not None:
            key = str(value)
            out[key] = out.get(key, 0) + int(count)
    return out, missing


def _check_type(name: str, col: Column, fp: FeatureProfile) -> None:
    kind = column_kind(col)
    if fp.kind == "numeric":
        expected = "datetime" if fp.datetime else "numeric"
        if kind != expected:
            was = fp.source_type or expected
            raise SchemaError(
                f"feature {name!r} was {expected} ({was}) in the profile but is now "
                f"{type_name(col)}; cast the column or rebuild the profile"
            )


def count_column(name: str, col: Column, fp: FeatureProfile) -> np.ndarray:
    """One column's counts in the profile's bins (value bins, [OTHER,] MISSING)."""
    _check_type(name, col, fp)
    if fp.kind == "numeric":
        return numeric_counts(numeric_values(col), np.asarray(fp.edges, dtype=np.float64))
    vc, missing = value_counts(col)
    return categorical_counts(vc, missing, fp.categories or ())


def get_column(data: Any, name: str) -> Column:
    if isinstance(data, pd.DataFrame):
        return data[name]
    return data.column(name)


def column_names(data: Any) -> list[str]:
    if isinstance(data, pd.DataFrame):
        return [str(c) for c in data.columns]
    return list(data.schema.names)


def require_columns(available: list[str], wanted: list[str], what: str = "data") -> None:
    missing = [c for c in wanted if c not in available]
    if missing:
        raise SchemaError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}; "
            f"it has: {', '.join(available) or 'no columns'}"
        )


def count_frame(data: Any, features: Mapping[str, FeatureProfile]) -> dict[str, np.ndarray]:
    """Counts of every profiled feature in a DataFrame / Arrow Table / RecordBatch."""
    require_columns(column_names(data), list(features))
    return {name: count_column(name, get_column(data, name), fp) for name, fp in features.items()}


def select_features(data: Any, features: list[str] | None) -> list[str]:
    """The features to profile: the given ones (checked), or every non-datetime column."""
    names = column_names(data)
    if features is not None:
        if isinstance(features, str) or not features:
            raise ConfigError(f"features must be a non-empty list of names, got {features!r}")
        require_columns(names, list(features), "reference")
        return list(features)
    chosen = [n for n in names if column_kind(get_column(data, n)) != "datetime"]
    if not chosen:
        raise SchemaError(f"reference has no numeric or categorical column: {names}")
    return chosen


def categorical_profile(
    name: str, vc: Mapping[str, int], missing: int, top_k: int, source_type: str = ""
) -> FeatureProfile:
    """A categorical feature from exact value counts: top ``top_k``, OTHER, MISSING."""
    categories = top_categories(vc, check_top_k(top_k))
    counts = categorical_counts(vc, missing, categories)
    return FeatureProfile(
        name, "categorical", tuple(counts.tolist()), categories=categories, source_type=source_type
    )


def profile_column(
    name: str,
    col: Column,
    bins: int = 10,
    top_k: int = 20,
    binning: str = "quantile",
    edges: list[float] | None = None,
) -> FeatureProfile:
    """Bins and reference counts of one column."""
    kind = column_kind(col)
    if kind == "categorical":
        vc, missing = value_counts(col)
        return categorical_profile(name, vc, missing, top_k, type_name(col))
    values = numeric_values(col)
    if edges is not None:
        e = check_edges(edges, f"edges for {name!r}")
    elif binning == "quantile":
        e = quantile_edges(values, check_bins(bins))
    elif binning == "uniform":
        e = uniform_edges(values, check_bins(bins))
    else:
        raise ConfigError(f"binning must be one of {BINNINGS}, got {binning!r}")
    return FeatureProfile(
        name,
        "numeric",
        tuple(numeric_counts(values, e).tolist()),
        edges=tuple(e.tolist()),
        datetime=kind == "datetime",
        source_type=type_name(col),
    )
