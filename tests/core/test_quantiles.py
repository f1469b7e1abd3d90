"""Exact quantiles by bucketed selection: the very doubles np.quantile gives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_kl.core.binning import numeric_counts, quantile_bins, quantile_edges, quantile_levels
from airflow_kl.core.quantiles import (
    SELECT_MIN,
    buckets_of,
    linear_quantiles,
    sample_range,
    select,
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
    """margin 0 narrows the bucket range to the outer ranks' sample values, so
    those ranks often fall in the end buckets with everything outside."""
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
def test_a_sampled_range_finds_the_partition_order_statistics(sample):
    x = np.random.default_rng(3).normal(size=200_000)
    ranks = np.array([0, 1, 5, 99_999, 100_000, 199_998, 199_999])
    found = select(x, ranks, *sample_range(x, ranks, sample, 4.0))
    assert found is not None and np.array_equal(found.values, np.sort(x)[ranks])
    assert x[0] == np.random.default_rng(3).normal(size=1)[0]  # the input is left as it was


def test_a_constant_column_is_partitioned():
    """No range to bucket (the sample's values are all one): np.partition."""
    x = np.full(SELECT_MIN + 5, 3.25)
    ranks = np.array([0, 7, SELECT_MIN])
    assert select(x, ranks, *sample_range(x, ranks, 100, 4.0)) is None
    assert linear_quantiles(x, np.array([0.1, 0.5])).tolist() == [3.25, 3.25]


def test_values_past_the_float_range_clip_without_a_warning():
    """(x - low) * scale overflows to inf for values near the largest double;
    clipped into the last bucket, silently (warnings are errors here)."""
    with np.errstate(over="raise"):
        buckets = buckets_of(np.array([1.7e308, -1.7e308, 0.0]), -1.7e308, 1.0, 4)
    assert buckets.tolist() == [3, 0, 3]


def test_small_columns_and_no_levels():
    x = np.array([3.0, 1.0, 2.0])
    assert linear_quantiles(x, np.array([0.5])).tolist() == [2.0]
    assert linear_quantiles(np.arange(SELECT_MIN * 2.0), np.array([])).tolist() == []


ENDS = st.one_of(
    st.integers(-22, 22).map(lambda v: v / 2),
    st.sampled_from([-np.inf, np.inf, np.nan, -1e308, 1e308, 5e-324]),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(-20, 20), min_size=1, max_size=300),
    low=ENDS,
    high=ENDS,
    size=st.integers(1, 40),
    data=st.data(),
)
def test_any_range_gives_the_exact_order_statistics_or_none(values, low, high, size, data):
    """Whatever the bucket range (the sample only decides it: reversed, empty,
    infinite, too narrow or too wide to scale) and however many buckets, the
    answer is the exact order statistics or None (then the caller partitions
    everything). So no change to sample_range can change a quantile, only the
    time it takes."""
    x = np.array(values, dtype=float) / 2  # ties on purpose
    x[::7] *= 1e300  # values far outside any range, in the end buckets
    ranks = np.array(sorted(set(data.draw(st.lists(st.integers(0, x.size - 1), min_size=1)))))
    found = select(x, ranks, low, high, size)
    degenerate = not (np.isfinite(low) and np.isfinite(high) and high > low)
    if degenerate:
        assert found is None
    elif found is not None:
        assert found.values.tolist() == np.sort(x)[ranks].tolist()
        assert found.counts.sum() == x.size


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(-20, 20), min_size=1, max_size=300),
    size=st.integers(1, 40),
    data=st.data(),
)
def test_counts_below_are_exact_or_none(values, size, data):
    """The counts a selection gives for any value are the values below it, or
    None where its bucket was not kept; below an edge between two neighbouring
    order statistics it always knows."""
    x = np.array(values, dtype=float)
    ordered = np.sort(x)
    ranks = np.array(sorted(set(data.draw(st.lists(st.integers(0, x.size - 1), min_size=1)))))
    found = select(x, ranks, -20.0, 20.0, size)
    assert found is not None
    for v in [*data.draw(st.lists(st.integers(-44, 44).map(lambda v: v / 2))), -np.inf, np.inf]:
        below = found.count_below(v)
        assert below is None or below == np.count_nonzero(x < v)
    for r in ranks[ranks + 1 < x.size]:
        if r + 1 in ranks:
            a, b = ordered[r], ordered[r + 1]
            assert found.count_below(a + (b - a) / 2) == np.count_nonzero(x < a + (b - a) / 2)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=2, max_size=50))
def test_the_bucket_map_never_puts_a_smaller_value_later(values):
    """Monotone, for any values (huge, tiny, subnormal), so the values of a
    bucket sit between those of the buckets around it."""
    x = np.sort(np.array(values))
    low, high = float(np.quantile(x, 0.2)), float(np.quantile(x, 0.8))
    scale = 100 / (high - low) if high > low else 0.0
    if np.isfinite(scale) and scale > 0:  # as select() guards it: a range past
        buckets = buckets_of(x, low, scale, 100)  # the floats' (inf wide) is not bucketed
        assert np.all(np.diff(buckets) >= 0)
        assert buckets.min() >= 0 and buckets.max() <= 99


@settings(max_examples=40, deadline=None)
@given(
    shape=st.sampled_from(sorted(SHAPES)),
    n=st.integers(SELECT_MIN, 3 * SELECT_MIN),
    bins=st.integers(2, 80),
    seed=st.integers(0, 2**32 - 1),
    nan=st.integers(0, 3),
    infinite=st.integers(0, 3),
)
def test_quantile_bins_are_the_edges_and_their_counts(shape, n, bins, seed, nan, infinite):
    """Counted by the selection (or, where it did not keep an edge's bucket,
    by comparison): the counts numeric_counts gives, with NaN and infinities
    in the column."""
    rng = np.random.default_rng(seed)
    x = SHAPES[shape](rng, n)
    x[rng.integers(0, n, nan)] = np.nan
    x[rng.integers(0, n, infinite)] = np.inf
    x[rng.integers(0, n, 2 * infinite)] = -np.inf  # more of them: the two are told apart
    edges, counts = quantile_bins(x, bins)
    assert np.array_equal(edges, quantile_edges(x, bins))
    assert counts.tolist() == numeric_counts(x, edges).tolist()


def test_a_rank_in_an_end_bucket_is_found():
    """Values outside the range go to the end buckets; a rank among them is
    found there, with the others of its bucket."""
    x = np.arange(100.0)
    found = select(x, np.array([3, 50, 97]), 40.0, 60.0, size=4)
    assert found is not None and found.values.tolist() == [3.0, 50.0, 97.0]
    assert found.counts.tolist() == [45, 5, 5, 45]
    assert found.count_below(10.0) == 10 and found.count_below(55.5) == 56
    assert found.count_below(47.0) is None  # bucket 1 holds 45 to 49, not kept


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


def test_quantile_bins_count_from_the_selection_alone(monkeypatch):
    """A long column's counts come from the selection's bucket counts: no
    second pass (numeric_counts is not called), and the same counts."""
    rng = np.random.default_rng(8)
    x = rng.normal(size=SELECT_MIN * 2)
    x[:30], x[30:40], x[40:45] = np.nan, -np.inf, np.inf
    expected = numeric_counts(x, quantile_edges(x, 10)).tolist()

    def second_pass(*_):
        raise AssertionError("counted again")

    monkeypatch.setattr("airflow_kl.core.binning.numeric_counts", second_pass)
    edges, counts = quantile_bins(x, 10)
    assert counts.tolist() == expected and counts.sum() == x.size


def test_quantile_bins_count_again_where_the_selection_does_not_know(monkeypatch):
    """An edge whose bucket holds values the selection did not keep: counted
    by comparison, the same counts."""
    from airflow_kl.core.quantiles import Selection

    x = np.random.default_rng(9).normal(size=SELECT_MIN * 2)
    expected = numeric_counts(x, quantile_edges(x, 10)).tolist()
    known = Selection.count_below
    calls = []

    def unknown_once(self, v):
        calls.append(v)
        return None if len(calls) == 3 else known(self, v)

    monkeypatch.setattr(Selection, "count_below", unknown_once)
    assert quantile_bins(x, 10)[1].tolist() == expected
    assert len(calls) == 9


@pytest.mark.parametrize("n", [1, 2, 3])
def test_few_values_read_only_ranks_they_have(n):
    """With n values every level reads ranks 0 .. n-1 only (a database is asked
    for those order statistics and nothing else): one value is every quantile."""
    from airflow_kl.core.quantiles import from_order_statistics, needed_ranks

    levels = quantile_levels(10)
    ranks = needed_ranks(n, levels)
    assert ranks.tolist() == list(range(n))
    x = np.array([7.5, -1.0, 3.0][:n])
    at = {int(r): float(np.sort(x)[r]) for r in ranks}
    assert from_order_statistics(n, levels, at).tolist() == np.quantile(x, levels).tolist()
