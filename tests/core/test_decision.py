import numpy as np
import pytest
from scipy.stats import chi2, chi2_contingency, false_discovery_control

from airflow_kl.core.decision import (
    correct_pvalues,
    dataset_drifted,
    feature_status,
    g_test,
)
from airflow_kl.core.errors import ConfigError


def williams(table):
    """Williams' q written out from Sokal & Rohlf (Biometry, 3rd ed., box 17.6)."""
    table = np.asarray(table, dtype=float)
    a, b = table.shape
    n = table.sum()
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    return 1 + (n * sum(n_i**-1 for n_i in rows) - 1) * (n * sum(c**-1 for c in cols) - 1) / (
        6 * n * (a - 1) * (b - 1)
    )


def test_g_test_matches_scipy_log_likelihood_with_williams():
    rng = np.random.default_rng(7)
    for _ in range(40):
        k = rng.integers(2, 20)
        table = rng.integers(1, 200, size=(2, k))
        g, df, p = g_test(table[0], table[1])
        # correction=False: scipy applies Yates' correction when df == 1
        sg, _, sdf, _ = chi2_contingency(table, lambda_="log-likelihood", correction=False)
        assert (g, df) == (pytest.approx(sg, rel=1e-12), sdf)
        assert p == pytest.approx(chi2.sf(sg / williams(table), sdf), rel=1e-9)


def test_williams_by_hand():
    # [[30, 70], [50, 50]]: N = 200, rows 100/100, cols 80/120
    # q = 1 + (200*(1/100+1/100) - 1) * (200*(1/80+1/120) - 1) / (6*200*1*1)
    #   = 1 + 3 * (19/6) / 1200 = 1 + 9.5/1200
    assert williams(np.array([[30, 70], [50, 50]])) == pytest.approx(1 + 9.5 / 1200)
    g, _, p = g_test([30, 70], [50, 50])
    assert p == pytest.approx(chi2.sf(g / (1 + 9.5 / 1200), 1), rel=1e-12)


def test_g_test_drops_empty_columns_and_handles_zero_cells():
    g, df, p = g_test([10, 0, 0, 5], [3, 0, 4, 8])
    table = np.array([[10, 0, 5], [3, 4, 8]])
    sg, _, sdf, _ = chi2_contingency(table, lambda_="log-likelihood", correction=False)
    assert df == sdf == 2
    assert g == pytest.approx(sg, rel=1e-12)
    assert p == pytest.approx(chi2.sf(sg / williams(table), 2), rel=1e-9)


@pytest.mark.parametrize("cur,ref", [([5, 0], [7, 0]), ([0, 0], [3, 4]), ([1, 2], [0, 0])])
def test_g_test_degenerate_is_p_one(cur, ref):
    assert g_test(cur, ref)[2] == 1.0


def test_holm_bonferroni_by_hand():
    p = [0.01, 0.04, 0.03, 0.5]
    # sorted 0.01, 0.03, 0.04, 0.5 -> *4, *3, *2, *1 -> 0.04, 0.09, 0.08->0.09, 0.5
    assert correct_pvalues(p, "holm").tolist() == pytest.approx([0.04, 0.09, 0.09, 0.5])
    assert correct_pvalues(p, "bonferroni").tolist() == pytest.approx([0.04, 0.16, 0.12, 1.0])
    assert correct_pvalues(p, "none").tolist() == p


def test_bh_matches_scipy():
    p = np.random.default_rng(3).uniform(size=30) ** 3
    assert correct_pvalues(p, "bh") == pytest.approx(false_discovery_control(p), rel=1e-12)


def test_bad_correction():
    with pytest.raises(ConfigError, match="'sidak'"):
        correct_pvalues([0.1], "sidak")


BASE = dict(n_current=500, n_reference=500, threshold=0.1, alpha=0.01, min_rows=100)


@pytest.mark.parametrize(
    "kl,p,overrides,expected",
    [
        (0.2, 0.001, {}, "drift"),
        (0.1, 0.001, {}, "drift"),  # KL == threshold drifts
        (0.0999, 0.001, {}, "ok"),
        (0.2, 0.01, {}, "ok"),  # p == alpha is not significant
        (0.2, 0.5, {"alpha": None}, "drift"),
        (0.2, 0.001, {"n_current": 99}, "insufficient_data"),
        (0.2, 0.001, {"n_reference": 10}, "insufficient_data"),
        (float("inf"), 0.9, {}, "drift"),
    ],
)
def test_feature_status_rules(kl, p, overrides, expected):
    assert feature_status(kl=kl, p_value=p, **{**BASE, **overrides}) == expected


def test_dataset_verdict_with_and_without_share():
    assert dataset_drifted(["ok", "ok"]) is False
    assert dataset_drifted(["ok", "drift", "insufficient_data"]) is True
    assert dataset_drifted(["drift", "ok", "insufficient_data"], drift_share=0.5) is True
    assert dataset_drifted(["drift", "ok", "ok"], drift_share=0.5) is False
    assert dataset_drifted(["insufficient_data"], drift_share=0.5) is False
