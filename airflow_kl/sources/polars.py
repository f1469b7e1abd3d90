"""Polars DataFrames and LazyFrames, counted from Arrow without a pandas copy.

A DataFrame hands its columns to Arrow as they are (``to_arrow`` shares the
buffers); a LazyFrame is collected with only the columns a count or a
profile reads. The in-memory kernel then counts them (:mod:`.memory`), so a
Polars frame gets the counts of the same rows in pandas or Arrow.

>>> import polars as pl
>>> from airflow_kl.core.profile import FeatureProfile
>>> fp = FeatureProfile("x", "numeric", (0, 0, 0), edges=(4.0,))
>>> lazy = pl.LazyFrame({"x": [1.0, 5.0, None], "y": ["a", "b", "c"]})
>>> PolarsSource(lazy).count({"x": fp}).totals()["x"].tolist()
[1, 1, 1]
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from ..core.binning import require_columns
from ..core.errors import SchemaError
from ..core.profile import FeatureProfile
from ..core.segments import Key
from .memory import FramePrimitives, FrameSource
from .source import UNGROUPED, Counted, GroupBy, Profiled, Progress, Source

ENGINE = "Polars"


class PolarsSource(Source):
    """A ``polars.DataFrame`` or ``polars.LazyFrame``."""

    counts_pairs = True

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __str__(self) -> str:
        return f"Polars {type(self.frame).__name__}"

    def _names(self) -> list[str]:
        schema = self.frame.collect_schema() if hasattr(self.frame, "collect_schema") else None
        return list(schema.names()) if schema is not None else list(self.frame.columns)

    def arrow(self, columns: Sequence[str] | None = None) -> pa.Table:
        """The wanted columns (default: all) as an Arrow table."""
        names = self._names() if columns is None else list(dict.fromkeys(columns))
        require_columns(self._names(), names, f"{ENGINE} data")
        selected = self.frame.select(names)
        if hasattr(selected, "collect") and not hasattr(selected, "to_arrow"):
            selected = selected.collect()
        return selected.to_arrow()

    def _rows(self, columns: Sequence[str] | None = None) -> FrameSource:
        return FrameSource(self.arrow(columns), ENGINE)

    def value_types(self, columns: list[str] | None = None) -> dict[str, str | SchemaError]:
        return self._rows(columns).value_types(columns)

    def count(
        self,
        features: Mapping[str, FeatureProfile],
        group_by: GroupBy = UNGROUPED,
        progress: Progress | None = None,
    ) -> Counted:
        rows = self._rows([*features, *group_by.columns()])
        return rows.count(features, group_by, progress)

    def segment_rows(self, by: Sequence[str]) -> tuple[dict[Key, int], tuple[str, ...]]:
        return self._rows(by).segment_rows(by)

    @contextmanager
    def primitives(self) -> Iterator[FramePrimitives]:
        with self._rows().primitives() as primitives:
            yield primitives

    def profile(
        self,
        features: list[str] | None,
        bins: int,
        top_k: int,
        binning: str,
        edges: Mapping[str, Sequence[float]] | None = None,
    ) -> Profiled:
        return self._rows(features).profile(features, bins, top_k, binning, edges)
