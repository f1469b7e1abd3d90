"""Count in-memory columns per segment, in one grouped pass.

Each row gets its segment (:func:`airflow_kl.core.segments.segment_index`)
and, in each column, its bin; one ``bincount`` of (segment, bin) pairs gives
every segment's counts. A column's value type is decided once, over all its
rows (as :func:`.frame.count_column` does), never per segment, so a
segment's counts are the counts of its rows whatever else the column holds.

>>> import pandas as pd
>>> from airflow_kl.core.profile import FeatureProfile
>>> df = pd.DataFrame({"x": [1.0, 5.0, None, 7.0], "o": ["JFK", "EWR", "JFK", None]})
>>> rows, values = segment_rows(df, ("o",))
>>> dict(sorted(rows.items(), key=str)), values
({('EWR',): 1, ('JFK',): 2, (None,): 1}, ('string',))
>>> fp = FeatureProfile("x", "numeric", (0, 0, 0), edges=(4.0,))
>>> [g["x"].tolist() for g in count_segments(df, {"x": fp}, ("o",), [("JFK",)], values)]
[[1, 0, 1], [0, 2, 0]]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..core.binning import (
    categorical_counts,
    numeric_bin_index,
    numeric_counts,
    require_columns,
)
from ..core.errors import SchemaError
from ..core.profile import FeatureProfile
from ..core.segments import (
    Key,
    check_segment_column,
    count_by_offset,
    segment_index,
    segment_offsets,
)
from ..core.values import NULL, canonical
from .frame import (
    TypedColumn,
    _is_string_view,
    checked_column,
    column_names,
    engine_of,
    get_column,
    value_counts,
)
from .threads import map_columns

MAX_COMBINATIONS = 2**63 - 1  # the segment columns' combinations, coded in one int64


def category_codes(column: TypedColumn) -> tuple[np.ndarray, list[str]]:
    """Per row, the position of its canonical value in the returned labels
    (-1 where missing)."""
    rows = len(column.col)
    if column.value == NULL:
        return np.full(rows, -1), []
    arr = column.arrow
    if arr is None:  # Python objects of mixed types: compared by str(v)
        values = column.col.to_numpy()
        at: dict[str, int] = {}
        codes = np.full(rows, -1)
        for i in np.flatnonzero(~pd.isna(values)):
            codes[i] = at.setdefault(canonical(values[i]), len(at))
        return codes, list(at)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = pc.cast(arr, arr.type.value_type)
    if _is_string_view(arr.type):
        arr = pc.cast(arr, pa.large_string())
    encoded = pc.dictionary_encode(arr)
    codes = pc.fill_null(pc.cast(encoded.indices, pa.int64()), -1).to_numpy()
    return codes, [canonical(v) for v in encoded.dictionary.to_pylist()]


def bin_index(column: TypedColumn | None, fp: FeatureProfile, rows: int) -> np.ndarray:
    """Each row's bin in a categorical ``fp`` (categories, OTHER, MISSING); every
    row in MISSING when the column is all missing (``None``: of another type)."""
    missing_bin = len(fp.counts) - 1
    if column is None or column.value == NULL:
        return np.full(rows, missing_bin)
    codes, labels = category_codes(column)
    categories = {c: i for i, c in enumerate(fp.categories or ())}
    other = len(categories)
    # the last entry is for code -1 (missing)
    return np.array([categories.get(v, other) for v in labels] + [missing_bin])[codes]


def row_bins(column: TypedColumn | None, fp: FeatureProfile, rows: int) -> np.ndarray:
    """Each row's bin in ``fp`` (:func:`airflow_kl.core.binning.numeric_bin_index`
    for numbers, :func:`bin_index` for categories); every row in MISSING when
    the column is all missing (``None``: of another type)."""
    if fp.kind == "numeric" and column is not None and column.value != NULL:
        return numeric_bin_index(column.numbers(), np.asarray(fp.edges))
    return bin_index(column, fp, rows)


def categorical_by_run(arrow: Any, fp: FeatureProfile, bounds: np.ndarray) -> np.ndarray:
    """Counts per group of a categorical column whose rows are in group order:
    each group's run (a zero-copy slice) counted by the unsegmented kernel."""
    runs = zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    return np.stack(
        [
            categorical_counts(*value_counts(arrow.slice(a, b - a)), fp.categories or ())
            for a, b in runs
        ]
    )


def numeric_by_run(values: np.ndarray, edges: tuple[float, ...], bounds: np.ndarray) -> np.ndarray:
    """Counts per group of a numeric column whose rows are in group order: each
    group's run (a view) counted by the unsegmented kernel
    (:func:`airflow_kl.core.binning.numeric_counts`)."""
    runs = zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
    return np.stack([numeric_counts(values[a:b], edges) for a, b in runs])


def segment_columns(
    data: Any, by: Sequence[str], engine: str, values: Sequence[str] | None = None
) -> list[TypedColumn]:
    """The segment columns, typed; each must hold strings or booleans (and the
    value type the profile recorded, when ``values`` is given)."""
    require_columns(column_names(data), list(by), f"{engine} data (segment_by)")
    columns = []
    for j, name in enumerate(by):
        column = TypedColumn(name, get_column(data, name), engine)
        expected = None if values is None else values[j]
        check_segment_column(name, column.value, column.type_name, engine, expected)
        columns.append(column)
    return columns


def segment_rows(data: Any, by: Sequence[str], engine: str | None = None):
    """``({key: rows}, value types)`` of the segment columns' combinations (a
    column of nulls alone has the value type ``null``)."""
    engine = engine or engine_of(data)
    columns = segment_columns(data, by, engine)
    coded = [category_codes(c) for c in columns]
    sizes = [len(labels) + 1 for _, labels in coded]  # missing (-1) is code 0
    if math.prod(sizes) > MAX_COMBINATIONS:
        raise SchemaError(f"segment columns {list(by)} have too many combinations to count")
    combined = np.zeros(len(data), dtype=np.int64)
    for (codes, _), size in zip(coded, sizes, strict=True):
        combined = combined * size + (codes + 1)
    unique, counts = np.unique(combined, return_counts=True)
    rows = {}
    for flat, n in zip(unique.tolist(), counts.tolist(), strict=True):
        combo = np.unravel_index(flat, sizes)
        rows[tuple(coded[j][1][c - 1] if c else None for j, c in enumerate(combo))] = n
    return rows, tuple(c.value for c in columns)


def count_segments(
    data: Any,
    features: Mapping[str, FeatureProfile],
    by: Sequence[str],
    keys: Sequence[Key],
    values: Sequence[str] | None = None,
    engine: str | None = None,
) -> list[dict[str, np.ndarray]]:
    """Per segment (``keys``, then OTHER): every feature's counts."""
    engine = engine or engine_of(data)
    require_columns(column_names(data), list(features), f"{engine} data")
    return count_groups(
        data, features, segments_of_rows(data, by, keys, values, engine), len(keys) + 1, engine
    )


def segments_of_rows(
    data: Any, by: Sequence[str], keys: Sequence[Key], values: Sequence[str] | None, engine: str
) -> np.ndarray:
    """Each row's segment: its key's position in ``keys``, else ``len(keys)`` (OTHER)."""
    coded = [category_codes(c) for c in segment_columns(data, by, engine, values)]
    return segment_index([c for c, _ in coded], [labels for _, labels in coded], keys)


def _checked_groups(group: Any, groups: int, rows: int) -> np.ndarray:
    """``group`` as one integer in ``0 .. groups-1`` per row, else a SchemaError."""
    ids = np.asarray(group)
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise SchemaError(f"groups must be an integer >= 1, got {groups!r}")
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer) or ids.size != rows:
        raise SchemaError(
            f"group must hold one integer per row ({rows}), got {ids.dtype} {ids.shape}"
        )
    if rows and not 0 <= ids.min() <= ids.max() < groups:
        raise SchemaError(f"group ids must be in 0 .. {groups - 1}, got {ids.min()} .. {ids.max()}")
    return ids


def count_groups(
    data: Any, features: Mapping[str, FeatureProfile], group: np.ndarray, groups: int, engine: str
) -> list[dict[str, np.ndarray]]:
    """Per group ``0 .. groups-1`` (each row's given by ``group``): every
    feature's counts, in one pass over each column.

    Rows already in group order (a table sorted by its partition column) are
    counted run by run, each run a slice counted by the unsegmented kernel.
    Otherwise each row gets its bin (:func:`airflow_kl.core.binning.numeric_bin_index`,
    or its category's) and one ``bincount`` of (group, bin) pairs gives every
    group's counts: the same rules, and no gather of the column into group
    order (which cost more than the comparisons)."""
    rows = len(data)
    group = _checked_groups(group, groups, rows)
    bounds = np.concatenate([[0], np.cumsum(np.bincount(group, minlength=groups))])
    in_order = rows < 2 or bool(np.all(group[1:] >= group[:-1]))
    widths = {len(fp.counts) for fp in features.values()}
    offsets = {w: segment_offsets(group, groups, w) for w in widths}  # shared by columns

    def one(name: str, fp: FeatureProfile) -> np.ndarray:
        column = checked_column(name, get_column(data, name), fp, engine)
        present = column is not None and column.value != NULL
        numeric = fp.kind == "numeric" and present
        if in_order and numeric:
            return numeric_by_run(column.numbers(), fp.edges, bounds)
        if in_order and present and column.arrow is not None:
            return categorical_by_run(column.arrow, fp, bounds)
        bins = row_bins(column, fp, rows)
        return count_by_offset(offsets[len(fp.counts)], bins, groups, len(fp.counts))

    counted = map_columns(one, list(features.items()), rows)
    return [{name: c[g] for name, c in zip(features, counted, strict=True)} for g in range(groups)]
