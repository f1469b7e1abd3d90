"""Segments in the core: options, the segment of a row, the profile's segment
counts on disk, and judging (segment, feature) pairs in one family."""

from __future__ import annotations

import itertools
import json

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


SORTED_KEYS = [("y", "True"), ("x", None), (None, "False"), ("z", "False")]
# combined codes out of order: ("y", "False") codes below ("x", None)
UNSORTED_KEYS = [("y", "True"), ("x", None), ("y", "False"), (None, "True"), ("x", "True")]


@pytest.mark.parametrize("keys", [SORTED_KEYS, UNSORTED_KEYS])
@pytest.mark.parametrize("lookup_max", [0, 1 << 20])
def test_segment_index_matches_a_plain_lookup(monkeypatch, lookup_max, keys):
    """Every combination of two columns' values (with missing and unseen
    values), by the lookup table and by the binary search it falls back to
    when the columns have too many combinations for a table; keys whose
    combined codes are sorted or not (the search must return the key's index,
    not its sorted position)."""
    monkeypatch.setattr("airflow_kl.core.segments.LOOKUP_MAX", lookup_max)
    a_labels, b_labels = ["x", "y", "z", "w"], ["True", "False"]  # "w" is in no key
    pairs = list(itertools.product(range(-1, 4), range(-1, 2)))
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    got = segment_index([a, b], [a_labels, b_labels], keys)
    assert got.dtype == np.int64
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
        (
            lambda d: d["segments"].update(keys=[["JFK", "x"], ["EWR"]]),
            "segments: key ['JFK', 'x'] must hold 1 strings",
        ),
        (
            lambda d: d["segments"].update(values=["number"]),
            "segments: values must be one of ('string', 'boolean') per column",
        ),
        (
            lambda d: d["segments"]["counts"].pop(),
            "segments: 2 keys need 3 counts (OTHER last), got 2",
        ),
        (
            lambda d: d["segments"].update(by=["o", "o"]),
            "segments: segment_by names a column twice: ['o', 'o']",
        ),
        (
            lambda d: d["segments"].update(keys=[], counts=[{}]),
            "segments: at least one key is needed",
        ),
        (lambda d: d.update(segments=[1]), "segments must be an object, got list"),
        (
            lambda d: d["segments"].update(keys=5),
            "segments is malformed: 'int' object is not iterable",
        ),
        (
            lambda d: d["segments"]["counts"][0].pop("c"),
            "segment 'JFK' counts ['x'], not the features",
        ),
        (
            lambda d: d["segments"]["counts"][0].update(x=[201, 100, 0]),
            "segments of feature 'x' add up to [301, 300, 0], not its counts [300, 300, 0]",
        ),
        (  # adds up, but a count is negative
            lambda d: (
                d["segments"]["counts"][0].update(x=[201, 100, 0]),
                d["segments"]["counts"][2].update(x=[-1, 50, 0]),
            ),
            "segments: counts of 'x' must be in [0, 2**53), got -1",
        ),
        (
            lambda d: d["segments"]["counts"][0].update(x=[200.0, 100, 0]),
            "segments: counts of 'x' must be integers, got [200.0, 100, 0]",
        ),
        (
            lambda d: d["segments"]["counts"][0].update(x=["200", 100, 0]),
            "segments: counts of 'x' must be integers, got ['200', 100, 0]",
        ),
        (
            lambda d: d["segments"]["counts"][0].update(x=[2**53, 100, 0]),
            "segments: counts of 'x' must be in [0, 2**53), got 9007199254740992",
        ),
        (lambda d: d.pop("segments"), "a version-3 profile needs field 'segments'"),
        (lambda d: d.update(format_version=2), "field 'segments' needs format_version 3, got 2"),
    ],
)
def test_a_malformed_segments_field_is_refused(edit, message):
    data = segmented().to_dict()
    edit(data)
    with pytest.raises(ProfileError) as err:
        Profile.from_dict(data)
    assert str(err.value) == message


def test_segment_profiles_take_lists_and_keep_tuples():
    seg = SegmentProfile(["origin"], [["JFK"]], [{"x": [1, 0, 0]}, {"x": [0, 1, 0]}])
    assert seg.by == ("origin",) and seg.keys == (("JFK",),)
    assert seg.counts == ({"x": (1, 0, 0)}, {"x": (0, 1, 0)}) and seg.values == ("string",)
    assert seg.labels == ["JFK", "OTHER"] and seg.all_keys == [("JFK",), None]


def test_the_bins_checksum_covers_the_segment_columns_and_keys():
    """sha256 of the canonical JSON of every feature's bins and of the segments'
    columns and keys, computed here by hand."""
    import hashlib

    profile = segmented()
    bins = {
        "features": {n: f.bins() for n, f in profile.features.items()},
        "segments": {"by": ["origin"], "keys": [["JFK"], ["EWR"]]},
    }
    text = json.dumps(bins, sort_keys=True, separators=(",", ":"))
    assert profile.bins_checksum == "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_max_segments_of_one_is_allowed():
    assert check_max_segments(1) == 1 and check_max_segments(np.int64(3)) == 3


def report_of(current, **options):
    profile = segmented()
    overall = {n: [sum(g[n][i] for g in current) for i in range(3)] for n in ("x", "c")}
    return compare_counts(profile, overall, CheckSettings(**options), segment_counts=current)


SEPTEMBER = [
    {"x": [100, 200, 0], "c": [150, 150, 0]},
    {"x": [100, 150, 0], "c": [150, 100, 0]},
    {"x": [30, 20, 0], "c": [50, 0, 0]},
]


def test_the_report_table_lists_each_segment():
    report = report_of(SEPTEMBER)
    lines = report.table().splitlines()
    jfk, other = report.segments[0].features["x"], report.segments[2].features["x"]
    assert lines[3:] == [
        "",
        "origin  n_ref  n_cur  worst      KL  p_value  status             drifted features",
        f"JFK       300    300  x      {jfk.kl:.4f}  {jfk.p_value:.1e}  drift              x",
        "EWR       250    250  x      0.0000   1.0000  ok",
        f"OTHER      50     50  x      {other.kl:.4f}  {other.p_value:.1e}  insufficient_data",
        "dataset: DRIFT in segments JFK",
    ]
    assert report.segments[2].worst().name == "x"  # none judged: the largest KL
    data = report.to_dict()
    assert data["segment_by"] == ["origin"] and data["drifted_segments"] == ["JFK"]
    assert data["segments"][0]["key"] == ["JFK"] and data["segments"][2]["key"] is None
    assert data["segments"][0]["drifted_features"] == ["x"]
    assert (
        "segments"
        not in compare_counts(segmented(), {"x": [1, 1, 0]}, CheckSettings(), ["x"]).to_dict()
    )


def test_the_verdict_names_features_and_segments():
    current = [
        {"x": [10, 290, 0], "c": [150, 150, 0]},
        {"x": [10, 240, 0], "c": [150, 100, 0]},
        {"x": [0, 50, 0], "c": [50, 0, 0]},
    ]
    report = report_of(current)
    assert report.verdict() == "DRIFT in x; segments JFK, EWR"
    assert report_of(SEPTEMBER, threshold=5.0).verdict() == "no drift"


def test_the_table_joins_segment_columns_and_drifted_features():
    groups = ({"x": (200, 100, 0), "c": (150, 150, 0)}, {"x": (100, 200, 0), "c": (200, 100, 0)})
    seg = SegmentProfile(("origin", "late"), (("JFK", "True"),), groups, ("string", "boolean"))
    profile = Profile({"x": X, "c": C}, segments=seg)
    moved = [{"x": [30, 270, 0], "c": [270, 30, 0]}, {"x": [100, 200, 0], "c": [200, 100, 0]}]
    overall = {"x": [130, 470, 0], "c": [470, 130, 0]}
    report = compare_counts(profile, overall, CheckSettings(), segment_counts=moved)
    lines = report.table().splitlines()
    assert lines[4].startswith("origin / late  n_ref  n_cur  worst")
    assert lines[5].startswith("JFK / True") and lines[5].endswith("  drift   x, c")


def test_the_worst_feature_is_the_judged_one_of_largest_kl():
    report = report_of(SEPTEMBER)
    jfk = report.segments[0]
    assert jfk.worst().name == "x" and jfk.worst().kl == max(f.kl for f in jfk.features.values())
    other = report.segments[2]  # nothing judged: the largest KL all the same
    assert other.status == "insufficient_data"
    assert other.worst().kl == max(f.kl for f in other.features.values()) > 0


def test_drift_share_and_keys_apply_per_segment():
    """JFK drifts in x only: one of its two features, below a share of 0.6."""
    report = report_of(SEPTEMBER, drift_share=0.6)
    assert [s.key for s in report.segments] == [("JFK",), ("EWR",), None]
    assert report.segments[0].drifted_features == ["x"] and not report.segments[0].drifted
    assert not report.drifted
    assert report_of(SEPTEMBER, drift_share=0.5).segments[0].drifted


def test_segment_by_reads_as_text_and_writes_a_list():
    assert CheckSettings(segment_by="none").segment_by is None
    assert CheckSettings(segment_by="a,b").to_dict()["segment_by"] == ["a", "b"]
    assert CheckSettings().to_dict()["segment_by"] is None


def test_a_merged_profile_is_new():
    old = Profile({"x": X, "c": C}, created_at="2000-01-01T00:00:00+00:00")
    assert merge_profiles([old, old]).created_at != old.created_at


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
    with pytest.raises(SchemaError) as err:
        compare_counts(profile, overall, CheckSettings(), segment_counts=[{}, {}])
    assert str(err.value) == "2 segments counted, the profile has 3"
    with pytest.raises(ConfigError) as err:
        compare_counts(Profile({"x": X}), {"x": [1, 1, 0]}, CheckSettings(), segment_counts=[])
    assert str(err.value) == "segment counts given, but the profile has no segments"


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


def test_a_key_of_another_length_than_the_segment_columns_is_an_error_not_a_shorter_match():
    """zip(..., strict=True): a key with a value missing would otherwise match on
    the columns it has, and a column without its codes would be skipped."""
    from airflow_kl.core.segments import segment_conditions

    class Show:
        def missing(self):
            return "missing"

        def equals(self, v):
            return f"= {v}"

    with pytest.raises(ValueError, match="zip"):
        segment_conditions([Show(), Show()], [("x",)])
    with pytest.raises(ValueError, match="zip"):
        segment_index([np.array([0, 1])], [["a", "b"], ["c"]], [("a", "c")])
