"""The one bin specification: edges from reference values, values to bin counts.

Numeric bins are left-closed with open tails: for edges ``e`` bin 0 holds
``x < e[0]``, bin ``i`` holds ``e[i-1] <= x < e[i]`` and the last value bin
holds ``x >= e[-1]``; one more bin, ``MISSING``, holds NaN. Categorical bins
are the reference's ``top_k`` values, then ``OTHER``, then ``MISSING``.

These rules are written once, here. The numpy kernel below applies them to
arrays; SQL and Spark render them from an engine's :class:`BinOps` as
tallies, one simple condition per edge or category, whose counts give the
bins (:func:`bin_tallies`, :func:`counts_from_tallies`; the numpy kernel
counts the same tallies).

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

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np

from .errors import ConfigError, SchemaError
from .quantiles import Selection, selected_quantiles

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


def check_feature_names(features: object) -> list[str] | None:
    """The ``features`` a profile is built for: None (the default choice) or a
    non-empty list of names."""
    if features is None:
        return None
    if isinstance(features, str) or not features:
        raise ConfigError(f"features must be a non-empty list of names, got {features!r}")
    return list(features)


def value_array(values: Any) -> np.ndarray:
    """A column's values as a 1-D float64 array; None reads as NaN (MISSING).

    >>> value_array([1, None, 2.5]).tolist()
    [1.0, nan, 2.5]
    >>> value_array(3.0)
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: values must be a 1-D sequence of numbers, got 3.0
    """
    try:
        x = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"values must be a 1-D sequence of numbers, got {values!r:.80}") from None
    if x.ndim != 1:
        raise ConfigError(f"values must be a 1-D sequence of numbers, got {values!r:.80}")
    return x


def finite(values: np.ndarray) -> np.ndarray:
    """The finite values as float64 (drops NaN and +-inf).

    >>> finite([3, 1, float("nan")]).tolist(), finite([3, 1]).tolist()
    ([3.0, 1.0], [3.0, 1.0])
    """
    values = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(values)
    return values if keep.all() else values[keep]


def quantile_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """Unique interior quantiles of the finite values: ``np.quantile`` (linear),
    found by :func:`~airflow_kl.core.quantiles.linear_quantiles`.

    Ties collapse: a constant column gets one edge, an empty one none.

    >>> quantile_edges(np.array([5.0, 5.0, 5.0, np.nan]), bins=10).tolist()
    [5.0]
    >>> quantile_edges(np.array([np.nan]), bins=10).tolist()
    []
    """
    return _selected_edges(finite(values), bins)[0]


def quantile_bins(values: np.ndarray, bins: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """``quantile_edges(values, bins)`` and ``numeric_counts(values, edges)``
    at once: the selection that finds the edges has counted the values below
    each of them on the way, so the counts cost no second pass where it did.

    >>> edges, counts = quantile_bins(np.array([-np.inf, 1.0, 2.0, 3.0, np.nan]), bins=2)
    >>> edges.tolist(), counts.tolist()
    ([2.0], [2, 2, 1])
    """
    x = value_array(values)
    keep = np.isfinite(x)
    every = bool(keep.all())
    edges, found = _selected_edges(x if every else x[keep], bins)
    below = [] if found is None else [found.count_below(float(e)) for e in edges]
    counted = [b for b in below if b is not None]
    if found is None or len(counted) < len(edges):
        return edges, numeric_counts(x, edges)
    missing = 0 if every else int(np.count_nonzero(np.isnan(x)))
    lowest = 0 if every else int(np.count_nonzero(x == -np.inf))  # below every edge
    tallies = [missing, *(b + lowest for b in counted)]
    return edges, counts_from_tallies(tallies, x.size, "numeric")


def _selected_edges(x: np.ndarray, bins: int) -> tuple[np.ndarray, Selection | None]:
    """Edges of finite float64 ``x`` and the selection that found them."""
    q = quantile_levels(bins)
    if x.size == 0 or q.size == 0:
        return np.empty(0), None  # float64
    quantiles, found = selected_quantiles(x, q)
    return np.unique(quantiles), found


def quantile_levels(bins: int) -> np.ndarray:
    """The interior quantile levels every engine computes edges at.

    >>> quantile_levels(4).tolist()
    [0.25, 0.5, 0.75]
    """
    return np.linspace(0.0, 1.0, check_bins(bins) + 1)[1:-1]


def edges_from_quantiles(values: Iterable[float] | None) -> tuple[float, ...]:
    """Edges from an engine's quantiles of the finite values: sorted, ties collapsed.

    >>> edges_from_quantiles([2.0, 1.0, 2.0])
    (1.0, 2.0)
    >>> edges_from_quantiles(None)
    ()
    """
    if values is None:
        return ()
    return tuple(np.unique(np.asarray(list(values), dtype=np.float64)).tolist())


def uniform_edges(values: np.ndarray, bins: int = 10) -> np.ndarray:
    """Equal-width interior edges between the finite minimum and maximum.

    >>> uniform_edges(np.array([0.0, 10.0]), bins=5).tolist()
    [2.0, 4.0, 6.0, 8.0]
    """
    x = finite(values)
    if x.size == 0:
        return uniform_edges_between(None, None, bins)
    return uniform_edges_between(float(x.min()), float(x.max()), bins)


def uniform_edges_between(lo: float | None, hi: float | None, bins: int) -> np.ndarray:
    """Equal-width interior edges between the finite minimum ``lo`` and maximum ``hi``
    (None when there is no finite value); engines compute ``lo``/``hi`` themselves.

    >>> uniform_edges_between(0.0, 1.0, 4).tolist()
    [0.25, 0.5, 0.75]
    """
    bins = check_bins(bins)
    if lo is None or hi is None or bins == 1:
        return np.empty(0)  # float64
    return np.unique(np.linspace(float(lo), float(hi), bins + 1)[1:-1])


def check_edges(edges: Iterable[float], name: str = "edges") -> np.ndarray:
    """Validate edges (explicit, or a profile's): a sequence of finite,
    strictly increasing numbers, as float64."""
    if isinstance(edges, (str, bytes)):
        raise ConfigError(f"{name} must be numbers, got {edges!r}")
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
    x, e = value_array(values), check_edges(edges)
    if len(e) > COMPARE_MAX_EDGES:
        return np.bincount(numeric_bin_index(x, e), minlength=len(e) + 2).astype(np.int64)
    missing = int(np.count_nonzero(np.isnan(x)))
    below = [int(np.count_nonzero(x < v)) for v in e]
    return counts_from_tallies([missing, *below], x.size, "numeric")


def numeric_bin_index(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Each value's bin by the rules of :func:`numeric_counts`: the number of
    edges at or below it (one comparison per edge, as there; ``searchsorted``
    past ``COMPARE_MAX_EDGES``), and ``len(edges) + 1`` (MISSING) for NaN. What a
    grouped count bins its rows by before one ``bincount`` of (group, bin).

    >>> numeric_bin_index(np.array([0.0, 1.0, 1.5, 2.0, np.nan]), np.array([1.0, 2.0])).tolist()
    [0, 1, 1, 2, 3]
    """
    x, e = value_array(values), check_edges(edges)
    if len(e) > COMPARE_MAX_EDGES:
        index = np.searchsorted(e, x, side="right")
    else:
        index = np.zeros(x.size, dtype=np.uint8)  # at most COMPARE_MAX_EDGES + 1
        at_or_above = np.empty(x.size, dtype=bool)
        for v in e:
            index += np.greater_equal(x, v, out=at_or_above)  # NaN: False
    index[np.isnan(x)] = len(e) + 1
    return index


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


class BinOps(Protocol):
    """How an engine writes the conditions of one feature's tallies.

    ``x`` is the feature's value in canonical form (float64 for numeric bins,
    the canonical string for categorical ones); each method returns an
    engine expression (a SQLAlchemy clause, a Spark column).
    """

    def missing(self) -> Any: ...  # NULL/None, and NaN for numbers
    def less(self, edge: float) -> Any: ...  # x < edge
    def equals(self, category: str) -> Any: ...  # x == category


def bin_tallies(
    ops: BinOps, edges: Sequence[float] | None = None, categories: Sequence[str] | None = None
) -> list[Any]:
    """The conditions whose row counts (tallies) give every bin, for engines
    that count fastest with one simple condition per aggregate: ``missing``,
    then ``x < e`` for each edge (cumulative) or ``x == c`` for each category.
    With the row count, :func:`counts_from_tallies` turns them into the bins:
    one condition fewer than bins, and each a single comparison. NaN compares
    false in numpy and sorts above every edge in SQL and Spark, so ``x < e``
    never holds for it; it is counted as missing.

    >>> class Show:
    ...     def missing(self): return "missing"
    ...     def less(self, e): return f"x < {e}"
    ...     def equals(self, c): return f"x = {c!r}"
    >>> bin_tallies(Show(), edges=[1, 2])
    ['missing', 'x < 1.0', 'x < 2.0']
    >>> bin_tallies(Show(), categories=["a"])
    ['missing', "x = 'a'"]
    """
    if categories is None:
        return [ops.missing(), *(ops.less(float(e)) for e in edges or ())]
    return [ops.missing(), *(ops.equals(c) for c in categories)]


def counts_from_tallies(tallies: Sequence[int], rows: int, kind: str) -> np.ndarray:
    """Bin counts (value bins, [OTHER,] MISSING) from :func:`bin_tallies`' counts
    over ``rows`` rows; ``kind`` is ``numeric`` or ``categorical``.

    >>> counts_from_tallies([1, 2, 5], rows=9, kind="numeric").tolist()  # 2 below 1, 5 below 2
    [2, 3, 3, 1]
    >>> counts_from_tallies([1, 4, 2], rows=9, kind="categorical").tolist()  # a, b, OTHER
    [4, 2, 2, 1]
    """
    missing, *counted = (int(v or 0) for v in tallies)
    present = rows - missing
    if kind == "numeric":
        values = np.diff([0, *counted, present])
    else:
        values = np.array([*counted, present - sum(counted)])
    if np.any(values < 0):
        raise ValueError(f"tallies {list(tallies)} do not fit {rows} rows")
    return np.append(values, missing).astype(np.int64)


def unpack_tallies(
    kinds: Mapping[str, str], sizes: Mapping[str, int], row: Sequence[Any]
) -> dict[str, np.ndarray]:
    """Every feature's bin counts from one aggregate row: each feature's tallies
    (``sizes[name]`` of them, in order), then the row count last.

    >>> kinds, sizes = {"x": "numeric", "c": "categorical"}, {"x": 3, "c": 3}
    >>> out = unpack_tallies(kinds, sizes, [1, 3, 6, 0, 4, 2, 9])
    >>> {k: v.tolist() for k, v in out.items()}
    {'x': [3, 3, 2, 1], 'c': [4, 2, 3, 0]}
    >>> {k: v.tolist() for k, v in unpack_tallies(kinds, sizes, [None] * 6 + [0]).items()}
    {'x': [0, 0, 0, 0], 'c': [0, 0, 0, 0]}
    """
    *tallies, rows = row
    return {
        name: counts_from_tallies(counts, int(rows), kinds[name])
        for name, counts in unpack_counts(sizes, tallies).items()
    }


def unpack_counts(sizes: Mapping[str, int], row: Sequence[Any]) -> dict[str, np.ndarray]:
    """Split one aggregate row (every feature's bin counts, in order) per feature.

    >>> {k: v.tolist() for k, v in unpack_counts({"a": 2, "b": 3}, [1, None, 4, 5, 6]).items()}
    {'a': [1, 0], 'b': [4, 5, 6]}
    """
    if len(row) != sum(sizes.values()):
        raise ValueError(f"expected {sum(sizes.values())} counts, got {len(row)}")
    out, i = {}, 0
    for name, size in sizes.items():
        out[name] = np.array([int(v or 0) for v in row[i : i + size]], dtype=np.int64)
        i += size
    return out


def require_columns(available: Iterable[str], wanted: Iterable[str], what: str = "data") -> None:
    """Refuse data that lacks a wanted column, listing what it has."""
    have = list(available)
    missing = [c for c in wanted if c not in have]
    if missing:
        raise SchemaError(
            f"{what} lacks column(s) {', '.join(map(repr, missing))}; "
            f"it has: {', '.join(have) or 'no columns'}"
        )
