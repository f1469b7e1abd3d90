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


@pytest.mark.parametrize(
    "cur,ref,expected",
    [
        ([5], [7], (0.0, 0, 1.0)),  # one bin: nothing to test
        ([0, 0], [0, 0], (0.0, 0, 1.0)),  # no bins left
        ([0, 0, 0], [1, 2, 3], (0.0, 2, 1.0)),  # an empty side
    ],
)
def test_g_test_degenerate_tables_exactly(cur, ref, expected):
    assert g_test(cur, ref) == expected


def test_g_test_keeps_bins_with_one_row_and_sides_with_one_row():
    # a bin holding a single row overall, and a current side of a single row
    for table in (np.array([[1, 10, 20], [0, 15, 12]]), np.array([[1, 0], [5, 5]])):
        g, df, p = g_test(table[0], table[1])
        kept = table[:, table.sum(axis=0) > 0]
        sg, _, sdf, _ = chi2_contingency(kept, lambda_="log-likelihood", correction=False)
        assert (g, df) == (pytest.approx(sg, rel=1e-12), sdf)
        assert p == pytest.approx(chi2.sf(sg / williams(kept), sdf), rel=1e-9)
        assert p < 1.0


def test_g_test_of_proportional_counts_is_zero():
    g, df, p = g_test([10, 20, 30], [20, 40, 60])
    assert abs(g) < 1e-12 and df == 2 and p == pytest.approx(1.0)


def test_williams_q_of_a_three_row_table():
    from airflow_kl.core.decision import williams_q

    table = np.array([[5, 9, 3, 7], [8, 2, 6, 4], [10, 1, 1, 9]])
    got = williams_q(table.sum(axis=1), table.sum(axis=0))
    assert got == pytest.approx(williams(table), rel=1e-14)


@pytest.mark.parametrize(
    "check,value,message",
    [
        ("check_alpha", 1, "alpha must be in (0, 1) or None, got 1"),
        ("check_alpha", 0, "alpha must be in (0, 1) or None, got 0"),
        ("check_alpha", "0.1", "alpha must be a number, got '0.1'"),
        ("check_drift_share", 0, "drift_share must be in (0, 1] or None, got 0"),
        ("check_drift_share", 1.0000001, "drift_share must be in (0, 1] or None, got 1.0000001"),
        ("check_drift_share", "1", "drift_share must be a number, got '1'"),
        ("check_min_rows", 0, "min_rows must be an integer >= 1, got 0"),
        ("check_min_rows", True, "min_rows must be an integer >= 1, got True"),
        ("check_threshold", -1e-9, "threshold must be a finite number >= 0, got -1e-09"),
    ],
)
def test_each_setting_is_refused_at_its_boundary_by_name(check, value, message):
    from airflow_kl.core import decision

    with pytest.raises(ConfigError) as info:
        getattr(decision, check)(value)
    assert str(info.value) == message


def test_each_setting_accepts_its_boundary():
    from airflow_kl.core.decision import check_alpha, check_drift_share, check_min_rows

    assert check_alpha(0.999999) == 0.999999 and check_alpha(1e-12) == 1e-12
    assert check_drift_share(1) == 1.0 and check_drift_share(1e-9) == 1e-9
    assert check_min_rows(1) == 1 and check_min_rows(np.int64(2)) == 2


def test_dataset_share_counts_judged_features_only():
    # 1 drifted of 2 judged (the insufficient one is not judged): 0.5 >= 0.5
    assert dataset_drifted(["drift", "ok", "insufficient_data"], drift_share=0.5) is True
    # 1 of 3 judged < 0.5, although 1 of 1 non-ok ...
    assert dataset_drifted(["drift", "ok", "ok", "insufficient_data"], drift_share=0.5) is False
    # a single judged feature that drifted is a share of 1
    assert dataset_drifted(["drift"], drift_share=1.0) is True


def test_a_side_with_no_rows_gives_p_one_without_dividing_by_zero():
    """Williams' q would divide by the empty side's row total (a RuntimeWarning,
    an error in these tests): the early return answers first."""
    assert g_test([0, 0, 0], [3, 4, 5]) == (0.0, 2, 1.0)
    assert g_test([3, 4, 5], [0, 0, 0]) == (0.0, 2, 1.0)
    assert g_test([0, 7, 0], [0, 2, 0]) == (0.0, 0, 1.0)  # one bin left
