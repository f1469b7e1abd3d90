"""Calibration of pairs at the defaults: A/A false alarms, a butterfly caught, and a
feature that drifts alone leaving its pair alone (seeded)."""

import pytest

from tests.reliability.calibration import bivariate, pair_drift_rates
from tests.reliability.test_calibration import noise


@pytest.mark.parametrize("rho", [0.0, 0.6])
@pytest.mark.parametrize("n,runs", [(100, 2000), (1_000, 300), (20_000, 60)])
def test_aa_splits_rarely_flag_a_pair(rho, n, runs):
    draw = bivariate(rho)
    pairs, _ = pair_drift_rates(draw, draw, n, runs, seed=n + int(10 * rho))
    assert pairs <= 0.01 + noise(0.01, runs), pairs


def test_a_butterfly_is_caught_on_the_pair_and_on_no_feature():
    """The marginals stay; the correlation goes from +0.6 to -0.6."""
    pairs, features = pair_drift_rates(bivariate(0.6), bivariate(-0.6), 10_000, 100, seed=9)
    assert pairs >= 0.95, pairs
    assert features <= 0.01 + noise(0.01, 100), features


def test_a_feature_that_drifts_alone_leaves_its_pair_alone():
    """a moves by 0.5 sd in an independent pair: a drifts, the pair does not."""
    pairs, features = pair_drift_rates(bivariate(0.0), bivariate(0.0, 0.5), 10_000, 200, seed=10)
    assert features >= 0.95, features
    assert pairs <= 0.01 + noise(0.01, 200), pairs
