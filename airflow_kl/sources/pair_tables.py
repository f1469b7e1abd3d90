"""Count a pair's joint table in memory: one ``bincount`` of two cell indices.

Each row gets its bin in each feature (:func:`.segments.row_bins`, the rules
the features' own counts follow), the bin its pair cell, and the cell of a
times the cells of b plus the cell of b its place in the table.

>>> import pandas as pd
>>> from airflow_kl.core.pair_profile import PairProfile
>>> from airflow_kl.core.profile import FeatureProfile
>>> a = FeatureProfile("a", "numeric", (0, 0, 0), edges=(0.0,))
>>> b = FeatureProfile("b", "categorical", (0, 0, 0), categories=("x",))
>>> pair = PairProfile(("a", "b"), ((0, 1, 2), (0, 1, 2)), ((0,) * 3,) * 3)
>>> df = pd.DataFrame({"a": [-1.0, 2.0, 3.0, None], "b": ["x", "x", "y", "x"]})
>>> count_tables(df, {"a": a, "b": b}, [pair])[("a", "b")].tolist()
[[1, 0, 0], [1, 1, 0], [1, 0, 0]]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..core.binning import numeric_counts, require_columns
from ..core.pair_profile import PairProfile
from ..core.profile import FeatureProfile
from ..core.values import NULL
from .frame import (
    TypedColumn,
    checked_column,
    column_names,
    count_column,
    engine_of,
    get_column,
)
from .segments import row_bins
from .threads import map_columns

Cells = tuple[int, ...]


def count_with_tables(
    data: Any,
    features: Mapping[str, FeatureProfile],
    pairs: Sequence[PairProfile],
    engine: str | None = None,
) -> dict[Any, np.ndarray]:
    """Every feature's counts and each pair's table, side by side in threads
    (:func:`.threads.map_columns`): a feature in a pair is typed and binned
    once, its counts the ``bincount`` of its rows' bins and its cells taken
    from the same bins; then the tables, one thread a pair."""
    engine = engine or engine_of(data)
    require_columns(column_names(data), list(features), f"{engine} data")
    wanted: dict[str, set[Cells]] = {}
    for pair in pairs:
        for name, merged in zip(pair.features, pair.cells, strict=True):
            wanted.setdefault(name, set()).add(merged)
    rows = len(data)

    def one(name: str, fp: FeatureProfile) -> tuple[np.ndarray, dict[Cells, np.ndarray]]:
        col = get_column(data, name)
        if name not in wanted:
            return count_column(name, col, fp, engine), {}
        column = checked_column(name, col, fp, engine)
        if has_numbers(column, fp):  # counted by its tallies, celled by the cells' edges
            x = column.numbers()
            counts = numeric_counts(x, np.asarray(fp.edges))
            return counts, {merged: numeric_cells(x, fp.edges, merged) for merged in wanted[name]}
        bins = row_bins(column, fp, rows)  # counted and celled from one reading of its bins
        counts = np.bincount(bins, minlength=len(fp.counts))
        return counts, {merged: cell_index(merged, bins) for merged in wanted[name]}

    done = map_columns(one, list(features.items()), rows)
    counts: dict[Any, np.ndarray] = {n: c for n, (c, _) in zip(features, done, strict=True)}
    cells = {
        (n, merged): a
        for n, (_, found) in zip(features, done, strict=True)
        for merged, a in found.items()
    }

    def table(pair: PairProfile) -> np.ndarray:
        (a, b), (ca, cb) = pair.features, pair.cells
        return joint_table(pair, cells[a, ca], cells[b, cb])

    tables = map_columns(table, [(p,) for p in pairs], rows)
    return counts | {p.features: t for p, t in zip(pairs, tables, strict=True)}


def has_numbers(column: TypedColumn | None, fp: FeatureProfile) -> bool:
    """Whether a numeric feature's column holds numbers (not all missing, not NULL)."""
    return fp.kind == "numeric" and column is not None and column.value != NULL


def feature_cells(
    column: TypedColumn | None, fp: FeatureProfile, cells: Cells, rows: int
) -> np.ndarray:
    """Each row's pair cell of a feature, as :func:`count_with_tables` finds it:
    a number's from the edges where cells change (:func:`numeric_cells`), else
    its bin's (:func:`cell_index`)."""
    if has_numbers(column, fp):
        return numeric_cells(column.numbers(), fp.edges, cells)
    return cell_index(cells, row_bins(column, fp, rows))


def numeric_cells(x: np.ndarray, edges: Sequence[float], cells: Cells) -> np.ndarray:
    """Each number's pair cell without its bin: how many of the edges where the
    cells change are at or below it (cells merge adjacent bins, from 0), and
    MISSING's cell for NaN: the bins of
    :func:`~airflow_kl.core.binning.numeric_bin_index`, merged.

    >>> numeric_cells(np.array([-1.0, 0.5, 1.0, 3.0, np.nan]), (0.0, 1.0, 2.0), (0, 0, 1, 1, 2))
    array([0, 0, 1, 1, 2], dtype=uint8)
    """
    index = np.zeros(x.size, dtype=np.min_scalar_type(max(cells)))
    at_or_above = np.empty(x.size, dtype=bool)
    for i, edge in enumerate(edges):
        if cells[i] != cells[i + 1]:
            index += np.greater_equal(x, edge, out=at_or_above)  # NaN: False
    index[np.isnan(x)] = cells[-1]
    return index


def cell_index(cells: Cells, bins: np.ndarray) -> np.ndarray:
    """Each row's pair cell from its bin, in the smallest integer type that holds it."""
    return np.asarray(cells, dtype=np.min_scalar_type(max(cells)))[bins]


def joint_table(
    pair: PairProfile,
    a: np.ndarray,
    b: np.ndarray,
    group: np.ndarray | None = None,
    groups: int = 1,
) -> np.ndarray:
    """The pair's table of rows whose cells are ``a`` and ``b``; with ``group``
    (each row's group, ``0 .. groups-1``), a table per group, stacked."""
    rows, cols = pair.shape
    flat = a.astype(np.min_scalar_type(rows * cols), copy=False) * cols + b
    if group is None:
        return np.bincount(flat, minlength=rows * cols).reshape(rows, cols)
    flat = group * (rows * cols) + flat
    return np.bincount(flat, minlength=groups * rows * cols).reshape(groups, rows, cols)


def count_tables(
    data: Any,
    features: Mapping[str, FeatureProfile],
    pairs: Sequence[PairProfile],
    engine: str | None = None,
    group: np.ndarray | None = None,
    groups: int = 1,
) -> dict[tuple[str, str], np.ndarray]:
    """Each pair's table of the rows, by its two features' names; with
    ``group`` (each row's group, ``0 .. groups-1``), a table per group, stacked
    on a first axis."""
    engine = engine or engine_of(data)
    rows = len(data)
    cells: dict[tuple[str, Cells], np.ndarray] = {}

    def cell_of(name: str, merged: Cells) -> np.ndarray:
        if (name, merged) not in cells:
            fp = features[name]
            column = checked_column(name, get_column(data, name), fp, engine)
            cells[name, merged] = feature_cells(column, fp, merged, rows)
        return cells[name, merged]

    tables = {}
    for pair in pairs:
        (a, b), (ca, cb) = pair.features, pair.cells
        tables[pair.features] = joint_table(pair, cell_of(a, ca), cell_of(b, cb), group, groups)
    return tables
