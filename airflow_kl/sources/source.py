"""The one contract every source of rows keeps: :class:`Source`.

A source knows its columns and their value types, counts rows into a
profile's bins grouped by nothing, by segment, or by partition and segment
(:class:`GroupBy`), tells how many rows each segment key has, and gives the
three profiling primitives (top values, finite range, quantile edges) from
which :meth:`Source.profile` builds a profile. Pandas and Arrow, Parquet and
CSV files, SQL databases, Spark and Polars are sources; another package adds
one with a module and an entry point (:mod:`airflow_kl.sources.resolve`).

>>> import pandas as pd
>>> from airflow_kl.core.profile import FeatureProfile
>>> from airflow_kl.sources.memory import FrameSource
>>> fp = FeatureProfile("x", "numeric", (0, 0, 0), edges=(4.0,))
>>> source = FrameSource(pd.DataFrame({"x": [1.0, 5.0, None], "m": [1, 1, 2]}))
>>> source.count({"x": fp}).totals()["x"].tolist()
[1, 1, 1]
>>> counted = source.count({"x": fp}, GroupBy(partition_by="m"))
>>> counted.value, {k: g[0]["x"].tolist() for k, g in counted.parts.items()}
('number', {1: [1, 1, 0], 2: [0, 0, 1]})
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..core.binning import check_feature_names
from ..core.errors import ConfigError, SchemaError, SourceError
from ..core.pair_profile import PairProfile
from ..core.partitions import check_value_types, merge_found
from ..core.profile import FeatureProfile
from ..core.segments import Key, SegmentProfile
from .profiling import EngineColumn, EnginePrimitives, bin_stubs, check_profiling, default_features

Progress = Callable[[int], None]
Groups = list[dict[Any, np.ndarray]]  # per group: counts by feature name, tables by pair (a, b)
WHOLE = "\0whole"  # the one part of counts not grouped by partition


@dataclass(frozen=True)
class GroupBy:
    """How counts are grouped: by nothing (the default), by the profile's
    ``segments`` (OTHER last), by the raw values of ``partition_by`` (``every``:
    their calendar period, :mod:`airflow_kl.core.partitions`), or by both."""

    segments: SegmentProfile | None = None
    """The segments to count per (OTHER last), or None for one group."""
    partition_by: str | None = None
    """The column whose values make the parts, or None for one part."""
    every: str | None = None
    """The calendar period of a datetime ``partition_by`` (``"month"``), or None
    for its raw values."""
    pairs: tuple[PairProfile, ...] = ()
    """Pairs whose joint tables are counted too, each group's under the key
    ``(a, b)`` beside the features' counts (not yet by segment)."""

    def __post_init__(self) -> None:
        if self.pairs and self.segments is not None:
            raise ConfigError("pairs are not counted by segment yet: check pairs without segments")

    @property
    def width(self) -> int:
        """Groups per part: the segments and OTHER, or one."""
        return len(self.segments.counts) if self.segments is not None else 1

    def columns(self) -> list[str]:
        """The columns read besides the features."""
        by = list(self.segments.by) if self.segments is not None else []
        return by + ([self.partition_by] if self.partition_by is not None else [])


UNGROUPED = GroupBy()


@dataclass
class Counted:
    """Counts in a profile's bins: per part (a raw partition value, or
    :data:`WHOLE`), per group (segment, OTHER last), per feature (and per
    pair, its table under the key ``(a, b)``). ``value`` is the partition
    column's value type."""

    parts: dict[Any, Groups] = field(default_factory=dict)
    """Per part (a raw partition value, or ``WHOLE``), one ``{feature: counts}``
    per group (with ``{(a, b): table}`` for pairs)."""
    value: str | None = None
    """The value type of the partition column, or None when not partitioned."""

    @property
    def groups(self) -> Groups:
        """The groups of counts not grouped by partition."""
        return self.parts[WHOLE]

    def totals(self) -> dict[Any, np.ndarray]:
        """Every feature's counts (and pair's table) over all parts and groups."""
        groups = [g for part in self.parts.values() for g in part]
        return {name: sum(g[name] for g in groups) for name in groups[0]}


def add_counted(total: Counted | None, more: Counted, column: str, engine: str) -> Counted:
    """Counts of two passes (batches, files, workers) added; a partition
    column must hold one value type across them."""
    if total is None:
        return Counted({k: [dict(g) for g in v] for k, v in more.parts.items()}, more.value)
    merge_found(total.parts, more.parts)
    if more.value is not None:
        total.value = check_value_types([total.value or more.value, more.value], column, engine)
    return total


def empty_groups(
    features: Mapping[str, FeatureProfile], groups: int, pairs: Sequence[PairProfile] = ()
) -> Groups:
    """Zero counts of every feature (and table of every pair), for each of
    ``groups`` segments (the start of a sum, and what a segment without rows has).

    >>> x = FeatureProfile("x", "numeric", (1, 2, 0), edges=(0.0,))
    >>> [g["x"].tolist() for g in empty_groups({"x": x}, 2)]
    [[0, 0, 0], [0, 0, 0]]
    """
    return [
        {n: np.zeros(len(fp.counts), dtype=np.int64) for n, fp in features.items()}
        | {p.features: np.zeros(p.shape, dtype=np.int64) for p in pairs}
        for _ in range(groups)
    ]


def check_counts_pairs(source: Source, pairs: Any) -> None:
    """Raise :class:`~airflow_kl.ConfigError` when ``pairs`` are asked of a
    source that does not count pairs (asked before anything is read)."""
    if pairs and not source.counts_pairs:
        raise ConfigError(
            f"{source} does not count pairs; judge the features alone with pairs=[] (--pairs '')"
        )


@dataclass(frozen=True)
class Profiled:
    """What :meth:`Source.profile` returns: the features, and settings to keep
    with the profile (how the edges were made, when not from every row)."""

    features: dict[str, FeatureProfile]
    settings: dict[str, Any] = field(default_factory=dict)


class Source(ABC):
    """Rows to profile or count, wherever they are; ``str()`` of a source says
    where, for logs and reports."""

    counts_pairs: bool = False
    """True when :meth:`count` counts ``group_by.pairs`` (every source of this
    package does; a source added by another package says so)."""

    @abstractmethod
    def value_types(self, columns: list[str] | None = None) -> dict[str, str | SchemaError]:
        """The value type of each named column (default: every column), or the
        :class:`SchemaError` saying why no value type holds it.

        Parameters
        ----------
        columns
            The columns asked about; None for every column.
        """

    @abstractmethod
    def count(
        self,
        features: Mapping[str, FeatureProfile],
        group_by: GroupBy = UNGROUPED,
        progress: Progress | None = None,
    ) -> Counted:
        """Every feature's counts in its bins, grouped as ``group_by`` says, in one
        pass.

        Parameters
        ----------
        features
            The :class:`~airflow_kl.FeatureProfile` objects to count into, by name.
        group_by
            How the counts are grouped (by segment, by partition, or not).
        progress
            Where the source reads in batches, called with the rows of each.
        """

    @abstractmethod
    def segment_rows(self, by: Sequence[str]) -> tuple[dict[Key, int], tuple[str, ...]]:
        """``({key: rows}, value types)`` of the segment columns' combinations.

        Parameters
        ----------
        by
            The segment columns.
        """

    def primitives(self) -> AbstractContextManager[EnginePrimitives]:
        """The three profiling primitives (and the columns they take), for as long
        as the context lasts (a connection, a session): what the default
        :meth:`profile` builds from. A source that overrides :meth:`profile`
        need not give them."""
        raise ConfigError(f"{type(self).__name__} cannot be profiled")

    def profile(
        self,
        features: list[str] | None,
        bins: int,
        top_k: int,
        binning: str,
        edges: Mapping[str, Sequence[float]] | None = None,
    ) -> Profiled:
        """Bins from the primitives (:func:`.profiling.bin_stubs`), then one
        :meth:`count` of every row into them. Sources that hold their rows
        profile them directly (and take explicit ``edges``).

        Parameters
        ----------
        features
            The columns to profile, or None for every profilable column.
        bins
            Value bins per numeric feature.
        top_k
            Categories kept per categorical feature.
        binning
            ``"quantile"`` or ``"uniform"``.
        edges
            Explicit bin edges by feature (sources that hold their rows only).
        """
        check_profiling(bins, top_k, binning)  # before the source is read
        if edges:
            raise ConfigError("explicit edges are supported for in-memory and file data only")
        with self.primitives() as engine:
            columns = chosen_columns(engine.columns(check_feature_names(features)), features)
            stubs = bin_stubs(engine, columns, bins, top_k, binning)
            counts = self.count_into(engine, columns, stubs)
        if not any(counts[name].sum() for name in stubs):
            raise SourceError("reference data has no rows; a profile needs at least one")
        return Profiled({name: fp.with_counts(counts[name]) for name, fp in stubs.items()})

    def count_into(
        self,
        engine: EnginePrimitives,
        columns: Sequence[EngineColumn],
        stubs: Mapping[str, FeatureProfile],
    ) -> dict[str, np.ndarray]:
        """The rows counted into the bins :meth:`profile` just made: one
        :meth:`count`, or what the primitives hold open (a database
        connection, its typed columns) counting once more.

        Parameters
        ----------
        engine
            The primitives :meth:`primitives` opened.
        columns
            The columns profiled, as the primitives typed them.
        stubs
            The features' bins, with no counts yet.
        """
        return self.count(stubs).totals()


def chosen_columns(
    columns: Sequence[EngineColumn], features: list[str] | None
) -> list[EngineColumn]:
    """The named columns (each of a value type), or by default those
    :func:`.profiling.default_features` chooses."""
    if features is None:
        kept = set(default_features({c.name: c.value for c in columns}))
        columns = [c for c in columns if c.name in kept]
    for column in columns:
        if isinstance(column.value, SchemaError):
            raise column.value
    return list(columns)
