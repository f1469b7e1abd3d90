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

from ..core.pair_profile import PairProfile
from ..core.profile import FeatureProfile
from .frame import checked_column, engine_of, get_column
from .segments import row_bins


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
    cells: dict[tuple[str, tuple[int, ...]], np.ndarray] = {}

    def cell_of(name: str, merged: tuple[int, ...]) -> np.ndarray:
        if (name, merged) not in cells:
            fp = features[name]
            column = checked_column(name, get_column(data, name), fp, engine)
            cells[name, merged] = np.asarray(merged, dtype=np.int64)[row_bins(column, fp, rows)]
        return cells[name, merged]

    tables = {}
    for pair in pairs:
        (a, b), (ca, cb) = pair.features, pair.cells
        rows_, cols = pair.shape
        flat = cell_of(a, ca) * cols + cell_of(b, cb)
        if group is None:
            tables[pair.features] = np.bincount(flat, minlength=rows_ * cols).reshape(rows_, cols)
        else:
            flat = group * (rows_ * cols) + flat
            size = groups * rows_ * cols
            tables[pair.features] = np.bincount(flat, minlength=size).reshape(groups, rows_, cols)
    return tables
