"""Merged and rolling references: counts in the same bins add up, exactly."""

import pytest

from airflow_kl.core.compare import compare_counts
from airflow_kl.core.errors import ProfileError
from airflow_kl.core.merge import merge_profiles, reference_from_reports
from airflow_kl.core.profile import FeatureProfile, Profile
from airflow_kl.core.settings import CheckSettings


def part(x_counts, c_counts, partition=None, edges=(0.0, 1.0)):
    return Profile(
        {
            "x": FeatureProfile("x", "numeric", x_counts, edges=edges),
            "c": FeatureProfile("c", "categorical", c_counts, categories=("a", "b")),
        },
        settings={"bins": 3},
        metadata={"partition": partition} if partition else {},
    )


def test_merged_counts_are_the_sums_and_name_their_parts():
    jan, feb = part((1, 2, 3, 0), (4, 5, 0, 1), "2013-01"), part((7, 0, 1, 2), (0, 1, 2, 3))
    merged = merge_profiles([jan, feb], metadata={"note": "q1"})
    assert merged.features["x"].counts == (8, 2, 4, 2)
    assert merged.features["c"].counts == (4, 6, 2, 4)
    assert merged.metadata == {"note": "q1", "merged_from": ["2013-01", feb.checksum]}
    assert merged.bins_checksum == jan.bins_checksum and merged.settings == {"bins": 3}
    assert merge_profiles([jan]).features == jan.features


def test_the_bins_checksum_ignores_counts_and_types_but_not_bins():
    a, b = part((1, 2, 3, 0), (4, 5, 0, 1)), part((9, 9, 9, 9), (9, 9, 9, 9))
    assert a.bins_checksum == b.bins_checksum and a.checksum != b.checksum
    assert part((1, 2, 3, 0), (4, 5, 0, 1), edges=(0.0, 2.0)).bins_checksum != a.bins_checksum
    renamed = Profile({"x": a.features["x"]})
    assert renamed.bins_checksum != a.bins_checksum


def test_other_bins_are_refused_by_name():
    jan = part((1, 2, 3, 0), (4, 5, 0, 1))
    other = part((1, 2, 3, 0), (4, 5, 0, 1), edges=(0.0, 2.0))
    with pytest.raises(ProfileError) as info:
        merge_profiles([jan, other])
    assert str(info.value) == (
        f"cannot merge: the profile 2 was counted in other bins (bins checksum "
        f"{other.bins_checksum}, the reference's is {jan.bins_checksum}); counts add up only "
        "in the same bins"
    )
    with pytest.raises(ProfileError, match="the profile 2 lacks feature 'c'"):
        merge_profiles([jan, Profile({"x": jan.features["x"]})])
    with pytest.raises(ProfileError) as info:
        merge_profiles([])
    assert str(info.value) == "nothing to merge: give at least one profile"


def test_a_reference_from_the_current_counts_of_checked_partitions():
    base = part((10, 10, 10, 0), (20, 5, 5, 0))
    months = {"2013-02": ([1, 2, 3, 0], [4, 5, 0, 1]), "2013-03": ([5, 0, 2, 1], [1, 1, 1, 1])}
    reports = [
        compare_counts(base, {"x": x, "c": c}, CheckSettings(min_rows=1))
        for x, c in months.values()
    ]
    rolling = reference_from_reports(base, reports, list(months), metadata={"window": 2})
    assert rolling.metadata == {"window": 2, "merged_from": ["2013-02", "2013-03"]}
    assert rolling.created_at.endswith("+00:00") and rolling.created_at != ""
    assert rolling.features["x"].counts == (6, 2, 5, 1)
    assert rolling.features["c"].counts == (5, 6, 1, 2)
    assert rolling.metadata["merged_from"] == ["2013-02", "2013-03"]
    # a report of the rolling reference's own check has the same bins: it merges too
    again = compare_counts(rolling, {"x": [1, 1, 1, 1], "c": [1, 1, 1, 1]}, CheckSettings())
    assert reference_from_reports(base, [again], ["2013-04"]).features["x"].counts == (1, 1, 1, 1)


def test_reports_of_other_bins_or_old_reports_are_refused():
    base = part((10, 10, 10, 0), (20, 5, 5, 0))
    other = part((10, 10, 10, 0), (20, 5, 5, 0), edges=(0.5, 1.0))
    report = compare_counts(other, {"x": [1, 2, 3, 0], "c": [4, 5, 0, 1]}, CheckSettings())
    with pytest.raises(ProfileError, match="the report of partition '2013-02' was counted in"):
        reference_from_reports(base, [report], ["2013-02"])
    old = report.__class__(features=report.features, drifted=False)  # written before 0.4
    with pytest.raises(ProfileError, match=r"\(bins checksum unknown, the reference's is"):
        reference_from_reports(base, [old], ["2013-02"])
    with pytest.raises(ProfileError, match="1 reports but 2 partition names"):
        reference_from_reports(base, [report], ["a", "b"])
    with pytest.raises(ProfileError) as info:
        reference_from_reports(base, [], [])
    assert str(info.value) == "nothing to merge: give at least one report"


def test_the_type_a_reference_was_read_as_is_not_part_of_its_bins():
    a = Profile({"x": FeatureProfile("x", "numeric", (1, 0, 0), edges=(0.0,), source_type="int8")})
    b = Profile({"x": FeatureProfile("x", "numeric", (1, 0, 0), edges=(0.0,), source_type="float")})
    assert a.bins_checksum == b.bins_checksum
    assert merge_profiles([a, b]).features["x"].source_type == "int8"


def test_reports_written_before_bins_checksums_read_as_unknown():
    from airflow_kl.core.results import DriftReport

    assert DriftReport.from_dict({"features": {}, "drifted": False}).bins_checksum == ""
