"""A profile by value, JSON dict, JSON text or path; cut to a family of
features; and the compact text a GX suite keeps."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.profile_forms import (
    is_profile_text,
    load_profile,
    profile_subset,
    profile_text,
)


@pytest.fixture(scope="module")
def segmented():
    frame = pd.DataFrame(
        {"x": [float(i) for i in range(40)], "c": list("ab") * 20, "s": list("uvwx") * 10}
    )
    profile = ak.build_profile(frame, features=["x", "c"], segment_by="s", bins=4)
    return replace(profile, created_at="2013-01-31T00:00:00+00:00")  # not this second


def test_every_form_loads_the_same_profile(segmented, tmp_path):
    segmented.save(tmp_path / "p.json")
    text = profile_text(segmented)
    forms = [segmented, segmented.to_dict(), text, "  \n" + text, tmp_path / "p.json"]
    assert all(load_profile(f) == segmented for f in forms)
    assert load_profile(str(tmp_path / "p.json")) == segmented
    assert is_profile_text(" {") and not is_profile_text(str(tmp_path / "p.json"))
    assert not is_profile_text("p.json {") and not is_profile_text({"a": 1})


def test_the_text_is_compact_json(segmented):
    text = profile_text(segmented)
    assert text == json.dumps(segmented.to_dict(), separators=(",", ":"))
    assert ", " not in text and ": " not in text


def test_a_subset_keeps_settings_time_and_segments_of_its_features(segmented):
    cut = profile_subset(segmented, ["c"])
    assert list(cut.features) == ["c"]
    assert cut.features["c"] == segmented.features["c"]
    assert cut.settings == segmented.settings and cut.created_at == segmented.created_at
    assert cut.metadata == {**segmented.metadata, "cut_from": segmented.checksum}
    assert cut.segments.keys == segmented.segments.keys
    assert [dict(g) for g in cut.segments.counts] == [
        {"c": g["c"]} for g in segmented.segments.counts
    ]
    assert profile_subset(segmented, ["x", "c"]) is segmented  # the whole profile, itself


def test_a_subset_names_the_first_missing_feature_and_the_profiles(segmented):
    with pytest.raises(ak.SchemaError) as info:
        profile_subset(segmented, ["c", "nope", "gone"])
    assert str(info.value) == "feature 'nope' is not in the profile: x, c"
