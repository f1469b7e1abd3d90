import json
import math

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak


@pytest.fixture(scope="module")
def reference():
    rng = np.random.default_rng(11)
    return pd.DataFrame(
        {
            "x": rng.normal(size=5000),
            "y": rng.exponential(size=5000),
            "c": rng.choice(list("abcde"), 5000, p=[0.4, 0.3, 0.2, 0.05, 0.05]),
        }
    )


def test_per_feature_threshold_and_default_key(reference):
    profile = ak.build_profile(reference)
    shifted = reference.assign(x=reference.x + 0.5)
    strict = ak.check_drift(profile, shifted, threshold={"x": 5.0})
    assert strict.features["x"].status == "ok" and strict.features["x"].threshold == 5.0
    assert strict.features["y"].threshold == 0.1
    loose = ak.check_drift(profile, shifted, threshold={"*": 0.0, "x": 0.05})
    assert loose.features["y"].threshold == 0.0 and loose.features["x"].threshold == 0.05


def test_threshold_for_unknown_feature_is_rejected(reference):
    profile = ak.build_profile(reference)
    with pytest.raises(ak.ConfigError, match="unknown feature 'typo'"):
        ak.check_drift(profile, reference, threshold={"typo": 0.2})


def test_p_values_corrected_over_judged_features_only(reference):
    profile = ak.build_profile(reference)
    current = reference.assign(x=reference.x + 0.2)
    none = ak.check_drift(profile, current, correction="none")
    holm = ak.check_drift(profile, current, correction="holm")
    raw = {n: f.p_value_raw for n, f in none.features.items()}
    ordered = sorted(raw, key=raw.get)
    expected, running = {}, 0.0
    for i, n in enumerate(ordered):
        running = max(running, min(1.0, (3 - i) * raw[n]))
        expected[n] = running
    for n, f in holm.features.items():
        assert f.p_value == pytest.approx(expected[n], rel=1e-12, abs=1e-300)
        assert f.p_value_raw == raw[n]


def test_zero_smoothing_reports_infinite_kl_as_drift(reference):
    profile = ak.build_profile(reference, features=["c"])
    current = pd.DataFrame({"c": ["a"] * 300 + [None] * 5})  # MISSING empty in reference
    report = ak.check_drift(profile, current, smoothing=0)
    f = report.features["c"]
    assert math.isinf(f.kl) and f.status == "drift" and report.drifted
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["features"]["c"]["kl"] == "inf"
    assert math.isinf(ak.DriftReport.from_dict(data).features["c"].kl)


def test_empty_partition_is_insufficient(reference):
    profile = ak.build_profile(reference)
    report = ak.check_drift(profile, reference.iloc[:0])
    assert report.all_insufficient and not report.drifted
    assert all(f.n_current == 0 for f in report.features.values())


def test_empty_reference_is_an_error(reference):
    with pytest.raises(ak.SourceError, match="no rows"):
        ak.build_profile(reference.iloc[:0])


def test_report_round_trip(reference):
    report = ak.check_drift(ak.build_profile(reference), reference)
    again = ak.DriftReport.from_dict(json.loads(report.to_json()))
    assert again == report and not report.drifted


def test_check_rejects_non_profile(reference):
    with pytest.raises(ak.ConfigError, match="Profile.load"):
        ak.check_drift("profile.json", reference)


def test_partitions_counted_apart_and_summed_are_judged_as_one_pass(reference):
    """Counts are additive: the scale-out recipe of the README, exactly."""
    rng = np.random.default_rng(11)
    current = pd.DataFrame(
        {"x": rng.normal(0.3, 1, 3000), "c": rng.choice(["a", "b", "z"], 3000)}
    ).astype({"c": "string"})
    profile = ak.build_profile(reference, features=["x", "c"])
    parts = [ak.count_bins(profile, current.iloc[i : i + 1000]) for i in range(0, 3000, 1000)]
    total = {name: sum(p[name] for p in parts) for name in parts[0]}
    one_pass = ak.count_bins(profile, current)
    assert {k: v.tolist() for k, v in total.items()} == {k: v.tolist() for k, v in one_pass.items()}
    merged = ak.compare_counts(profile, total, ak.CheckSettings())
    assert merged.to_dict() == ak.check_drift(profile, current).to_dict()
