"""Each rule docs/statistics.md states, pinned by data on which that rule and
its nearest wrong variants disagree: multi-letter values whose code-point,
case-folded and natural orders differ; a tie at the top_k boundary whose
first-seen value is the later one; values exactly on an edge; a correction
family that excludes a feature."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2

import airflow_kl as ak
from airflow_kl.core.compare import compare_counts


def categorical(values: list, top_k: int, current: list | None = None):
    frame = pd.DataFrame({"v": pd.Series(values, dtype=object)})
    profile = ak.build_profile(frame, top_k=top_k)
    fp = profile.features["v"]
    if current is None:
        return fp, None
    counts = ak.count_bins(profile, pd.DataFrame({"v": pd.Series(current, dtype=object)}))["v"]
    return fp, counts.tolist()


def test_categories_are_the_most_frequent_first_ties_by_code_point():
    """Count descending, then the value by code point: 'Alpha' < 'alpha' < 'b10'
    < 'b9'. Sorting by value alone, case-folding or natural order each differ."""
    values = ["beta"] * 5 + ["b9"] * 3 + ["b10"] * 3 + ["alpha"] * 3 + ["Alpha"] * 3
    fp, _ = categorical(values, top_k=4)
    assert fp.categories == ("beta", "Alpha", "alpha", "b10")


def test_a_tie_at_the_top_k_boundary_keeps_the_smaller_value_only():
    """'ab' is seen first and ties with 'aa' for the last place: 'aa' is kept,
    and exactly top_k categories are (ties do not widen the list)."""
    values = ["x"] * 5 + ["ab"] * 3 + ["aa"] * 3
    fp, _ = categorical(values, top_k=2)
    assert fp.categories == ("x", "aa")
    assert fp.counts == (5, 3, 3, 0)  # x, aa, OTHER (ab), MISSING


def test_other_holds_values_beyond_top_k_and_unseen_ones_before_missing():
    values = ["a"] * 4 + ["b"] * 3 + ["c"] * 2 + [None]
    fp, counts = categorical(values, top_k=2, current=["a", "c", "new", "zz", None, None, "b"])
    assert fp.labels == ["a", "b", "OTHER", "MISSING"]
    assert fp.counts == (4, 3, 2, 1)
    assert counts == [1, 1, 3, 2]  # c, new and zz in OTHER; two missing


def test_missing_is_none_nan_and_nat_never_infinity():
    ref = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]})
    profile = ak.build_profile(ref, bins=2)  # one edge: the median, 2.5
    assert profile.features["x"].edges == (2.5,)
    current = pd.DataFrame({"x": pd.Series([None, math.nan, -math.inf, math.inf, 3.0])})
    assert ak.count_bins(profile, current)["x"].tolist() == [1, 2, 2]  # -inf | inf, 3 | two missing
    stamps = pd.DataFrame({"t": pd.to_datetime(["2024-01-01", "2024-01-03", None, None])})
    assert ak.build_profile(stamps, features=["t"], bins=2).features["t"].counts == (1, 1, 2)


def test_numeric_bins_are_left_closed_a_value_on_an_edge_goes_right():
    """Reference 1, 2, 2, 3 has median 2: a current 2.0 is in [2, inf), not
    in (-inf, 2) as it would be with right-closed bins."""
    profile = ak.build_profile(pd.DataFrame({"x": [1.0, 2.0, 2.0, 3.0]}), bins=2)
    fp = profile.features["x"]
    assert fp.edges == (2.0,)
    assert fp.counts == (1, 3, 0)
    got = ak.count_bins(profile, pd.DataFrame({"x": [2.0, np.nextafter(2.0, 0), 1e300]}))
    assert got["x"].tolist() == [1, 2, 0]


def test_quantile_edges_are_numpys_linear_quantiles_of_finite_values_deduplicated():
    ref = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 7.0, math.inf, -math.inf, math.nan])
    fp = ak.build_profile(pd.DataFrame({"x": ref}), bins=4).features["x"]
    finite = ref[np.isfinite(ref)]
    expected = np.unique(np.quantile(finite, [0.25, 0.5, 0.75]))
    assert fp.edges == tuple(expected.tolist()) == (0.0, 0.75)  # with the infinities: (0, 2.5)


def test_the_correction_family_is_the_judged_features_only():
    """Three features, one with too few current rows: Bonferroni multiplies by
    2, the judged ones, not 3; the insufficient one keeps its raw p-value."""
    rng = np.random.default_rng(3)
    ref = pd.DataFrame({n: rng.normal(size=1000) for n in "abc"})
    profile = ak.build_profile(ref, bins=4)
    counts = {
        "a": [250, 250, 230, 270, 0],
        "b": [240, 260, 250, 250, 0],
        "c": [10, 20, 10, 10, 0],  # 50 rows < min_rows
    }
    report = compare_counts(profile, counts, ak.CheckSettings(correction="bonferroni"))
    for name in "ab":
        f = report.features[name]
        table = np.array([profile.features[name].counts[:4], counts[name][:4]])
        expected_raw = g_test_williams(table)
        assert f.p_value_raw == pytest.approx(expected_raw, rel=1e-9)
        assert f.p_value == pytest.approx(min(1.0, 2 * expected_raw), rel=1e-9)
    c = report.features["c"]
    assert c.status == "insufficient_data" and c.p_value == c.p_value_raw


def g_test_williams(table: np.ndarray) -> float:
    """The G-test of homogeneity with Williams' correction, from its formula."""
    n, rows, cols = table.sum(), table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, cols) / n
    g = 2 * np.sum(table * np.log(table / expected))
    r, c = table.shape
    q = 1 + (n * np.sum(1 / rows) - 1) * (n * np.sum(1 / cols) - 1) / (6 * n * (r - 1) * (c - 1))
    return float(chi2.sf(g / q, (r - 1) * (c - 1)))
