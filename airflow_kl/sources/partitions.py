"""Count in-memory columns per partition (and per segment), in one grouped pass.

Each row gets its raw partition value (:mod:`airflow_kl.core.partitions`:
the canonical string, the exact number, or the UTC day of a datetime), and
the grouped kernel of segments (:func:`.segments.count_groups`) counts every
(partition, segment) at once.

>>> import pandas as pd
>>> from airflow_kl.core.profile import FeatureProfile
>>> df = pd.DataFrame({"x": [1.0, 5.0, None, 7.0], "month": [1, 1, 2, 2]})
>>> fp = FeatureProfile("x", "numeric", (0, 0, 0), edges=(4.0,))
>>> value, found = count_partitions(df, {"x": fp}, "month")
>>> value, {k: [g["x"].tolist() for g in v] for k, v in found.items()}
('number', {1: [[1, 1, 0]], 2: [[0, 1, 1]]})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..core.binning import require_columns
from ..core.pair_profile import PairProfile
from ..core.partitions import check_partition_column
from ..core.profile import FeatureProfile
from ..core.segments import SegmentProfile
from ..core.values import NS_PER_DAY, NULL
from .frame import TypedColumn, column_names, engine_of, get_column
from .pair_tables import count_tables
from .segments import category_codes, count_groups, segments_of_rows

Found = dict[Any, list[dict[str, np.ndarray]]]  # raw partition value -> groups


def _unique_codes(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    """Per row, the position of its value among the distinct ones (-1: NaN)."""
    present = ~np.isnan(values)
    distinct, inverse = np.unique(values[present], return_inverse=True)
    codes = np.full(len(values), -1)
    codes[present] = inverse
    return codes, distinct.tolist()


def partition_codes(column: TypedColumn) -> tuple[np.ndarray, list[Any]]:
    """Per row, the position of its raw partition value in the returned list
    (-1 where missing)."""
    if column.value == NULL:
        return np.full(len(column.col), -1), []
    if column.value == "datetime":
        return _unique_codes(np.floor(column.numbers() / NS_PER_DAY))
    if column.value != "number":
        return category_codes(column)
    arr = column.arrow  # (mixed Python objects, dictionaries: string, never number)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)  # exact values: int64 stays int64
    codes = pc.fill_null(pc.cast(encoded.indices, pa.int64()), -1).to_numpy()
    return codes, encoded.dictionary.to_pylist()


def count_partitions(
    data: Any,
    features: Mapping[str, FeatureProfile],
    partition_by: str,
    segments: SegmentProfile | None = None,
    every: str | None = None,
    engine: str | None = None,
    pairs: Sequence[PairProfile] = (),
) -> tuple[str, Found]:
    """``(value type of the partition column, {raw value: groups})``: per raw
    partition value found, every feature's counts per segment of ``segments``
    (OTHER last), or in one group when there are none; with ``pairs`` (and no
    segments), each pair's table too, under the key ``(a, b)``."""
    engine = engine or engine_of(data)
    require_columns(column_names(data), [*features, partition_by], f"{engine} data")
    column = TypedColumn(partition_by, get_column(data, partition_by), engine)
    check_partition_column(partition_by, column.value, column.type_name, engine, every)
    codes, raws = partition_codes(column)
    part = np.where(codes < 0, len(raws), codes)
    width = 1
    group = part
    if segments is not None:
        width = len(segments.keys) + 1
        seg = segments_of_rows(data, segments.by, segments.keys, segments.values, engine)
        group = part * width + seg
    parts = len(raws) + 1  # the last: missing
    counted = count_groups(data, features, group, parts * width, engine)
    for pair, tables in count_tables(data, features, pairs, engine, part, parts).items():
        for p in range(parts):
            counted[p][pair] = tables[p]
    rows = np.bincount(part, minlength=parts)
    found = {
        raw: counted[p * width : (p + 1) * width] for p, raw in enumerate([*raws, None]) if rows[p]
    }
    return column.value, found
