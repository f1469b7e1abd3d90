"""Exact quantiles of large columns, the same doubles as ``np.quantile``.

``np.quantile`` (linear interpolation, Hyndman & Fan type 7) reads two order
statistics per level, ``x[(n-1)q]`` rounded down and the next, found by a
partition of the whole column. Here a seeded random sample brackets each of
them: one comparison pass counts the values below the bracket and keeps the
few inside it, and only those are partitioned. A bracket that misses its
order statistic (rare by construction: ``margin`` standard deviations of the
sample's rank) falls back to partitioning the column, so the result never
depends on the sample. The interpolation repeats numpy's own arithmetic, and
the tests compare the two bit for bit.

>>> x = np.random.default_rng(0).normal(size=200_000)
>>> levels = np.linspace(0, 1, 11)[1:-1]
>>> bool(np.array_equal(linear_quantiles(x, levels), np.quantile(x, levels)))
True
"""

from __future__ import annotations

import numpy as np

SELECT_MIN = 1 << 16  # smaller columns: np.quantile's partition is as fast
SAMPLE = 1 << 15
MARGIN = 4.0  # bracket half-width, in standard deviations of a sample rank
BLOCK = 1 << 15  # values scanned at a time: a block's comparisons stay in cache


def linear_quantiles(
    x: np.ndarray, levels: np.ndarray, sample: int = SAMPLE, margin: float = MARGIN
) -> np.ndarray:
    """``np.quantile(x, levels)`` for a 1-D float64 array without NaN."""
    x = np.asarray(x, dtype=np.float64)
    levels = np.asarray(levels, dtype=np.float64)
    n = x.size
    if n < SELECT_MIN or levels.size == 0:
        return np.quantile(x, levels)
    ranks = needed_ranks(n, levels)
    values = order_statistics(x, ranks, sample, margin)
    return from_order_statistics(n, levels, dict(zip(ranks.tolist(), values.tolist(), strict=True)))


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


def order_statistics(
    x: np.ndarray, ranks: np.ndarray, sample: int = SAMPLE, margin: float = MARGIN
) -> np.ndarray:
    """``np.partition(x, ranks)[ranks]`` for sorted unique ``ranks``, without
    partitioning all of ``x`` when a sample brackets them."""
    low, high = sample_brackets(x, ranks, sample, margin)
    found = bracketed_order_statistics(x, ranks, low, high)
    return np.partition(x, ranks)[ranks] if found is None else found


def sample_brackets(
    x: np.ndarray, ranks: np.ndarray, sample: int, margin: float
) -> tuple[np.ndarray, np.ndarray]:
    """Intervals ``[low, high]``, sorted by ``low``, likely to hold the order
    statistics of ``ranks``: each spans ``margin`` standard deviations of the
    rank of a seeded random sample of ``x``. Only speed depends on them."""
    n = x.size
    drawn = np.sort(x[np.random.default_rng(0).integers(0, n, size=sample)])
    p = ranks / (n - 1)
    spread = margin * np.sqrt(sample * p * (1 - p)) + 2
    lo = np.floor(p * (sample - 1) - spread).astype(np.intp)
    hi = np.ceil(p * (sample - 1) + spread).astype(np.intp)
    low = np.where(lo <= 0, -np.inf, drawn[np.clip(lo, 0, sample - 1)])
    high = np.where(hi >= sample - 1, np.inf, drawn[np.clip(hi, 0, sample - 1)])
    return low, high


def bracketed_order_statistics(
    x: np.ndarray, ranks: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray | None:
    """The order statistics of ``ranks`` found inside the intervals ``[low,
    high]``, or None when an interval misses its rank. Any intervals give the
    exact values or None (unsorted, overlapping, empty or infinite ones too), so
    where the brackets come from decides only the speed.

    >>> x = np.array([5.0, 1.0, 4.0, 2.0, 3.0])
    >>> bracketed_order_statistics(x, np.array([1, 3]), np.array([3.5, 1.5]), np.array([4.5, 2.5]))
    array([2., 4.])
    >>> bracketed_order_statistics(x, np.array([0]), np.array([1.5]), np.array([2.5])) is None
    True
    """
    order = np.argsort(low)
    starts, ends = _merged(low[order], high[order])
    kept, before = _scan(x, starts, ends)
    held = np.array(
        [np.count_nonzero((kept >= s) & (kept <= e)) for s, e in zip(starts, ends, strict=True)]
    )
    offset = np.cumsum(held) - held  # kept values in earlier intervals
    which = np.searchsorted(before, ranks, side="right") - 1
    if np.any(which < 0) or np.any(ranks >= before[which] + held[which]):
        return None
    kth = ranks - before[which] + offset[which]
    return np.partition(kept, kth)[kth]


def _scan(x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The values inside any ``[start, end]`` (in ``x``'s order) and the count of
    values below each start, in one pass of cache-sized blocks (twice as fast
    as whole-array masks, which stream the column once per comparison)."""
    kept, before = [], np.zeros(len(starts), dtype=np.int64)
    block, part = np.empty(BLOCK, dtype=bool), np.empty(BLOCK, dtype=bool)
    for i in range(0, x.size, BLOCK):
        chunk = x[i : i + BLOCK]
        inside, one = block[: chunk.size], part[: chunk.size]
        inside[:] = False
        for j, (start, end) in enumerate(zip(starts, ends, strict=True)):
            np.less(chunk, start, out=one)
            before[j] += np.count_nonzero(one)
            np.logical_not(one, out=one)
            one &= chunk <= end
            inside |= one
        kept.append(chunk[inside])
    return np.concatenate(kept), before


def _merged(low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Closed intervals ``[low, high]`` (sorted by ``low``) merged where they
    overlap (an empty one, ``high < low``, holds no value and stays apart).

    >>> _merged(np.array([0.0, 1.0, 5.0]), np.array([2.0, 0.0, 6.0]))
    (array([0., 5.]), array([2., 6.]))
    """
    starts, ends = [low[0]], [high[0]]
    for start, end in zip(low[1:], high[1:], strict=True):
        if start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return np.array(starts), np.array(ends)
