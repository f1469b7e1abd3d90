"""Deliberate bugs that once left every test green, each now caught by name."""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
import pytest

from airflow_kl.core.binning import COMPARE_MAX_EDGES, numeric_counts
from airflow_kl.core.compare import compare_counts
from airflow_kl.core.decision import feature_status
from airflow_kl.core.profile import FeatureProfile, Profile
from airflow_kl.core.settings import CheckSettings


def reference_counts(values, edges):
    """Left-closed bins by Python's bisect, independent of the numpy kernel."""
    counts = [0] * (len(edges) + 2)
    for v in values:
        if np.isnan(v):
            counts[-1] += 1
        else:
            counts[bisect_right(edges, v)] += 1
    return counts


@pytest.mark.parametrize("n_edges", [9, COMPARE_MAX_EDGES, COMPARE_MAX_EDGES + 1, 120])
def test_values_on_the_edges_land_right_of_them_with_any_number_of_edges(n_edges):
    edges = np.arange(n_edges, dtype=np.float64) * 1.5
    values = np.concatenate([edges, edges - 1e-9, [np.nan, -np.inf, np.inf, edges[-1] + 7]])
    got = numeric_counts(values, edges).tolist()
    assert got == reference_counts(values.tolist(), edges.tolist())
    assert got[1] == 2  # e[0] itself and e[1] - 1e-9 share bin 1; e[1] opens bin 2


def test_min_rows_is_inclusive():
    common = dict(kl=1.0, p_value=1e-9, threshold=0.1, alpha=0.01, min_rows=100)
    assert feature_status(n_current=100, n_reference=100, **common) == "drift"
    assert feature_status(n_current=99, n_reference=100, **common) == "insufficient_data"
    assert feature_status(n_current=100, n_reference=99, **common) == "insufficient_data"


def _profile_and_counts():
    """Three shifted features with raw p = 0.0017, 0.0036, 0.0048 (n = 1000 each)
    and one whose reference has 50 rows (insufficient at min_rows = 100)."""
    feature = lambda name, counts: FeatureProfile(name, "numeric", counts, edges=(0.0,))  # noqa: E731
    profile = Profile(
        {
            "a": feature("a", (500, 500, 0)),
            "b": feature("b", (500, 500, 0)),
            "c": feature("c", (500, 500, 0)),
            "d": feature("d", (25, 25, 0)),
        }
    )
    current = {"a": [570, 430, 0], "b": [565, 435, 0], "c": [563, 437, 0], "d": [900, 100, 0]}
    return profile, current


def test_holm_and_bonferroni_differ_and_correct_over_judged_features_only():
    profile, current = _profile_and_counts()
    holm = compare_counts(profile, current, CheckSettings(threshold=0, correction="holm"))
    bonf = compare_counts(profile, current, CheckSettings(threshold=0, correction="bonferroni"))
    raw = {n: holm.features[n].p_value_raw for n in "abc"}
    assert raw["a"] < raw["b"] < raw["c"] < 0.005
    # by hand, over the three judged features (m = 3), never the insufficient d
    assert bonf.features["a"].p_value == pytest.approx(3 * raw["a"], rel=1e-12)
    assert bonf.features["c"].p_value == pytest.approx(3 * raw["c"], rel=1e-12)
    step = max(3 * raw["a"], 2 * raw["b"])
    assert holm.features["b"].p_value == pytest.approx(step, rel=1e-12)
    assert holm.features["c"].p_value == pytest.approx(max(step, raw["c"]), rel=1e-12)
    assert [bonf.features[n].status for n in "abcd"] == ["drift", "ok", "ok", "insufficient_data"]
    assert [holm.features[n].status for n in "abcd"] == [
        "drift",
        "drift",
        "drift",
        "insufficient_data",
    ]
    assert holm.features["d"].p_value == holm.features["d"].p_value_raw  # not corrected
