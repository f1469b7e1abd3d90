"""compare_counts, the one place verdicts are made: every field of the report
against independent calculations (scipy, hand-worked), and its JSON form."""

import json
import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon
from scipy.special import rel_entr
from scipy.stats import chi2, chi2_contingency

from airflow_kl.core.compare import compare_counts, profiled_features
from airflow_kl.core.errors import ConfigError, SchemaError
from airflow_kl.core.profile import FeatureProfile, Profile
from airflow_kl.core.results import DriftReport, json_number, parse_number
from airflow_kl.core.settings import CheckSettings

from .test_decision import williams

PROFILE = Profile(
    {
        "x": FeatureProfile("x", "numeric", counts=(300, 400, 300, 0), edges=(0.0, 1.0)),
        "city": FeatureProfile(
            "city", "categorical", counts=(500, 300, 150, 50), categories=("a", "b")
        ),
    }
)
CURRENT = {"x": [100, 300, 600, 0], "city": [480, 310, 160, 50]}


def shares(counts, alpha=0.5):
    c = np.asarray(counts, float)
    c = c[c > -1]
    return (c + alpha) / (c.sum() + c.size * alpha)


def test_every_field_of_a_feature_result_is_the_independent_value():
    report = compare_counts(PROFILE, CURRENT, CheckSettings())
    x = report.features["x"]
    kept = [0, 1, 2]  # the MISSING bin is empty on both sides
    cur, ref = np.array(CURRENT["x"])[kept], np.array(PROFILE.features["x"].counts)[kept]
    p, q = shares(cur), shares(ref)
    assert x.name == "x" and x.kind == "numeric"
    assert x.kl == pytest.approx(rel_entr(p, q).sum(), rel=1e-12)
    assert x.js == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-9)
    assert x.psi == pytest.approx(((p - q) * np.log(p / q)).sum(), rel=1e-12)
    assert x.hellinger == pytest.approx(math.sqrt(0.5 * ((p**0.5 - q**0.5) ** 2).sum()), rel=1e-12)
    assert x.tv == pytest.approx(0.5 * abs(p - q).sum(), rel=1e-12)
    table = np.vstack([cur, ref])
    g, _, df, _ = chi2_contingency(table, lambda_="log-likelihood", correction=False)
    assert x.g_statistic == pytest.approx(g, rel=1e-12)
    raw = chi2.sf(g / williams(table), df)
    assert x.p_value_raw == pytest.approx(raw, rel=1e-9)
    assert (x.n_reference, x.n_current, x.threshold) == (1000, 1000, 0.1)
    assert [(b.label, b.reference_count, b.current_count) for b in x.bins] == [
        ("< 0", 300, 100),
        ("[0, 1)", 400, 300),
        (">= 1", 300, 600),
        ("MISSING", 0, 0),
    ]
    contributions = [b.contribution for b in x.bins]
    assert contributions[:3] == pytest.approx((p * np.log(p / q)).tolist(), rel=1e-12)
    assert contributions[3] == 0.0
    city = report.features["city"]
    assert city.kind == "categorical"
    assert [b.label for b in city.bins] == ["a", "b", "OTHER", "MISSING"]
    # Holm over the two judged features: the smaller raw p is doubled
    raws = sorted([x.p_value_raw, city.p_value_raw])
    assert min(x.p_value, city.p_value) == pytest.approx(min(2 * raws[0], 1.0), rel=1e-12)
    assert max(x.p_value, city.p_value) == pytest.approx(max(2 * raws[0], raws[1]), rel=1e-12)
    assert x.status == "drift" and city.status == "ok"
    assert report.drifted is True and report.drifted_features == ["x"]
    assert report.profile_checksum == PROFILE.checksum and report.profile_checksum


def test_exactly_min_rows_is_judged_and_corrected_with_the_others():
    """A feature with exactly min_rows rows on each side is judged: it is part of
    the Holm family (m = 2), so the other feature's p-value is doubled."""
    tiny = FeatureProfile("t", "numeric", counts=(50, 50, 0), edges=(0.0,))
    profile = Profile({"x": PROFILE.features["x"], "t": tiny})
    counts = {"x": CURRENT["x"], "t": [60, 40, 0]}
    report = compare_counts(profile, counts, CheckSettings(min_rows=100))
    t, x = report.features["t"], report.features["x"]
    assert t.status != "insufficient_data" and t.n_current == t.n_reference == 100
    assert x.p_value == pytest.approx(min(2 * x.p_value_raw, 1.0), rel=1e-12)
    below = compare_counts(profile, counts, CheckSettings(min_rows=101))
    assert below.features["t"].status == "insufficient_data"
    assert below.features["x"].p_value == below.features["x"].p_value_raw  # family of one


def test_drift_share_reaches_the_dataset_verdict():
    report = compare_counts(PROFILE, CURRENT, CheckSettings(drift_share=0.75))
    assert report.drifted_features == ["x"] and report.drifted is False
    assert report.settings["drift_share"] == 0.75


def test_errors_name_the_feature():
    with pytest.raises(SchemaError) as info:
        compare_counts(PROFILE, {"x": CURRENT["x"]}, CheckSettings())
    assert str(info.value) == "no current counts for feature 'city'"
    with pytest.raises(ConfigError) as info:
        profiled_features(PROFILE, ["x", "nope", "other"])
    assert str(info.value) == "feature 'nope' is not in the profile; profiled: x, city"
    with pytest.raises(ConfigError) as info:
        profiled_features(PROFILE, "x")
    assert str(info.value) == "features must be a list of names, got 'x'"
    assert profiled_features(PROFILE, None) == ["x", "city"]
    assert profiled_features(PROFILE, ("city",)) == ["city"]


def test_a_subset_is_judged_alone():
    report = compare_counts(PROFILE, {"city": CURRENT["city"]}, CheckSettings(), ["city"])
    assert list(report.features) == ["city"]
    city = report.features["city"]
    assert city.p_value == city.p_value_raw  # a family of one


def test_report_json_round_trip_and_shape():
    report = compare_counts(PROFILE, CURRENT, CheckSettings())
    data = json.loads(report.to_json())
    assert data["drifted"] is True and data["drifted_features"] == ["x"]
    assert set(data["features"]["x"]) == {
        "kind", "kl", "js", "psi", "hellinger", "tv", "g_statistic", "p_value",
        "p_value_raw", "threshold", "status", "n_reference", "n_current", "bins",
    }  # fmt: skip
    assert data["features"]["x"]["bins"][0] == {
        "label": "< 0",
        "reference_count": 300,
        "current_count": 100,
        "contribution": report.features["x"].bins[0].contribution,
    }
    again = DriftReport.from_dict(data)
    assert again == report
    bare = DriftReport.from_dict({"features": {}, "drifted": 0})
    assert (bare.drifted, bare.settings, bare.profile_checksum) == (False, {}, "")


def test_infinities_and_nan_in_strict_json():
    assert [json_number(v) for v in (math.inf, -math.inf, math.nan, 0.0, None)] == [
        "inf",
        "-inf",
        "nan",
        0.0,
        None,
    ]
    assert json_number(-1e-300) == -1e-300 and json_number(5) == 5.0
    assert parse_number("-inf") == -math.inf and parse_number(None) is None
    assert math.isnan(parse_number("nan"))
    infinite = compare_counts(
        Profile({"x": FeatureProfile("x", "numeric", counts=(10, 0, 0), edges=(0.0,))}),
        {"x": [5, 5, 0]},
        CheckSettings(smoothing=0),
    )
    text = infinite.to_json()
    assert json.loads(text)["features"]["x"]["kl"] == "inf"
    assert DriftReport.from_dict(json.loads(text)).features["x"].kl == math.inf


def test_the_text_table_sorts_by_kl_and_formats_each_number():
    report = compare_counts(PROFILE, CURRENT, CheckSettings())
    x = report.features["x"]
    p, q = shares(np.array(CURRENT["x"][:3])), shares(np.array([300, 400, 300]))
    kl, js = rel_entr(p, q).sum(), jensenshannon(p, q) ** 2
    psi = ((p - q) * np.log(p / q)).sum()
    assert x.p_value < 1e-4  # printed in scientific notation
    city = report.features["city"]
    assert report.table().splitlines() == [
        "feature  kind             KL      JS     PSI  p_value  n_ref  n_cur  status",
        f"x        numeric      {kl:.4f}  {js:.4f}  {psi:.4f}  {x.p_value:.1e}"
        "   1000   1000  drift ",
        f"city     categorical  {city.kl:.4f}  {city.js:.4f}  {city.psi:.4f}   "
        f"{city.p_value:.4f}   1000   1000  ok    ",
        "dataset: DRIFT in x",
    ]
    assert city.kl < x.kl and city.p_value >= 1e-4


def test_the_text_table_of_an_infinite_kl_and_no_drift():
    profile = Profile(
        {
            "a": FeatureProfile("a", "numeric", counts=(10, 0, 0), edges=(0.0,)),
            "b": FeatureProfile("b", "numeric", counts=(500, 500, 0), edges=(0.0,)),
        }
    )
    settings = CheckSettings(smoothing=0, min_rows=1)
    report = compare_counts(profile, {"a": [5, 5, 0], "b": [500, 500, 0]}, settings)
    lines = report.table().splitlines()
    assert lines[1].split()[:3] == ["a", "numeric", "inf"] and lines[1].split()[-1] == "drift"
    assert lines[2].split()[:3] == ["b", "numeric", "0.0000"]
    same = compare_counts(profile, {"a": [10, 0, 0], "b": [500, 500, 0]}, CheckSettings())
    assert same.table().splitlines()[-1] == "dataset: no drift"


def test_a_side_without_rows_reports_zero_divergences_and_is_insufficient():
    profile = Profile({"a": FeatureProfile("a", "numeric", counts=(10, 5, 0), edges=(0.0,))})
    report = compare_counts(profile, {"a": [0, 0, 0]}, CheckSettings(smoothing=0))
    a = report.features["a"]
    assert (a.kl, a.js, a.psi, a.tv) == (0.0, 0.0, 0.0, 0.0)
    assert a.status == "insufficient_data" and json.loads(report.to_json())


def test_divergences_in_bits_and_the_other_direction():
    bits = compare_counts(PROFILE, CURRENT, CheckSettings(base="bits")).features["x"]
    nats = compare_counts(PROFILE, CURRENT, CheckSettings()).features["x"]
    assert bits.kl == pytest.approx(nats.kl / math.log(2), rel=1e-12)
    p, q = shares(np.array(CURRENT["x"][:3])), shares(np.array([300, 400, 300]))
    back = compare_counts(PROFILE, CURRENT, CheckSettings(direction="reference||current"))
    assert back.features["x"].kl == pytest.approx(rel_entr(q, p).sum(), rel=1e-12)


def test_counts_of_the_wrong_length_are_named():
    with pytest.raises(SchemaError) as info:
        compare_counts(PROFILE, {**CURRENT, "x": [1, 2, 3]}, CheckSettings())
    assert str(info.value) == "feature 'x': 3 current bins, profile has 4"


def test_a_feature_at_exactly_min_rows_joins_the_holm_family():
    """Moderate p-values, so Holm over two features differs from one feature alone."""
    a = FeatureProfile("a", "numeric", counts=(50, 50, 0), edges=(0.0,))
    b = FeatureProfile("b", "numeric", counts=(500, 500, 0), edges=(0.0,))
    profile = Profile({"a": a, "b": b})
    counts = {"a": [60, 40, 0], "b": [530, 470, 0]}
    report = compare_counts(profile, counts, CheckSettings(min_rows=100))
    ra, rb = report.features["a"], report.features["b"]
    assert 0.01 < ra.p_value_raw < 0.5 and 0.01 < rb.p_value_raw < 0.5
    lo, hi = sorted([ra.p_value_raw, rb.p_value_raw])
    assert sorted([ra.p_value, rb.p_value]) == pytest.approx([2 * lo, max(2 * lo, hi)])
    swapped = compare_counts(
        Profile({"a": FeatureProfile("a", "numeric", counts=(60, 40, 0), edges=(0.0,)), "b": b}),
        {"a": [50, 50, 0], "b": [530, 470, 0]},
        CheckSettings(min_rows=100),
    )  # the same with exactly min_rows on the reference side
    assert swapped.features["b"].p_value != swapped.features["b"].p_value_raw
    alone = compare_counts(profile, counts, CheckSettings(min_rows=101))
    assert alone.features["a"].status == "insufficient_data"
    assert alone.features["b"].p_value == alone.features["b"].p_value_raw


def test_small_p_values_switch_to_scientific_notation_below_1e_4():
    from airflow_kl.core.results import measure_text as _fmt

    assert [_fmt(1e-4, p=True), _fmt(9.99e-5, p=True), _fmt(1e-4)] == [
        "0.0001",
        "1.0e-04",
        "0.0001",
    ]
    assert _fmt(math.inf) == "inf"


def test_the_verdict_line_lists_every_drifted_feature():
    both = {"x": CURRENT["x"], "city": [100, 500, 300, 100]}
    report = compare_counts(PROFILE, both, CheckSettings())
    assert report.drifted_features == ["x", "city"]
    assert report.table().splitlines()[-1] == "dataset: DRIFT in x, city"


@pytest.mark.parametrize(
    "counts,message",
    [
        ([250.5, 49.5, 0], "counts must be whole numbers >= 0, got 250.5"),
        ([-1, 301, 0], "counts must be whole numbers >= 0, got -1"),
        ([float("nan"), 300, 0], "counts must be whole numbers >= 0, got nan"),
        ([float("inf"), 300, 0], "counts must be whole numbers >= 0, got inf"),
        (["150", "150", "0"], "counts must be a list of numbers, got '150'"),
        ([150, "a", 0], "counts must be a list of numbers, got 'a'"),
        ([True, False, False], "counts must be a list of numbers, got True"),
        ([[150], [150], [0]], r"counts must be a list of numbers, got \[150\]"),
        ([150, 150], "2 current bins, profile has 3"),
    ],
)
def test_compare_counts_refuses_counts_that_are_not_whole_numbers(counts, message):
    """A public entry point checks its input first, as scipy does: 250.5 rows are
    not truncated to 250, '150' is not parsed."""
    profile = Profile({"x": FeatureProfile("x", "numeric", counts=(150, 150, 0), edges=(150.0,))})
    with pytest.raises(SchemaError, match=f"^feature 'x': {message}$"):
        compare_counts(profile, {"x": counts}, CheckSettings())
    whole = compare_counts(profile, {"x": [150.0, 150, 0]}, CheckSettings())
    assert whole.features["x"].kl == 0.0 and whole.features["x"].n_current == 300
