"""Rows held in memory: a pandas DataFrame, an Arrow Table or RecordBatch.

The in-memory kernels (:mod:`.frame`, :mod:`.segments`, :mod:`.partitions`)
count here; files, Spark's Python workers and Polars count their Arrow
batches through this source too, so every engine that holds rows shares one
kernel.

>>> import pandas as pd
>>> source = FrameSource(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "c": list("abba")}))
>>> profiled = source.profile(None, bins=2, top_k=5, binning="quantile")
>>> profiled.features["x"].edges, profiled.features["c"].categories
((2.5,), ('a', 'b'))
>>> source.segment_rows(("c",))
({('a',): 2, ('b',): 2}, ('string',))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..core.binning import quantile_edges, require_columns
from ..core.errors import ConfigError, SchemaError, SourceError
from ..core.profile import FeatureProfile
from ..core.segments import Key
from ..core.values import NULL
from . import partitions, segments
from .frame import (
    TypedColumn,
    column_names,
    count_frame,
    engine_of,
    get_column,
    profile_column,
    select_features,
)
from .pair_tables import count_with_tables
from .profiling import EngineColumn, check_profiling
from .source import UNGROUPED, WHOLE, Counted, GroupBy, Profiled, Progress, Source
from .threads import map_columns


def as_table(data: Any) -> pd.DataFrame | pa.Table:
    """A DataFrame or Table as it is; a RecordBatch as a one-batch Table."""
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, (pd.DataFrame, pa.Table)):
        return data
    raise SourceError(f"not in-memory rows: {type(data).__name__}")


class FrameSource(Source):
    """A pandas DataFrame or Arrow Table (``engine``: how messages name it, as
    the source it was read from: "Parquet", "Spark", "Polars")."""

    counts_pairs = True

    def __init__(self, data: Any, engine: str | None = None) -> None:
        self.data = as_table(data)
        self.engine = engine or engine_of(self.data)

    def __str__(self) -> str:
        return f"{self.engine} frame of {len(self.data)} rows"

    def value_types(self, columns: list[str] | None = None) -> dict[str, str | SchemaError]:
        names = column_names(self.data) if columns is None else columns
        return {c.name: c.value for c in self._described(names)}

    def _described(self, names: list[str]) -> list[EngineColumn]:
        require_columns(column_names(self.data), list(names), f"{self.engine} data")
        described = []
        for name in names:
            try:
                column = TypedColumn(name, get_column(self.data, name), self.engine)
                described.append(EngineColumn(name, column.value, column.type_name, column))
            except SchemaError as exc:
                described.append(EngineColumn(name, exc, "", None))
        return described

    def count(
        self,
        features: Mapping[str, FeatureProfile],
        group_by: GroupBy = UNGROUPED,
        progress: Progress | None = None,
    ) -> Counted:
        seg = group_by.segments
        if group_by.partition_by is not None:
            value, found = partitions.count_partitions(
                self.data,
                features,
                group_by.partition_by,
                seg,
                group_by.every,
                self.engine,
                group_by.pairs,
            )
            counted = Counted(found, value)
        elif seg is not None:
            groups = segments.count_segments(
                self.data, features, seg.by, seg.keys, seg.values, self.engine
            )
            counted = Counted({WHOLE: groups})
        else:
            if group_by.pairs:
                counts = count_with_tables(self.data, features, group_by.pairs, self.engine)
            else:
                counts = dict(count_frame(self.data, features, self.engine))
            counted = Counted({WHOLE: [counts]})
        if progress is not None:
            progress(len(self.data))
        return counted

    def segment_rows(self, by: Sequence[str]) -> tuple[dict[Key, int], tuple[str, ...]]:
        return segments.segment_rows(self.data, by, self.engine)

    @contextmanager
    def primitives(self) -> Iterator[FramePrimitives]:
        yield FramePrimitives(self)

    def profile(
        self,
        features: list[str] | None,
        bins: int,
        top_k: int,
        binning: str,
        edges: Mapping[str, Sequence[float]] | None = None,
    ) -> Profiled:
        """Every column profiled from its values: exact quantile edges and their
        counts from one selection (:func:`airflow_kl.core.binning.quantile_bins`)."""
        bins, top_k, binning = check_profiling(bins, top_k, binning)
        if len(self.data) == 0:
            raise SourceError("reference data has no rows; a profile needs at least one")
        names = select_features(self.data, features, self.engine)
        explicit = dict(edges or {})
        unknown = sorted(set(explicit) - set(names))
        if unknown:
            raise ConfigError(f"edges given for {unknown[0]!r}, which is not a profiled feature")
        engine = self.engine
        args = [
            (name, get_column(self.data, name), bins, top_k, binning, explicit.get(name), engine)
            for name in names
        ]
        profiled = map_columns(profile_column, args, len(self.data))
        return Profiled(dict(zip(names, profiled, strict=True)))


@dataclass(frozen=True)
class FramePrimitives:
    """The profiling primitives over rows in memory: what :meth:`Source.profile`
    builds from (:meth:`FrameSource.profile` gets the same profile directly)."""

    source: FrameSource

    def columns(self, wanted: list[str] | None) -> list[EngineColumn]:
        names = column_names(self.source.data) if wanted is None else wanted
        return self.source._described(names)

    def top_values(self, column: EngineColumn, top_k: int) -> dict[str, int]:
        """Every value's count (a superset of the top ``top_k`` and their ties)."""
        return column.handle.value_counts()[0]

    def value_range(self, column: EngineColumn) -> tuple[float | None, float | None]:
        values = column.handle.numbers()
        values = values[np.isfinite(values)]
        return (float(values.min()), float(values.max())) if values.size else (None, None)

    def quantile_edges(self, columns: list[EngineColumn], bins: int) -> dict[str, tuple]:
        return {
            c.name: tuple(quantile_edges(c.handle.numbers(), bins).tolist())
            if c.value != NULL
            else ()
            for c in columns
        }
