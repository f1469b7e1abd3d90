"""Bin edges from reference values, and values to bin counts.

Numeric bins are left-closed with open tails: for edges ``e`` bin 0 holds
``x < e[0]``, bin ``i`` holds ``e[i-1] <= x < e[i]`` and the last value bin
holds ``x >= e[-1]``; one more bin, ``MISSING``, holds NaN. Categorical bins
are the reference's ``top_k`` values, then ``OTHER``, then ``MISSING``.

>>> edges = quantile_edges(np.arange(10.0), bins=4)
>>> edges.tolist()
[2.25, 4.5, 6.75]
>>> numeric_counts(np.array([-np.inf, 2.25, 3.0, 100.0, np.nan]), edges).tolist()
[1, 2, 0, 1, 1]
>>> top_categories({"b": 3, "a": 3, "c": 1}, top_k=2)
('a', 'b')
>>> categorical_counts({"a": 2, "z": 1}, missing=4, categories=("a", "b")).tolist()
[2, 0, 1, 4]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

from .errors import ConfigError

MISSING = "MISSING"
OTHER = "OTHER"


def check_bins(bins: int) -> int:
    """Validate a bin count: an integer of at least 1."""
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ConfigError(f"bins must be an integer >= 1, got {bins!r}")
    return int(bins)


def check_top_k(top_k: int) -> int:
    """Validate ``top_k``: an integer of at least 1."""
    if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or top_k < 1:
        raise ConfigError(f"top_k must be an integer >= 1, got {top_k!r}")
    return int(top_k)


def finite(values: np.ndarray) -> np.ndarray:
    """The finite values of a float array (drops NaN and +-inf)."""
    values = np.asarray(values, dtype=np.float64)
    return values[np.isfinite(values)]


def quantile_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """Unique interior quantiles of the finite values, all in one call.

    Ties collapse: a constant column gets one edge, an empty one none.

    >>> quantile_edges(np.array([5.0, 5.0, 5.0, np.nan]), bins=10).tolist()
    [5.0]
    >>> quantile_edges(np.array([np.nan]), bins=10).tolist()
    []
    """
    bins = check_bins(bins)
    x = finite(values)
    if x.size == 0 or bins == 1:
        return np.empty(0, dtype=np.float64)
    q = np.linspace(0.0, 1.0, bins + 1)[1:-1]
    return np.unique(np.quantile(x, q))


def uniform_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """Equal-width interior edges between the finite minimum and maximum.

    >>> uniform_edges(np.array([0.0, 10.0]), bins=5).tolist()
    [2.0, 4.0, 6.0, 8.0]
    """
    bins = check_bins(bins)
    x = finite(values)
    if x.size == 0 or bins == 1:
        return np.empty(0, dtype=np.float64)
    return np.unique(np.linspace(x.min(), x.max(), bins + 1)[1:-1])


def check_edges(edges: Iterable[float], name: str = "edges") -> np.ndarray:
    """Validate explicit edges: finite and strictly increasing."""
    try:
        e = np.asarray(list(edges), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name} must be numbers, got {edges!r}") from exc
    if e.ndim != 1 or not np.all(np.isfinite(e)):
        raise ConfigError(f"{name} must be finite numbers, got {e.tolist()!r}")
    if np.any(np.diff(e) <= 0):
        raise ConfigError(f"{name} must be strictly increasing, got {e.tolist()!r}")
    return e


COMPARE_MAX_EDGES = 64  # below this, one vectorised comparison per edge beats searchsorted


def numeric_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Counts per value bin plus a final MISSING bin (NaN), ``len(edges) + 2`` long.

    With few edges it counts ``x < e`` once per edge (NaN compares false, so it
    falls out by itself) and differences the cumulative counts: about ten
    times faster than ``searchsorted`` + ``bincount`` for the default 9 edges,
    and the same left-closed bins.

    >>> numeric_counts(np.array([0.0, 1.0, 1.5, 2.0, np.nan]), np.array([1.0, 2.0])).tolist()
    [1, 2, 1, 1]
    """
    x = np.asarray(values, dtype=np.float64)
    e = np.asarray(edges, dtype=np.float64)
    missing = int(np.count_nonzero(np.isnan(x)))
    if len(e) > COMPARE_MAX_EDGES:
        idx = np.searchsorted(e, x, side="right")
        idx[np.isnan(x)] = len(e) + 1
        return np.bincount(idx, minlength=len(e) + 2).astype(np.int64)
    below = np.array([np.count_nonzero(x < v) for v in e], dtype=np.int64)
    present = x.size - missing
    cumulative = np.concatenate([below, [present]])
    return np.concatenate([np.diff(cumulative, prepend=0), [missing]]).astype(np.int64)


def numeric_labels(edges: Iterable[float]) -> list[str]:
    """Readable labels of numeric bins, MISSING last.

    >>> numeric_labels([1.0, 2.5])
    ['< 1', '[1, 2.5)', '>= 2.5', 'MISSING']
    >>> numeric_labels([])
    ['all values', 'MISSING']
    """
    e = [f"{v:.6g}" for v in edges]
    if not e:
        return ["all values", MISSING]
    middle = [f"[{a}, {b})" for a, b in zip(e[:-1], e[1:], strict=True)]
    return [f"< {e[0]}", *middle, f">= {e[-1]}", MISSING]


def top_categories(value_counts: Mapping[str, int], top_k: int = 20) -> tuple[str, ...]:
    """The ``top_k`` most frequent values; ties broken by the value, ascending."""
    top_k = check_top_k(top_k)
    ranked = sorted(value_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(value for value, count in ranked[:top_k] if count > 0)


def categorical_counts(
    value_counts: Mapping[str, int], missing: int, categories: tuple[str, ...]
) -> np.ndarray:
    """Counts for each category, then OTHER (everything else), then MISSING."""
    position = {c: i for i, c in enumerate(categories)}
    counts = np.zeros(len(categories) + 2, dtype=np.int64)
    other = len(categories)
    for value, count in value_counts.items():
        counts[position.get(value, other)] += int(count)
    counts[-1] += int(missing)
    return counts


def categorical_labels(categories: Iterable[str]) -> list[str]:
    """Labels of categorical bins: the categories, OTHER, MISSING."""
    return [*categories, OTHER, MISSING]
