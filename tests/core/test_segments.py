"""Segments in the core: options, the segment of a row, the profile's segment
counts on disk, and judging (segment, feature) pairs in one family."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from airflow_kl.core.compare import CheckSettings, compare_counts
from airflow_kl.core.decision import g_test
from airflow_kl.core.errors import ConfigError, ProfileError, SchemaError
from airflow_kl.core.merge import merge_profiles, reference_from_reports
from airflow_kl.core.profile import FeatureProfile, Profile
from airflow_kl.core.segments import (
    SegmentProfile,
    check_max_segments,
    check_segment_by,
    check_segment_column,
    segment_index,
    segment_label,
    top_segments,
)
from tests.independent import holm

X = FeatureProfile("x", "numeric", (300, 300, 0), edges=(0.0,))
C = FeatureProfile("c", "categorical", (350, 250, 0), categories=("a",))


def segmented(groups=None, keys=(("JFK",), ("EWR",))) -> Profile:
    groups = groups or (
        {"x": (200, 100, 0), "c": (150, 150, 0)},
        {"x": (100, 150, 0), "c": (150, 100, 0)},
        {"x": (0, 50, 0), "c": (50, 0, 0)},
    )
    return Profile({"x": X, "c": C}, segments=SegmentProfile(("origin",), keys, groups))


@pytest.mark.parametrize(
    "given, expected",
    [(None, None), ("origin", ("origin",)), (" a , b ", ("a", "b")), (["a", "b"], ("a", "b"))],
)
def test_segment_by_reads_names(given, expected):
    assert check_segment_by(given) == expected


@pytest.mark.parametrize(
    "bad, message",
    [
        (",", "segment_by must be non-empty column names, got ','"),
        ([], "segment_by must be non-empty column names, got []"),
        (["a", 1], "segment_by must be non-empty column names, got ['a', 1]"),
        (["a", "a"], "segment_by names a column twice: ['a', 'a']"),
        (3, "segment_by must be column names, got 3"),
    ],
)
def test_bad_segment_by_names_the_value(bad, message):
    with pytest.raises(ConfigError) as err:
        check_segment_by(bad)
    assert str(err.value) == message


@pytest.mark.parametrize("bad", [0, -1, True, 2.0, "5"])
def test_max_segments_is_a_positive_integer(bad):
    with pytest.raises(ConfigError, match=f"max_segments must be an integer >= 1, got {bad!r}"):
        check_max_segments(bad)


def test_segment_columns_hold_strings_or_booleans():
    for value in ("string", "boolean", "null"):
        check_segment_column("o", value, "t", "pandas")
    with pytest.raises(SchemaError) as err:
        check_segment_column("month", "number", "int64", "DuckDB")
    assert str(err.value) == (
        "segment column 'month' is number (int64) in DuckDB; segments are string or boolean "
        "columns: cast it to a string"
    )
    with pytest.raises(SchemaError, match="'o' is boolean .* but string"):
        check_segment_column("o", "string", "VARCHAR", "DuckDB", expected="boolean")


def test_top_segments_rank_by_rows_then_by_text():
    rows = {("b",): 5, ("a",): 5, (None,): 7, ("c",): 1}
    assert top_segments(rows, 3) == ((None,), ("a",), ("b",))
    assert top_segments(rows, 10) == ((None,), ("a",), ("b",), ("c",))
    assert top_segments({}, 3) == ()


def test_segment_labels():
    assert segment_label(("JFK",)) == "JFK"
    assert segment_label(("JFK", None, "True")) == "JFK / MISSING / True"
    assert segment_label(None) == "OTHER"


def test_segment_index_matches_a_plain_lookup():
    """Every combination of two columns' values (with missing and unseen values)."""
    a_labels, b_labels = ["x", "y", "z"], ["True", "False"]
    keys = [("y", "True"), ("x", None), (None, "False"), ("z", "False")]
    pairs = list(itertools.product(range(-1, 3), range(-1, 2)))
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    got = segment_index([a, b], [a_labels, b_labels], keys)
    for (i, j), seg in zip(pairs, got.tolist(), strict=True):
        key = (a_labels[i] if i >= 0 else None, b_labels[j] if j >= 0 else None)
        assert seg == (keys.index(key) if key in keys else len(keys)), key


def test_a_segmented_profile_round_trips_as_format_version_3(tmp_path):
    profile = segmented()
    profile.save(tmp_path / "p.json")
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["format_version"] == 3
    assert data["segments"]["keys"] == [["JFK"], ["EWR"]]
    assert data["segments"]["counts"][2] == {"x": [0, 50, 0], "c": [50, 0, 0]}
    assert Profile.load(tmp_path / "p.json") == profile
    unsegmented = Profile({"x": X, "c": C})
    assert json.loads(unsegmented.to_json())["format_version"] == 2
    assert profile.bins_checksum != unsegmented.bins_checksum
    other_keys = segmented(keys=(("LGA",), ("EWR",)))
    assert other_keys.bins_checksum != profile.bins_checksum


def test_segments_must_add_up_to_the_features():
    groups = (
        {"x": (200, 100, 0), "c": (150, 150, 0)},
        {"x": (100, 150, 0), "c": (150, 100, 0)},
        {"x": (0, 49, 0), "c": (50, 0, 0)},
    )
    with pytest.raises(ProfileError) as err:
        segmented(groups)
    assert str(err.value) == (
        "segments of feature 'x' add up to [300, 299, 0], not its counts [300, 300, 0]"
    )


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda d: d["segments"].pop("keys"), "segments lacks field 'keys'"),
        (lambda d: d["segments"].update(extra=1), "segments has unknown fields ['extra']"),
        (lambda d: d["segments"].update(keys=[["JFK"], ["JFK"]]), "segments: keys must be unique"),
        (lambda d: d["segments"].update(keys=[["JFK", "x"], ["EWR"]]), "must hold 1 strings"),
        (lambda d: d["segments"].update(values=["number"]), "values must be one of"),
        (lambda d: d["segments"]["counts"].pop(), "2 keys need 3 counts (OTHER last), got 2"),
        (lambda d: d.pop("segments"), "a version-3 profile needs field 'segments'"),
        (lambda d: d.update(format_version=2), "field 'segments' needs format_version 3"),
    ],
)
def test_a_malformed_segments_field_is_refused(edit, message):
    data = segmented().to_dict()
    edit(data)
    with pytest.raises(ProfileError, match=re.escape(message)):
        Profile.from_dict(data)


def test_each_segment_is_judged_and_the_family_is_every_judged_pair():
    profile = segmented()
    current = [
        {"x": [100, 200, 0], "c": [150, 150, 0]},  # JFK: x moved
        {"x": [100, 150, 0], "c": [150, 100, 0]},  # EWR: as in the reference
        {"x": [30, 20, 0], "c": [50, 0, 0]},  # OTHER: below min_rows
    ]
    overall = {"x": [230, 370, 0], "c": [350, 250, 0]}
    report = compare_counts(profile, overall, CheckSettings(), segment_counts=current)
    raw = {}
    for name in ("x", "c"):
        raw[("all", name)] = g_test(overall[name], profile.features[name].counts)[2]
        for label, cur, ref in zip(("JFK", "EWR"), current, profile.segments.counts, strict=False):
            raw[(label, name)] = g_test(cur[name], ref[name])[2]
    corrected = holm(raw)
    assert report.features["x"].p_value == pytest.approx(corrected[("all", "x")], rel=1e-12)
    by_label = {s.label: s for s in report.segments}
    assert list(by_label) == ["JFK", "EWR", "OTHER"]
    for label in ("JFK", "EWR"):
        for name in ("x", "c"):
            f = by_label[label].features[name]
            assert f.p_value == pytest.approx(corrected[(label, name)], rel=1e-12)
            assert f.p_value_raw == pytest.approx(raw[(label, name)], rel=1e-12)
    assert by_label["OTHER"].status == "insufficient_data"
    assert by_label["OTHER"].features["x"].n_current == 50
    assert by_label["JFK"].drifted and by_label["JFK"].drifted_features == ["x"]
    assert not by_label["EWR"].drifted and by_label["EWR"].status == "ok"
    assert report.drifted and report.drifted_segments == ["JFK"]
    assert report.drifted_features == [] and report.features["x"].status == "ok"
    assert report.verdict() == "DRIFT in segments JFK"
    assert type(report).from_dict(json.loads(report.to_json())) == report


def test_segments_change_no_count_of_the_overall_features():
    profile = segmented()
    current = [g for g in profile.segments.counts]
    overall = {n: list(f.counts) for n, f in profile.features.items()}
    plain = compare_counts(profile, overall, CheckSettings())
    judged = compare_counts(profile, overall, CheckSettings(), segment_counts=current)
    assert not judged.drifted and not plain.segments and plain.segment_by == ()
    for name in overall:
        assert judged.features[name].bins == plain.features[name].bins
        assert judged.features[name].kl == plain.features[name].kl


def test_segment_counts_need_a_segmented_profile_and_every_segment():
    profile = segmented()
    overall = {n: list(f.counts) for n, f in profile.features.items()}
    with pytest.raises(SchemaError, match="2 segments counted, the profile has 3"):
        compare_counts(profile, overall, CheckSettings(), segment_counts=[{}, {}])
    with pytest.raises(ConfigError, match="the profile has no segments"):
        compare_counts(Profile({"x": X}), {"x": [1, 1, 0]}, CheckSettings(), segment_counts=[])


def test_segment_by_must_name_the_profiles_segments():
    assert CheckSettings().segments_of(("origin",)) == ("origin",)
    assert CheckSettings(segment_by="origin").segments_of(("origin",)) == ("origin",)
    with pytest.raises(ConfigError) as err:
        CheckSettings(segment_by="carrier").segments_of(("origin",))
    assert str(err.value) == (
        "segment_by is ['carrier'] but the profile is segmented by ['origin']; build the "
        "profile with segment_by=['carrier']"
    )
    with pytest.raises(ConfigError, match="but the profile is not segmented"):
        CheckSettings(segment_by="carrier").segments_of(None)


def test_segmented_profiles_and_reports_merge_segment_by_segment():
    a, b = segmented(), segmented()
    merged = merge_profiles([a, b])
    assert merged.segments.counts[0]["x"] == (400, 200, 0)
    assert merged.features["x"].counts == (600, 600, 0)
    current = list(a.segments.counts)
    overall = {n: list(f.counts) for n, f in a.features.items()}
    report = compare_counts(a, overall, CheckSettings(), segment_counts=current)
    rolled = reference_from_reports(a, [report, report], ["2013-01", "2013-02"])
    assert rolled.segments == merged.segments and rolled.features == merged.features
    plain = compare_counts(a, overall, CheckSettings())
    with pytest.raises(ProfileError, match="'2013-03' was not judged per segment"):
        reference_from_reports(a, [plain], ["2013-03"])
    with pytest.raises(ProfileError, match="counted in other bins"):
        merge_profiles([a, segmented(keys=(("LGA",), ("EWR",)))])
