"""Exact quantiles by bracketed selection: the very doubles np.quantile gives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_kl.core.binning import quantile_edges, quantile_levels
from airflow_kl.core.quantiles import (
    SELECT_MIN,
    bracketed_order_statistics,
    linear_quantiles,
    order_statistics,
)

SHAPES = {
    "normal": lambda rng, n: rng.normal(size=n),
    "sorted": lambda rng, n: np.sort(rng.normal(size=n)),
    "reversed": lambda rng, n: np.sort(rng.normal(size=n))[::-1].copy(),
    "few values": lambda rng, n: rng.integers(0, 4, n).astype(float),
    "constant": lambda rng, n: np.full(n, -2.5),
    "heavy tail": lambda rng, n: rng.standard_cauchy(n) * 1e300,
    "mostly zero": lambda rng, n: np.where(rng.random(n) < 0.999, 0.0, rng.normal(size=n)),
    "periodic": lambda rng, n: np.tile(np.arange(7.0), n // 7 + 1)[:n],
}


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from(sorted(SHAPES)),
    n=st.integers(SELECT_MIN, 3 * SELECT_MIN),
    bins=st.integers(2, 40),
    seed=st.integers(0, 2**32 - 1),
    margin=st.sampled_from([0.0, 0.5, 4.0]),
)
def test_same_doubles_as_numpy(shape, n, bins, seed, margin):
    """margin 0 makes brackets miss their order statistics (the fallback path)."""
    x = SHAPES[shape](np.random.default_rng(seed), n)
    levels = quantile_levels(bins)
    got = linear_quantiles(x, levels, margin=margin)
    assert np.array_equal(got, np.quantile(x, levels))


def test_a_million_values_match_numpy_and_edges_are_unchanged():
    x = np.random.default_rng(7).lognormal(size=1_000_000)
    levels = quantile_levels(10)
    assert np.array_equal(linear_quantiles(x, levels), np.quantile(x, levels))
    assert np.array_equal(quantile_edges(x, 10), np.unique(np.quantile(x, levels)))


@pytest.mark.parametrize("sample", [2, 100, 1 << 15])
def test_order_statistics_are_partition_order_statistics(sample):
    x = np.random.default_rng(3).normal(size=200_000)
    ranks = np.array([0, 1, 5, 99_999, 100_000, 199_998, 199_999])
    expected = np.sort(x)[ranks]
    assert np.array_equal(order_statistics(x, ranks, sample=sample), expected)
    assert x[0] == np.random.default_rng(3).normal(size=1)[0]  # the input is left as it was


def test_small_columns_and_no_levels():
    x = np.array([3.0, 1.0, 2.0])
    assert linear_quantiles(x, np.array([0.5])).tolist() == [2.0]
    assert linear_quantiles(np.arange(SELECT_MIN * 2.0), np.array([])).tolist() == []


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(-20, 20), min_size=1, max_size=300),
    data=st.data(),
)
def test_any_intervals_give_the_exact_order_statistics_or_none(values, data):
    """Whatever the intervals (the sample only decides them: unsorted,
    overlapping, empty, infinite), the answer is the exact order statistics or
    None (then the caller partitions everything). So no change to
    sample_brackets can change a quantile, only the time it takes."""
    x = np.array(values, dtype=float) / 2  # ties on purpose
    n = x.size
    ranks = np.array(sorted(set(data.draw(st.lists(st.integers(0, n - 1), min_size=1)))))
    ends = st.one_of(st.integers(-22, 22).map(lambda v: v / 2), st.sampled_from([-np.inf, np.inf]))
    pairs = data.draw(st.lists(st.tuples(ends, ends), min_size=1, max_size=6))
    low, high = (np.array(side, dtype=float) for side in zip(*pairs, strict=True))
    found = bracketed_order_statistics(x, ranks, low, high)
    if found is not None:
        assert found.tolist() == np.sort(x)[ranks].tolist()


def test_unsorted_intervals_are_sorted_before_they_are_merged():
    """Taken in the order given, the first two intervals were not merged and the
    values of 6.5 and 6.0 were counted twice: np.partition was asked for a rank
    past the values kept."""
    x = np.array([6.5, 6.0])
    low, high = np.array([-2.5, 9.0, 5.0]), np.array([6.0, -5.0, 10.5])
    assert bracketed_order_statistics(x, np.array([0, 1]), low, high).tolist() == [6.0, 6.5]


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.integers(-20, 20), min_size=1, max_size=300),
    data=st.data(),
)
def test_intervals_around_the_order_statistics_find_them(values, data):
    x = np.array(values, dtype=float)
    ordered = np.sort(x)
    ranks = np.array(sorted(set(data.draw(st.lists(st.integers(0, x.size - 1), min_size=1)))))
    width = data.draw(st.integers(0, 3))
    low, high = ordered[ranks] - width, ordered[ranks] + data.draw(st.integers(0, 3))
    found = bracketed_order_statistics(x, ranks, low, high)
    assert found is not None and found.tolist() == ordered[ranks].tolist()


def test_a_rank_just_past_an_interval_is_a_miss():
    x = np.arange(10.0)  # rank r holds r
    assert bracketed_order_statistics(x, np.array([4]), np.array([2.0]), np.array([3.0])) is None
    assert bracketed_order_statistics(x, np.array([3]), np.array([2.0]), np.array([3.0])) == [3.0]
    assert bracketed_order_statistics(x, np.array([1]), np.array([2.0]), np.array([3.0])) is None
    # two intervals with values between them: ranks 1 and 7, then 2 and 8 (misses)
    low, high = np.array([0.5, 6.5]), np.array([1.5, 7.5])
    assert bracketed_order_statistics(x, np.array([1, 7]), low, high).tolist() == [1.0, 7.0]
    assert bracketed_order_statistics(x, np.array([2]), low, high) is None
    assert bracketed_order_statistics(x, np.array([8]), low, high) is None


def test_overlapping_intervals_merge():
    from airflow_kl.core.quantiles import _merged

    starts, ends = _merged(np.array([0.0, 1.0, 5.0, 5.5]), np.array([2.0, 3.0, 6.0, 5.6]))
    assert starts.tolist() == [0.0, 5.0] and ends.tolist() == [3.0, 6.0]
    starts, ends = _merged(np.array([0.0, 4.0]), np.array([1.0, 9.0]))
    assert starts.tolist() == [0.0, 4.0] and ends.tolist() == [1.0, 9.0]


def test_interpolation_is_numpys_to_the_last_bit():
    """numpy interpolates two neighbours a, b as a + (b - a) t below t = 0.5 and
    b - (b - a)(1 - t) from 0.5 on; on a two-value array np.quantile(q) uses t = q."""
    from airflow_kl.core.quantiles import _lerp

    rng = np.random.default_rng(5)
    a = rng.normal(size=2000) * 10.0 ** rng.integers(-5, 5, 2000)
    b = a + rng.exponential(size=2000) * 10.0 ** rng.integers(-5, 5, 2000)
    t = np.concatenate([rng.random(1990), [0.5] * 5, [0.4999999999, 0.5000000001, 0.0, 0.75, 1.0]])
    got = _lerp(a, b, t)
    expected = np.array([np.quantile(np.array([u, v]), w) for u, v, w in zip(a, b, t, strict=True)])
    assert np.array_equal(got, expected)
    below, above = a + (b - a) * t, b - (b - a) * (1 - t)
    assert np.any(below != above)  # the two forms differ, so the choice is tested


def test_the_extreme_levels():
    x = np.random.default_rng(2).normal(size=SELECT_MIN + 1)
    levels = np.array([0.0, 0.5, 1.0])
    assert np.array_equal(linear_quantiles(x, levels), np.quantile(x, levels))
    assert linear_quantiles(x, levels).tolist()[::2] == [x.min(), x.max()]


def test_interpolation_at_exactly_one_half():
    """At t = 0.5 numpy takes b - (b - a) / 2; find pairs where that differs from
    a + (b - a) / 2 and check both the interpolation and a whole quantile."""
    from airflow_kl.core.quantiles import _lerp

    rng = np.random.default_rng(9)
    a = rng.normal(size=100_000)
    b = a + rng.exponential(size=100_000) * 10.0 ** rng.integers(-8, 3, 100_000)
    t = np.full(a.size, 0.5)
    differ = (a + (b - a) * t) != (b - (b - a) * (1 - t))
    assert differ.sum() > 100
    assert np.array_equal(_lerp(a[differ], b[differ], t[differ]), b[differ] - (b - a)[differ] * 0.5)
    u, v = a[differ][0], b[differ][0]
    x = np.concatenate(
        [np.full(SELECT_MIN // 2 - 1, u - 1), [u, v], np.full(SELECT_MIN // 2 - 1, v + 1)]
    )
    assert x.size % 2 == 0  # the median sits halfway between the two middle values
    assert linear_quantiles(x, np.array([0.5])).tolist() == np.quantile(x, [0.5]).tolist()
    assert linear_quantiles(x, np.array([0.5]))[0] == v - (v - u) * 0.5


def test_intervals_around_the_order_statistics_of_a_long_column_find_them():
    """Longer than one scan block, so the counts below each interval add up
    across blocks."""
    from airflow_kl.core.quantiles import BLOCK

    x = np.random.default_rng(4).normal(size=3 * BLOCK + 17)
    ordered = np.sort(x)
    ranks = np.array([5, BLOCK, 2 * BLOCK + 3, x.size - 2])
    low, high = ordered[ranks - 3], ordered[ranks + 1]
    found = bracketed_order_statistics(x, ranks, low, high)
    assert found is not None and found.tolist() == ordered[ranks].tolist()
