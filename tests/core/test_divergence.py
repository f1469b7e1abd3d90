import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr

from airflow_kl.core.divergence import divergences, smoothed
from airflow_kl.core.errors import ConfigError, SchemaError

counts = st.lists(st.integers(0, 10_000), min_size=1, max_size=30)


def scipy_reference(cur, ref, alpha=0.5):
    cur, ref = np.asarray(cur, float), np.asarray(ref, float)
    keep = (cur > 0) | (ref > 0)
    c, r = cur[keep], ref[keep]
    k = c.size
    p = (c + alpha) / (c.sum() + k * alpha)
    q = (r + alpha) / (r.sum() + k * alpha)
    return p, q


def test_hand_worked_two_bins():
    # p = (30.5, 70.5)/101, q = (50.5, 50.5)/101 = (0.5, 0.5)
    d = divergences([30, 70], [50, 50])
    p = np.array([30.5, 70.5]) / 101
    expected = p[0] * math.log(p[0] / 0.5) + p[1] * math.log(p[1] / 0.5)
    assert d.kl == pytest.approx(expected, rel=1e-14)
    assert d.kl == pytest.approx(0.0806143854, rel=1e-9)
    assert d.tv == pytest.approx(abs(p[0] - 0.5), rel=1e-14)


def test_matches_scipy_on_random_tables():
    rng = np.random.default_rng(1)
    for _ in range(50):
        k = rng.integers(2, 25)
        cur = rng.integers(0, 50, k)
        ref = rng.integers(0, 50, k)
        d = divergences(cur, ref)
        p, q = scipy_reference(cur, ref)
        assert d.kl == pytest.approx(rel_entr(p, q).sum(), rel=1e-12)
        assert d.js == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9, abs=1e-15)
        assert d.psi == pytest.approx(((p - q) * np.log(p / q)).sum(), rel=1e-12)
        hell = np.sqrt(0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum())
        assert d.hellinger == pytest.approx(hell, rel=1e-12)
        rev = divergences(cur, ref, direction="reference||current", base="bits")
        assert rev.kl == pytest.approx(rel_entr(q, p).sum() / math.log(2), rel=1e-12)


def test_bins_empty_on_both_sides_are_dropped():
    with_empty = divergences([5, 0, 7, 0], [3, 0, 9, 0])
    without = divergences([5, 7], [3, 9])
    assert with_empty.kl == pytest.approx(without.kl, rel=1e-15)
    assert with_empty.kept.tolist() == [True, False, True, False]
    assert with_empty.contributions[[1, 3]].tolist() == [0.0, 0.0]


def test_zero_smoothing_and_empty_reference_bin_is_infinite():
    d = divergences([5, 5], [10, 0], smoothing=0)
    assert math.isinf(d.kl) and d.kl > 0
    assert math.isinf(d.contributions[1])
    # the other direction stays finite: 0 * ln(0/x) = 0
    assert math.isfinite(divergences([10, 0], [5, 5], smoothing=0).kl)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.5", True])
def test_bad_smoothing_names_the_value(bad):
    with pytest.raises(ConfigError, match="smoothing"):
        divergences([1, 2], [2, 1], smoothing=bad)


def test_bad_direction_and_base():
    with pytest.raises(ConfigError, match="direction"):
        divergences([1], [1], direction="sideways")
    with pytest.raises(ConfigError, match="base"):
        divergences([1], [1], base="decibels")


@given(counts, st.data())
def test_kl_non_negative_and_contributions_sum(cur, data):
    ref = data.draw(st.lists(st.integers(0, 10_000), min_size=len(cur), max_size=len(cur)))
    d = divergences(cur, ref)
    assert d.kl >= -1e-12
    assert d.js >= -1e-12 and d.psi >= -1e-12
    assert 0 <= d.tv <= 1 + 1e-12
    assert d.contributions.sum() == pytest.approx(d.kl, abs=1e-12)


@given(counts)
def test_identical_counts_give_zero(cur):
    d = divergences(cur, cur)
    assert d.kl == pytest.approx(0, abs=1e-15)
    assert d.psi == pytest.approx(0, abs=1e-15)


def test_smoothed_shares_sum_to_one():
    p, q, _ = smoothed([0, 3, 9], [1, 0, 0], smoothing=0.5)
    assert p.sum() == pytest.approx(1) and q.sum() == pytest.approx(1)
    assert q.tolist() == pytest.approx([1.5 / 2.5, 0.5 / 2.5, 0.5 / 2.5])


def test_js_in_bits_is_js_in_nats_over_ln2():
    cur, ref = [30, 70, 5], [50, 50, 20]
    nats, bits = divergences(cur, ref), divergences(cur, ref, base="bits")
    p, q = scipy_reference(cur, ref)
    assert bits.js == pytest.approx(jensenshannon(p, q, base=2) ** 2, rel=1e-9)
    assert bits.js == pytest.approx(nats.js / math.log(2), rel=1e-12)
    assert bits.kl == pytest.approx(nats.kl / math.log(2), rel=1e-12)


def test_the_smoothed_vectors_are_reported():
    d = divergences([30, 0, 70], [50, 0, 50])
    assert d.p.tolist() == pytest.approx([30.5 / 101, 70.5 / 101], rel=1e-15)
    assert d.q.tolist() == pytest.approx([0.5, 0.5], rel=1e-15)


def test_default_smoothing_is_one_half():
    p, q, kept = smoothed(np.array([1, 3]), np.array([0, 4]))
    assert p.tolist() == pytest.approx([1.5 / 5, 3.5 / 5], rel=1e-15)
    assert q.tolist() == pytest.approx([0.5 / 5, 4.5 / 5], rel=1e-15)


def test_mismatched_count_vectors_are_named():
    with pytest.raises(SchemaError) as info:
        smoothed(np.array([1, 2]), np.array([1, 2, 3]))
    assert str(info.value) == "count vectors differ in length: 2 current bins, 3 reference"


def test_an_empty_side_without_smoothing_has_no_shares_and_no_error():
    """(check_drift judges such a feature insufficient before it gets here)"""
    d = divergences([0, 0], [3, 4], smoothing=0)
    assert np.isnan(d.p).all() and d.q.tolist() == pytest.approx([3 / 7, 4 / 7])
    assert math.isnan(d.kl) and math.isnan(d.js) and math.isnan(d.tv)


def test_bits_and_direction_apply_to_the_information_measures_only():
    """KL and JS (and each bin's KL term) are divided by ln 2 in bits and follow
    the direction; PSI, Hellinger and TV are neither."""
    cur, ref = [30, 70, 5], [50, 40, 20]
    nats = divergences(cur, ref)
    bits = divergences(cur, ref, base="bits")
    for name in ("kl", "js"):
        assert getattr(bits, name) == pytest.approx(getattr(nats, name) / math.log(2), rel=1e-14)
    for name in ("psi", "hellinger", "tv"):
        assert getattr(bits, name) == getattr(nats, name)
    assert bits.contributions == pytest.approx(nats.contributions / math.log(2), rel=1e-14)
    back = divergences(cur, ref, direction="reference||current")
    p, q = scipy_reference(cur, ref)
    assert back.kl == pytest.approx(rel_entr(q, p).sum(), rel=1e-14)
    assert back.contributions == pytest.approx(rel_entr(q, p), rel=1e-14)
    assert back.contributions.sum() == pytest.approx(back.kl, rel=1e-14)
    assert (back.psi, back.tv) == (nats.psi, nats.tv)  # symmetric measures: no direction


def test_a_measure_not_in_the_list_is_named_in_the_error():
    with pytest.raises(AttributeError, match="^chi2$"):
        _ = divergences([1, 2], [2, 1]).chi2
