"""Profiling shared by every source: which columns are profiled, the bins of
a categorical column from its value counts, the edges of a numeric one, and
the one skeleton that the engines which compute in place (SQL, Spark) fill
with their own primitives.

An engine that profiles without fetching the column gives three primitives
(:class:`EnginePrimitives`): the top values of a column, the finite range of
a column, and the quantile edges of its numeric columns (all at once, where
the engine can). :func:`bin_stubs` decides everything else, once: the
binning, the layout of each value type (an all-missing column is a string
column), and the bins' order.

>>> categorical_profile("c", {"b": 2, "a": 2, "z": 1}, missing=1, top_k=2).categories
('a', 'b')
>>> stub = numeric_stub("x", (1.0, 2.0), "DOUBLE", "number")
>>> stub.counts, stub.edges
((0, 0, 0, 0), (1.0, 2.0))
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..core.binning import (
    categorical_counts,
    check_bins,
    check_edges,
    check_top_k,
    numeric_counts,
    quantile_bins,
    quantile_edges,
    top_categories,
    uniform_edges,
    uniform_edges_between,
)
from ..core.errors import ConfigError, SchemaError
from ..core.profile import FeatureProfile
from ..core.values import NULL, layout_of, profiled_value

log = logging.getLogger(__name__)

BINNINGS = ("quantile", "uniform")


def check_binning(binning: str) -> str:
    if binning not in BINNINGS:
        raise ConfigError(f"binning must be one of {BINNINGS}, got {binning!r}")
    return binning


def check_profiling(bins: int, top_k: int, binning: str) -> tuple[int, int, str]:
    """The profiling options, checked: before an engine reads anything."""
    return check_bins(bins), check_top_k(top_k), check_binning(binning)


def default_features(value_types: Mapping[str, str | SchemaError]) -> list[str]:
    """Columns profiled when ``features`` is not given: not datetimes, and not of a
    type no value type holds (given as the error; those are logged and left out)."""
    chosen = []
    for name, value in value_types.items():
        if isinstance(value, SchemaError):
            log.info("not profiled by default: %s", value)
        elif value != "datetime":
            chosen.append(name)
    if not chosen:
        raise SchemaError(f"reference has no number, boolean or string column: {list(value_types)}")
    return chosen


def categorical_profile(
    name: str,
    vc: Mapping[str, int],
    missing: int,
    top_k: int,
    source_type: str = "",
    value: str = "string",
) -> FeatureProfile:
    """A categorical feature from exact value counts: top ``top_k``, OTHER, MISSING."""
    categories = top_categories(vc, check_top_k(top_k))
    counts = categorical_counts(vc, missing, categories)
    return FeatureProfile(
        name,
        "categorical",
        tuple(counts.tolist()),
        categories=categories,
        source_type=source_type,
        value=profiled_value(value),
    )


def numeric_stub(name: str, edges: Sequence[float], source_type: str, value: str) -> FeatureProfile:
    """A numeric feature's bins with no rows counted yet."""
    edges = tuple(float(e) for e in edges)
    return FeatureProfile(
        name,
        "numeric",
        (0,) * (len(edges) + 2),
        edges=edges,
        source_type=source_type,
        value=value,
    )


def choose_edges(
    name: str,
    values: np.ndarray,
    bins: int = 10,
    binning: str = "quantile",
    edges: list[float] | None = None,
) -> np.ndarray:
    """Edges of one numeric column from its values: explicit, quantile or uniform."""
    if edges is not None:
        return check_edges(edges, f"edges for {name!r}")
    if check_binning(binning) == "quantile":
        return quantile_edges(values, check_bins(bins))
    return uniform_edges(values, check_bins(bins))


def numeric_bins(
    name: str,
    values: np.ndarray,
    bins: int = 10,
    binning: str = "quantile",
    edges: list[float] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`choose_edges` and the values' counts in them; quantile edges
    come with their counts from one selection (:func:`quantile_bins`).

    >>> e, counts = numeric_bins("x", np.array([1.0, 2.0, 3.0, np.nan]), bins=2)
    >>> e.tolist(), counts.tolist()
    ([2.0], [1, 2, 1])
    """
    if edges is None and check_binning(binning) == "quantile":
        return quantile_bins(values, check_bins(bins))
    chosen = choose_edges(name, values, bins, binning, edges)
    return chosen, numeric_counts(values, chosen)


@dataclass(frozen=True)
class EngineColumn:
    """A column as an engine describes it: its value type (``null`` when all
    missing; the :class:`SchemaError` saying why none holds it) and type name,
    and the engine's own handle on it."""

    name: str
    value: Any
    type_name: str
    handle: Any


class EnginePrimitives(Protocol):
    """What an engine computes in place for :func:`bin_stubs`."""

    def columns(self, wanted: list[str] | None) -> list[EngineColumn]:
        """The wanted columns (default: all), described."""

    def top_values(self, column: EngineColumn, top_k: int) -> dict[str, int]:
        """The ``top_k`` most frequent values and every value tied with the last."""

    def value_range(self, column: EngineColumn) -> tuple[float | None, float | None]:
        """The finite minimum and maximum (None, None without finite values)."""

    def quantile_edges(self, columns: list[EngineColumn], bins: int) -> dict[str, tuple]:
        """Each numeric column's quantile edges (finite values only)."""


def bin_stubs(
    engine: EnginePrimitives, columns: Sequence[EngineColumn], bins: int, top_k: int, binning: str
) -> dict[str, FeatureProfile]:
    """Every column's bins from the engine's primitives; the engine then counts
    the rows into them in one scan (``with_counts``)."""
    bins, top_k, binning = check_profiling(bins, top_k, binning)
    numeric = [c for c in columns if layout_of(c.value) == "numeric"]
    if binning == "quantile":
        edges = engine.quantile_edges(numeric, bins) if numeric else {}
    else:
        edges = {c.name: uniform_edges_between(*engine.value_range(c), bins) for c in numeric}
    stubs = {}
    for c in columns:
        if layout_of(c.value) == "numeric":
            stubs[c.name] = numeric_stub(c.name, edges[c.name], c.type_name, c.value)
        else:
            found = {} if c.value == NULL else engine.top_values(c, top_k)
            stubs[c.name] = categorical_profile(c.name, found, 0, top_k, c.type_name, c.value)
    return stubs
