"""Every public function refuses counts and p-values it cannot judge, naming
the value, instead of truncating, parsing or computing on them."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

import airflow_kl as ak
from airflow_kl.core.decision import correct_pvalues, g_test
from airflow_kl.core.divergence import divergences, smoothed
from airflow_kl.core.errors import ConfigError, ProfileError, SchemaError
from airflow_kl.core.inputs import count_vector, pvalue_vector
from airflow_kl.core.merge import merge_profiles, reference_from_reports
from airflow_kl.core.profile import FeatureProfile, Profile
from airflow_kl.core.results import DriftReport

BAD_COUNTS = [
    ([2.5, 1], "counts must be whole numbers >= 0, got 2.5"),
    ([-1, 1], "counts must be whole numbers >= 0, got -1"),
    ([float("nan"), 1], "counts must be whole numbers >= 0, got nan"),
    ([float("inf"), 1], "counts must be whole numbers >= 0, got inf"),
    ([2.0**53, 1], "counts must be whole numbers >= 0, got 9007199254740992.0"),
    (["3", 1], "counts must be a list of numbers, got '3'"),
    ([True, 1], "counts must be a list of numbers, got True"),
    ([None, 1], "counts must be a list of numbers, got None"),
    ("31", "counts must be a list of numbers, got '31'"),
    (7, "counts must be a list of numbers, got 7"),
    ({"a": 1, "b": 2}, r"counts must be a list of numbers, got \{'a': 1, 'b': 2\}"),
    (np.array([[1, 2]]), r"counts must be a list of numbers, got array\(\[\[1, 2\]\]\)"),
    (np.array(5), r"counts must be a list of numbers, got array\(5\)"),
    (
        [2**70],
        r"counts must be a list of real numbers below 2\*\*63, got \[1180591620717411303424\]",
    ),
    (
        [np.complex128(1)],
        r"counts must be a list of real numbers below 2\*\*63, got \[np.complex128\(1\+0j\)\]",
    ),
    (np.array([1, 2], dtype=bool), "counts must be a list of numbers, got True"),
]


@pytest.mark.parametrize("counts,message", BAD_COUNTS)
def test_divergences_and_the_g_test_refuse_what_is_not_counts(counts, message):
    for call in (divergences, smoothed, g_test):
        with pytest.raises(SchemaError, match=f"^current: {message}$"):
            call(counts, [1, 1])
        with pytest.raises(SchemaError, match=f"^reference: {message}$"):
            call([1, 1], counts)


def test_counts_of_two_lengths_are_refused_not_broadcast():
    for call in (divergences, g_test):
        with pytest.raises(SchemaError) as info:
            call([5], [1, 2, 3])
        assert str(info.value) == "count vectors differ in length: 1 current bins, 3 reference"


def test_whole_numbers_in_any_numeric_type_are_the_same_counts():
    as_ints = g_test([30, 70, 0], [50, 50, 0])
    for current in ([30.0, 70.0, 0.0], np.array([30, 70, 0], np.uint8), (30, 70, 0)):
        assert g_test(current, np.array([50.0, 50.0, 0.0])) == as_ints
    assert count_vector(np.array([3.0, 0.0]), "x").dtype == np.int64


@pytest.mark.parametrize(
    "pvalues,shown",
    [
        ([0.2, 1.5], "1.5"),
        ([0.2, -0.1], "-0.1"),
        ([float("nan")], "nan"),
        ([float("inf")], "inf"),
        (["0.1"], "'0.1'"),
        ([True], "True"),
        ("0.1", "'0.1'"),
        ([[0.1, 0.2]], r"\[0.1, 0.2\]"),
    ],
)
def test_correct_pvalues_refuses_what_is_not_a_p_value(pvalues, shown):
    with pytest.raises(ConfigError, match=f"^p-values must be .*, got {shown}$"):
        correct_pvalues(pvalues, "holm")


def test_p_values_on_the_bounds_are_p_values():
    assert correct_pvalues([0.0, 1.0], "bonferroni").tolist() == [0.0, 1.0]
    assert correct_pvalues([], "bh").tolist() == []
    assert pvalue_vector(np.array([0, 1])).dtype == np.float64


PART = Profile({"x": FeatureProfile("x", "numeric", counts=(3, 1, 0), edges=(0.0,))})


def test_a_profile_is_not_given_fractional_counts():
    with pytest.raises(ProfileError, match=r"^feature 'x': counts must be whole .*, got 1.5$"):
        PART.features["x"].with_counts([1.5, 2.5, 0])
    assert PART.features["x"].with_counts(np.array([2.0, 2.0, 0.0])).counts == (2, 2, 0)


def test_merge_profiles_names_what_is_not_a_list_of_profiles():
    with pytest.raises(ConfigError, match="^profiles must be a list, got Profile"):
        merge_profiles(PART)
    with pytest.raises(ConfigError, match=r"^each of profiles must be a Profile .*'jan.json'$"):
        merge_profiles([PART, "jan.json"])
    assert merge_profiles((PART, PART)).features["x"].counts == (6, 2, 0)


def _report(current: list) -> dict:
    report = ak.compare_counts(PART, {"x": [2, 2, 0]}, ak.CheckSettings())
    data = json.loads(report.to_json())
    for b, count in zip(data["features"]["x"]["bins"], current, strict=True):
        b["current_count"] = count
    return data


def test_a_report_with_fractional_counts_is_refused_when_read():
    with pytest.raises(SchemaError, match=r"^feature 'x', bin '< 0': .*got 1.5$"):
        DriftReport.from_dict(_report([1.5, 2, 0]))
    with pytest.raises(SchemaError, match=r"^feature 'x', bin '< 0': .*got '2'$"):
        DriftReport.from_dict(_report(["2", 2, 0]))
    read = DriftReport.from_dict(_report([1, 3, 0]))
    merged = reference_from_reports(PART, [read, read], ["2013-01", "2013-02"])
    assert merged.features["x"].counts == (2, 6, 0)


def test_reference_from_reports_names_each_wrong_argument():
    report = DriftReport.from_dict(_report([2, 2, 0]))
    with pytest.raises(ConfigError, match="^partitions must be a list, got '2013-01'$"):
        reference_from_reports(PART, [report], "2013-01")
    with pytest.raises(ConfigError, match="^each partition name must be a str, got 1$"):
        reference_from_reports(PART, [report], [1])
    with pytest.raises(ConfigError, match=r"^each of reports must be a DriftReport .*got \{\}$"):
        reference_from_reports(PART, [{}], ["2013-01"])
    with pytest.raises(ConfigError, match=r"^profile must be a Profile .*got 'p.json'$"):
        reference_from_reports("p.json", [report], ["2013-01"])


def test_the_top_level_functions_name_a_profile_that_is_not_one():
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0, -1.0]})
    for call in (ak.count_bins, ak.count_profile, ak.check_drift):
        with pytest.raises(ConfigError, match=r"^profile must be a Profile \(Profile.load"):
            call("profile.json", frame)
    with pytest.raises(ConfigError, match=r"^current_counts must be a Mapping .*got \[2, 2, 0\]$"):
        ak.compare_counts(PART, [2, 2, 0], ak.CheckSettings())
    with pytest.raises(ConfigError, match=r"^settings must be a CheckSettings, got \{\}$"):
        ak.compare_counts(PART, {"x": [2, 2, 0]}, {})
    assert ak.count_bins(PART, frame)["x"].tolist() == [1, 1, 0]


def test_count_segment_bins_names_what_is_not_a_profile_part():
    import pandas as pd

    frame = pd.DataFrame({"x": [1.0], "s": ["a"]})
    with pytest.raises(ConfigError, match=r"^features must be a Mapping .*got \['x'\]$"):
        ak.count_segment_bins(["x"], frame, None)
    with pytest.raises(
        ConfigError, match=r"^each of features must be a FeatureProfile, got \(3, 1, 0\)$"
    ):
        ak.count_segment_bins({"x": (3, 1, 0)}, frame, None)
    with pytest.raises(
        ConfigError, match=r"^segments must be a SegmentProfile \(profile.segments\), got None$"
    ):
        ak.count_segment_bins(PART.features, frame, None)


def _message(call, *args) -> str:
    with pytest.raises(ConfigError) as info:
        call(*args)
    return str(info.value)


def test_each_refusal_says_what_to_give_in_full():
    report = DriftReport.from_dict(_report([2, 2, 0]))
    assert _message(ak.compare_counts, "p.json", {}, ak.CheckSettings()) == (
        "profile must be a Profile (Profile.load(path)), got 'p.json'"
    )
    assert _message(ak.compare_counts, PART, [1], ak.CheckSettings()) == (
        "current_counts must be a Mapping of feature name to bin counts, got [1]"
    )
    assert _message(merge_profiles, [PART, 1]) == (
        "each of profiles must be a Profile (Profile.load(path)), got 1"
    )
    assert _message(reference_from_reports, 1, [report], ["a"]) == (
        "profile must be a Profile (Profile.load(path)), got 1"
    )
    assert _message(reference_from_reports, PART, report, ["a"]) == (
        f"reports must be a list, got {report!r}"
    )
    assert _message(reference_from_reports, PART, [1], ["a"]) == (
        "each of reports must be a DriftReport (DriftReport.load(path)), got 1"
    )


def test_a_report_read_from_json_names_the_count_it_refuses():
    for key in ("n_reference", "n_current"):
        data = _report([2, 2, 0])
        data["features"]["x"][key] = "4"
        with pytest.raises(SchemaError) as info:
            DriftReport.from_dict(data)
        assert (
            str(info.value) == f"feature 'x': {key}: a count must be a whole number >= 0, got '4'"
        )
    data = _report([2, 2, 0])
    data["features"]["x"]["bins"][1]["reference_count"] = -1
    with pytest.raises(SchemaError) as info:
        DriftReport.from_dict(data)
    assert str(info.value) == "feature 'x', bin '>= 0': a count must be a whole number >= 0, got -1"


def test_the_largest_count_is_below_2_to_the_53():
    from airflow_kl.core.inputs import whole_count

    assert whole_count(2**53 - 1, "n") == 2**53 - 1
    with pytest.raises(SchemaError, match=r"got 9007199254740992$"):
        whole_count(2**53, "n")
    assert count_vector([2**53 - 1], "x").tolist() == [2**53 - 1]


def test_p_values_come_back_as_floats_even_when_given_as_integers():
    for method in ("none", "holm", "bonferroni", "bh"):
        corrected = correct_pvalues([0, 1], method)
        assert corrected.dtype == np.float64 and corrected.tolist() == [0.0, 1.0]


def test_order_statistics_a_database_returns_as_decimals_interpolate_as_floats():
    from decimal import Decimal

    from airflow_kl.core.quantiles import from_order_statistics, needed_ranks

    x = np.array([7.0, 1.0, 3.0, 10.0, 4.0])
    levels = np.array([0.3, 0.5])
    at = {int(r): Decimal(str(np.sort(x)[r])) for r in needed_ranks(5, levels)}
    got = from_order_statistics(5, levels, at)
    assert got.dtype == np.float64 and got.tolist() == np.quantile(x, levels).tolist()


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (np.array([-1]), "counts must be whole numbers >= 0, got -1"),
        (np.array([3, -2, 5]), "counts must be whole numbers >= 0, got -2"),
        (np.array([2**53]), f"counts must be whole numbers >= 0, got {2**53}"),
        (np.array([2**63], dtype=np.uint64), f"counts must be whole numbers >= 0, got {2**63}"),
    ],
)
def test_integer_arrays_are_range_checked_too(counts, message):
    """Arrays of integers (what the engines count into) skip the per-value
    checks, never the range."""
    with pytest.raises(SchemaError, match=re.escape(f"feature 'x': {message}")):
        count_vector(counts, "feature 'x'")
    with pytest.raises(SchemaError) as found:
        count_vector(np.array([1, 2]), "feature 'x'", size=3)
    assert str(found.value) == "feature 'x': 2 current bins, profile has 3"
    assert count_vector(np.array([0, 2**53 - 1], dtype=np.uint64), "x").tolist() == [0, 2**53 - 1]
