"""Exact quantiles by bracketed selection: the very doubles np.quantile gives."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airflow_kl.core.binning import quantile_edges, quantile_levels
from airflow_kl.core.quantiles import SELECT_MIN, linear_quantiles, order_statistics

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
