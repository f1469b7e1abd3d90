"""Exact quantiles of large columns, the same doubles as ``np.quantile``.

``np.quantile`` (linear interpolation, Hyndman & Fan type 7) reads two order
statistics per level, ``x[(n-1)q]`` rounded down and the next, found by a
partition of the whole column. Here one pass over the column maps every value
to one of a few thousand equal-width buckets (a monotone map: a smaller value
never lands in a later bucket) and counts them; the counts say which bucket
holds each wanted order statistic, and only those buckets' values are kept
and partitioned. The bucket range comes from a seeded random sample around
the wanted ranks, so the buckets there hold a few hundred values each; values
outside the range fall in the end buckets. Any range gives the same answer
(a degenerate one falls back to partitioning the column), so the sample
decides only the speed. The same counts give, for free, the number of values
below any edge (:meth:`Selection.count_below`): the profile's reference
counts. The interpolation repeats numpy's own arithmetic, and the tests
compare the two bit for bit.

>>> x = np.random.default_rng(0).normal(size=200_000)
>>> levels = np.linspace(0, 1, 11)[1:-1]
>>> bool(np.array_equal(linear_quantiles(x, levels), np.quantile(x, levels)))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SELECT_MIN = 1 << 16  # smaller columns: np.quantile's partition is as fast
SAMPLE = 1 << 15
MARGIN = 4.0  # the range's reach past the outer ranks, in standard deviations of a sample rank
BUCKETS = 1 << 14  # a bincount this long stays in cache


def linear_quantiles(
    x: np.ndarray, levels: np.ndarray, sample: int = SAMPLE, margin: float = MARGIN
) -> np.ndarray:
    """``np.quantile(x, levels)`` for a 1-D float64 array without NaN."""
    return selected_quantiles(x, levels, sample, margin)[0]


def selected_quantiles(
    x: np.ndarray, levels: np.ndarray, sample: int = SAMPLE, margin: float = MARGIN
) -> tuple[np.ndarray, Selection | None]:
    """:func:`linear_quantiles` and the :class:`Selection` that found them (None
    where ``np.quantile`` or ``np.partition`` did: short columns, no levels, a
    range that cannot be bucketed)."""
    x = np.asarray(x, dtype=np.float64)
    levels = np.asarray(levels, dtype=np.float64)
    n = x.size
    if n < SELECT_MIN or levels.size == 0:
        return np.quantile(x, levels), None
    ranks = needed_ranks(n, levels)
    found = select(x, ranks, *sample_range(x, ranks, sample, margin))
    values = np.partition(x, ranks)[ranks] if found is None else found.values
    at = dict(zip(ranks.tolist(), values.tolist(), strict=True))
    return from_order_statistics(n, levels, at), found


def _neighbours(n: int, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy's 'linear' virtual index ``(n - 1) q``: the ranks below and above
    it (0-based) and the fraction between them."""
    virtual = (n - 1) * np.asarray(levels, dtype=np.float64)
    below = np.floor(virtual)
    above = below + 1
    above[virtual >= n - 1] = n - 1
    return below, above, virtual - below


def needed_ranks(n: int, levels: np.ndarray) -> np.ndarray:
    """The 0-based order statistics that the linear quantiles at ``levels`` of
    ``n`` values read, sorted and unique (at most two per level).

    >>> needed_ranks(5, np.array([0.25, 0.5, 0.9])).tolist()
    [1, 2, 3, 4]
    """
    below, above, _ = _neighbours(n, levels)
    return np.unique(np.concatenate([below, above]).astype(np.intp))


def from_order_statistics(n: int, levels: np.ndarray, at: dict[int, float]) -> np.ndarray:
    """``np.quantile(x, levels)`` of ``n`` values from their order statistics
    ``{rank: value}`` at :func:`needed_ranks` (as a database returns them).

    >>> x = np.array([7.0, 1.0, 3.0, 10.0, 4.0])
    >>> ranks = needed_ranks(5, np.array([0.3, 0.5]))
    >>> from_order_statistics(5, np.array([0.3, 0.5]), {int(r): np.sort(x)[r] for r in ranks})
    array([3.2, 4. ])
    >>> np.quantile(x, [0.3, 0.5])
    array([3.2, 4. ])
    """
    below, above, t = _neighbours(n, levels)
    a = np.array([at[int(r)] for r in below], dtype=np.float64)
    b = np.array([at[int(r)] for r in above], dtype=np.float64)
    return _lerp(a, b, t)


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation between neighbours (``numpy.lib._function_base_impl._lerp``)."""
    diff_b_a = b - a
    out = np.add(a, diff_b_a * t)
    np.subtract(b, diff_b_a * (1 - t), out=out, where=t >= 0.5)
    return out


def sample_range(
    x: np.ndarray, ranks: np.ndarray, sample: int, margin: float
) -> tuple[float, float]:
    """A range ``[low, high]`` likely to hold the order statistics of ``ranks``,
    ``margin`` standard deviations of a sample rank past the outer ones, from a
    seeded random sample of ``x``. Only speed depends on it."""
    n = x.size
    drawn = np.sort(x[np.random.default_rng(0).integers(0, n, size=sample)])
    p = np.array([ranks[0], ranks[-1]]) / (n - 1)
    spread = margin * np.sqrt(sample * p * (1 - p)) + 2
    lo = int(np.clip(np.floor(p[0] * (sample - 1) - spread[0]), 0, sample - 1))
    hi = int(np.clip(np.ceil(p[1] * (sample - 1) + spread[1]), 0, sample - 1))
    return float(drawn[lo]), float(drawn[hi])


@dataclass(frozen=True)
class Selection:
    """The order statistics found by :func:`select`, and what it counted on the
    way: values per bucket and the values of the buckets kept."""

    values: np.ndarray
    low: float
    scale: float
    start: np.ndarray  # values in earlier buckets, per bucket
    counts: np.ndarray  # values per bucket
    kept: np.ndarray  # the values of the kept buckets
    kept_bucket: np.ndarray  # and their buckets

    def count_below(self, v: float) -> int | None:
        """How many values are ``< v``, or None when ``v`` falls in a bucket
        that holds values but was not kept (then the caller counts).

        >>> x = np.arange(100.0)
        >>> found = select(x, np.array([10, 50]), 0.0, 99.0, size=10)
        >>> found.values.tolist(), found.count_below(10.5), found.count_below(50.0)
        ([10.0, 50.0], 11, 50)
        >>> found.count_below(80.0) is None
        True
        """
        at = np.array([v], dtype=np.float64)
        w = int(buckets_of(at, self.low, self.scale, self.counts.size)[0])
        if self.counts[w] == 0:
            return int(self.start[w])
        inside = self.kept[self.kept_bucket == w]
        if inside.size == 0:
            return None
        return int(self.start[w]) + int(np.count_nonzero(inside < v))


def buckets_of(x: np.ndarray, low: float, scale: float, size: int) -> np.ndarray:
    """Bucket numbers ``0 .. size - 1`` of finite ``x``: ``(x - low) * scale``
    rounded down and clipped, a monotone map (each step rounds monotonically),
    so ``x <= y`` puts ``y`` in the same bucket or a later one.

    >>> buckets_of(np.array([-5.0, 0.0, 0.99, 1.0, 3.5, 1e308]), 0.0, 1.0, 3).tolist()
    [0, 0, 0, 1, 2, 2]
    """
    with np.errstate(over="ignore"):  # past the float range: +-inf, clipped
        b = np.subtract(x, low)
        b *= scale
    np.clip(b, 0, size - 1, out=b)
    return b.astype(np.intp)


def select(
    x: np.ndarray, ranks: np.ndarray, low: float, high: float, size: int = BUCKETS
) -> Selection | None:
    """The order statistics of sorted unique ``ranks`` of finite ``x``, by
    ``size`` equal-width buckets over ``[low, high]``: one pass maps and counts,
    a second keeps the values of the buckets that hold the ranks. None when the
    range cannot be bucketed (empty, infinite or too narrow to scale); any
    other range gives the exact values, so where it comes from decides only
    the speed.

    >>> x = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    >>> select(x, np.array([1, 3]), 2.0, 4.0, size=2).values.tolist()
    [2.0, 4.0]
    >>> select(x, np.array([0]), 3.0, 3.0) is None
    True
    """
    scale = size / (high - low) if high > low else 0.0
    if not (np.isfinite(low) and np.isfinite(scale) and scale > 0):
        return None
    b = buckets_of(x, low, scale, size)
    counts = np.bincount(b, minlength=size)
    start = np.cumsum(counts) - counts
    which = np.searchsorted(start, ranks, side="right") - 1  # the bucket holding each rank
    wanted = np.zeros(size, dtype=bool)
    wanted[which] = True
    at = np.flatnonzero(wanted[b])
    kept, kept_bucket = x[at], b[at]
    values = np.empty(len(ranks), dtype=np.float64)
    for w in np.unique(which):
        inside = kept[kept_bucket == w]
        kth = ranks[which == w] - start[w]
        values[which == w] = np.partition(inside, kth)[kth]
    return Selection(values, low, scale, start, counts, kept, kept_bucket)
