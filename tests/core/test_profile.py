import json
import struct
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.errors import ProfileError
from airflow_kl.core.profile import FeatureProfile, Profile


def make_profile() -> Profile:
    return Profile(
        {
            "x": FeatureProfile("x", "numeric", counts=(3, 4, 5, 1), edges=(0.5, 2.0)),
            "c": FeatureProfile("c", "categorical", counts=(7, 2, 1, 0), categories=("a", "b")),
        },
        settings={"bins": 3, "top_k": 2},
    )


def test_round_trip_and_checksum(tmp_path):
    profile = make_profile()
    path = tmp_path / "p.json"
    checksum = profile.save(path)
    assert checksum.startswith("sha256:") and len(checksum) == 71
    loaded = Profile.load(path)
    assert loaded == profile and loaded.checksum == checksum
    text = path.read_text()
    assert "NaN" not in text and json.loads(text)["format_version"] == 2
    assert json.loads(text)["features"]["c"]["value"] == "string"


def test_version_1_profiles_still_load_with_their_value_types(tmp_path):
    """0.1 wrote format_version 1 (kind + a datetime flag, no value type)."""
    import hashlib

    from airflow_kl.core.profile import canonical_json

    body = {
        "format": "airflow-kl/profile",
        "format_version": 1,
        "created_at": "2024-01-01T00:00:00+00:00",
        "settings": {"bins": 3},
        "metadata": {},
        "features": {
            "b": {
                "kind": "categorical",
                "counts": [2, 1, 0, 0],
                "categories": ["True", "False"],
                "source_type": "bool",
            },
            "t": {"kind": "numeric", "counts": [1, 2, 0], "edges": [5.0], "datetime": True},
            "x": {"kind": "numeric", "counts": [1, 2, 0], "edges": [5.0]},
        },
    }
    digest = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({**body, "checksum": f"sha256:{digest}"}))
    loaded = Profile.load(path)
    assert {n: f.value for n, f in loaded.features.items()} == {
        "b": "boolean",
        "t": "datetime",
        "x": "number",
    }
    edit(path, lambda d: d["features"]["x"].update(counts=[1, 2, 1]))
    with pytest.raises(ProfileError, match="checksum mismatch"):
        Profile.load(path)


def test_save_leaves_no_temp_files(tmp_path):
    make_profile().save(tmp_path / "p.json")
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


def edit(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "p.json"
    make_profile().save(path)
    return path


def test_edited_profile_fails_checksum(saved):
    edit(saved, lambda d: d["features"]["x"]["counts"].__setitem__(0, 99))
    with pytest.raises(ProfileError, match="checksum mismatch"):
        Profile.load(saved)


def test_truncated_profile(saved):
    saved.write_text(saved.read_text()[:100])
    with pytest.raises(ProfileError, match="not valid JSON"):
        Profile.load(saved)


def test_future_version(saved):
    edit(saved, lambda d: d.update(format_version=5))
    with pytest.raises(ProfileError, match="format_version 5.*upgrade"):
        Profile.load(saved)


def test_wrong_format(saved):
    edit(saved, lambda d: d.update(format="something-else"))
    with pytest.raises(ProfileError, match="'something-else'"):
        Profile.load(saved)


def test_nan_token_rejected(saved):
    saved.write_text(saved.read_text().replace("0.5", "NaN", 1))
    with pytest.raises(ProfileError, match="NaN"):
        Profile.load(saved)


def test_duplicate_keys_rejected(saved):
    saved.write_text('{"format": "a", "format": "b"}')
    with pytest.raises(ProfileError, match="repeats the key 'format'"):
        Profile.load(saved)


@pytest.mark.parametrize(
    "kwargs,match",
    [
        (dict(kind="numeric", counts=(1, 2, 3), edges=(2.0, 1.0)), "strictly increasing"),
        (dict(kind="numeric", counts=(1, -2, 3), edges=(1.0,)), "integers in"),
        (dict(kind="numeric", counts=(1, 2), edges=(1.0,)), "expected 3 counts"),
        (dict(kind="numeric", counts=(1, 2, 3), edges=(float("nan"),)), "finite"),
        (dict(kind="categorical", counts=(1, 2, 3, 0), categories=("a", "a")), "unique"),
        (dict(kind="text", counts=(1,)), "kind must be"),
    ],
)
def test_invalid_features(kwargs, match):
    with pytest.raises(ProfileError, match=match):
        FeatureProfile("f", **kwargs)


def test_invalid_edges_in_file_with_valid_checksum(tmp_path):
    # a hand-made file whose checksum is right but whose edges are not increasing
    profile = make_profile()
    data = profile.to_dict()
    data["features"]["x"]["edges"] = [2.0, 0.5]
    with pytest.raises(ProfileError, match="strictly increasing"):
        Profile.from_dict(data)


def test_failed_save_keeps_previous_file(saved, tmp_path):
    before = saved.read_text()
    bad = Profile(make_profile().features, metadata={"x": 1.0})
    bad.metadata["x"] = float("nan")  # made strict, changed since
    with pytest.raises(ProfileError, match="strict JSON"):
        bad.save(saved)
    assert saved.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]


GOLDEN = Path(__file__).with_name("data") / "profile-v2.json"


def golden_profile() -> Profile:
    return Profile(
        {
            "delay": FeatureProfile(
                "delay", "numeric", counts=(3, 4, 5, 1), edges=(-0.5, 2.25), source_type="float64"
            ),
            "when": FeatureProfile(
                "when",
                "numeric",
                counts=(2, 2, 0),
                edges=(1.6e18,),
                value="datetime",
                source_type="datetime64[ns]",
            ),
            "carrier": FeatureProfile(
                "carrier", "categorical", counts=(7, 2, 1, 0), categories=("UA", "AA")
            ),
            "late": FeatureProfile(
                "late",
                "categorical",
                counts=(5, 3, 0, 2),
                categories=("False", "True"),
                value="boolean",
                source_type="bool",
            ),
        },
        settings={"bins": 3, "top_k": 2, "binning": "quantile", "format_version": 2},
        created_at="2026-01-31T12:00:00+00:00",
        metadata={"reference": "flights 2013-01", "rows": 13},
    )


def test_the_file_format_is_byte_stable():
    """A committed version-2 file: the same profile writes the same bytes (diffs
    in version control stay meaningful), and it loads and verifies."""
    import hashlib

    profile = golden_profile()
    assert profile.to_json() == GOLDEN.read_text()
    assert Profile.load(GOLDEN) == profile
    data = json.loads(GOLDEN.read_text())
    body = {k: v for k, v in data.items() if k != "checksum"}
    compact = json.dumps(body, sort_keys=True, separators=(",", ":"))  # the documented rule
    assert data["checksum"] == "sha256:" + hashlib.sha256(compact.encode()).hexdigest()
    assert profile.checksum == data["checksum"]
    assert Profile.load(GOLDEN).metadata == {"reference": "flights 2013-01", "rows": 13}
    assert Profile.load(GOLDEN).features["when"].datetime is True
    assert Profile.load(GOLDEN).features["late"].value == "boolean"


def test_defaults_of_a_minimal_file():
    """Fields a hand-written file may leave out take their defaults."""
    import hashlib

    body = {
        "format": "airflow-kl/profile",
        "format_version": 2,
        "features": {"x": {"kind": "numeric", "value": "number", "counts": [1, 0], "edges": []}},
    }
    compact = json.dumps(body, sort_keys=True, separators=(",", ":"))
    data = {**body, "checksum": "sha256:" + hashlib.sha256(compact.encode()).hexdigest()}
    with pytest.raises(ProfileError, match="checksum mismatch"):
        Profile.from_dict(data)  # its own checksum covers created_at, settings, metadata
    loaded = Profile.from_dict({**golden_profile().to_dict()})
    assert loaded.created_at == "2026-01-31T12:00:00+00:00"


def test_a_new_profile_is_stamped_in_utc():
    from datetime import datetime

    stamp = make_profile().created_at
    assert stamp.endswith("+00:00") and datetime.fromisoformat(stamp).utcoffset().seconds == 0


def test_value_types_follow_kind_and_datetime_when_not_given():
    assert FeatureProfile("n", "numeric", (1, 0), edges=()).value == "number"
    assert FeatureProfile("t", "numeric", (1, 0), edges=(), datetime=True).value == "datetime"
    assert FeatureProfile("s", "categorical", (1, 0), categories=()).value == "string"
    f = FeatureProfile("n", "numeric", [1, 0, 0], edges=[3])
    assert f.counts == (1, 0, 0) and f.edges == (3.0,) and type(f.edges[0]) is float
    c = FeatureProfile("c", "categorical", [1, 0, 0], categories=["a"])
    assert c.categories == ("a",) and f.to_dict() == {
        "kind": "numeric",
        "value": "number",
        "counts": [1, 0, 0],
        "edges": [3.0],
    }
    assert (
        FeatureProfile("n", "numeric", (1, 0), edges=(), source_type="int8").to_dict()[
            "source_type"
        ]
        == "int8"
    )


def test_version_1_categorical_value_types():
    from airflow_kl.core.profile import _v1_value

    assert _v1_value({"kind": "categorical", "source_type": "object"}) == "string"
    assert _v1_value({"kind": "categorical"}) == "string"
    assert _v1_value({"kind": "categorical", "source_type": "boolean"}) == "boolean"
    assert _v1_value({"kind": "numeric", "datetime": True}) == "datetime"
    assert _v1_value({"kind": "numeric"}) == "number"


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            dict(name="", kind="numeric", counts=(1,), edges=()),
            "feature name must be a non-empty string, got ''",
        ),
        (
            dict(name=3, kind="numeric", counts=(1,), edges=()),
            "feature name must be a non-empty string, got 3",
        ),
        (
            dict(name="f", kind="text", counts=(1,)),
            "feature 'f': kind must be one of ('numeric', 'categorical'), got 'text'",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0), edges=(), value="text"),
            "feature 'f': value must be one of ('number', 'datetime', 'boolean', 'string'), "
            "got 'text'",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0), edges=(), value="string"),
            "feature 'f': string values need categorical bins",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, True), edges=()),
            "feature 'f': counts must be integers in [0, 2**53), got True",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 2.0), edges=()),
            "feature 'f': counts must be integers in [0, 2**53), got 2.0",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, -1), edges=()),
            "feature 'f': counts must be integers in [0, 2**53), got -1",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 2**53), edges=()),
            "feature 'f': counts must be integers in [0, 2**53), got 9007199254740992",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 2**63), edges=()),
            "feature 'f': counts must be integers in [0, 2**53), got 9223372036854775808",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0)),
            "feature 'f': a numeric feature needs edges and no categories",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0), edges=(), categories=()),
            "feature 'f': a numeric feature needs edges and no categories",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0, 0), edges=(float("inf"),)),
            "feature 'f': edges must be finite, got inf",
        ),
        (
            dict(name="f", kind="numeric", counts=(1, 0, 0, 0), edges=(1.0, 1.0)),
            "feature 'f': edges must be strictly increasing, got 1.0 then 1.0",
        ),
        (
            dict(name="f", kind="categorical", counts=(1, 0)),
            "feature 'f': a categorical feature needs categories and no edges",
        ),
        (
            dict(name="f", kind="categorical", counts=(1, 0), categories=(), edges=()),
            "feature 'f': a categorical feature needs categories and no edges",
        ),
        (
            dict(name="f", kind="categorical", counts=(1, 0, 0), categories=(1,)),
            "feature 'f': categories must be strings",
        ),
        (
            dict(name="f", kind="categorical", counts=(1, 0, 0, 0), categories=("a", "a")),
            "feature 'f': categories must be unique",
        ),
        (
            dict(name="f", kind="categorical", counts=(1, 0), categories=("a",)),
            "feature 'f': expected 3 counts, got 2",
        ),
    ],
)
def test_invalid_features_are_named_exactly(kwargs, message):
    with pytest.raises(ProfileError) as info:
        FeatureProfile(**kwargs)
    assert str(info.value) == message


def test_three_increasing_edges_are_fine():
    assert FeatureProfile("f", "numeric", (0,) * 5, edges=(1.0, 2.0, 3.0)).edges == (1.0, 2.0, 3.0)


GOOD = {"kind": "numeric", "value": "number", "counts": [1, 0], "edges": []}


@pytest.mark.parametrize(
    "data,message",
    [
        ([1], "feature 'x' must be an object, got list"),
        ({**GOOD, "bins": 3, "extra": 1}, "feature 'x' has unknown fields ['bins', 'extra']"),
        ({**GOOD, "datetime": True}, "feature 'x' has unknown fields ['datetime']"),
        ({"kind": "numeric", "counts": [1, 0], "edges": []}, "feature 'x' lacks field 'value'"),
        ({**GOOD, "counts": 5}, "feature 'x' is malformed: 'int' object is not iterable"),
    ],
)
def test_invalid_feature_objects_are_named_exactly(data, message):
    with pytest.raises(ProfileError) as info:
        FeatureProfile.from_dict("x", data)
    assert str(info.value) == message


def test_version_1_features_read_the_datetime_flag():
    v1 = {"kind": "numeric", "counts": [1, 0], "edges": [], "datetime": True}
    assert FeatureProfile.from_dict("t", v1, format_version=1).value == "datetime"
    assert FeatureProfile.from_dict("t", {**v1, "datetime": False}, 1).value == "number"
    with pytest.raises(ProfileError, match=r"unknown fields \['value'\]"):
        FeatureProfile.from_dict("t", {**v1, "value": "number"}, format_version=1)


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda d: [d], "a profile is a JSON object, got list"),
        (lambda d: {**d, "format": "other"}, "not an airflow-kl profile: format is 'other'"),
        (
            lambda d: {**d, "format_version": 5},
            "unsupported profile format_version 5 (this airflow-kl reads 1, 2, 3, 4); upgrade "
            "airflow-kl",
        ),
        (
            lambda d: {**d, "format_version": 0},
            "unsupported profile format_version 0 (this airflow-kl reads 1, 2, 3, 4); "
            "rebuild the profile",
        ),
        (
            lambda d: {**d, "format_version": True},
            "unsupported profile format_version True (this airflow-kl reads 1, 2, 3, 4); "
            "rebuild the profile",
        ),
        (lambda d: {**d, "features": []}, "profile field 'features' must be an object"),
        (lambda d: {**d, "features": {}}, "a profile needs at least one feature"),
    ],
)
def test_invalid_profiles_are_named_exactly(change, message):
    with pytest.raises(ProfileError) as info:
        Profile.from_dict(change(golden_profile().to_dict()))
    assert str(info.value) == message


def test_a_feature_under_another_key_is_refused():
    f = FeatureProfile("x", "numeric", (1, 0), edges=())
    with pytest.raises(ProfileError) as info:
        Profile({"y": f})
    assert str(info.value) == "feature key 'y' differs from its name 'x'"


def test_with_counts_keeps_the_bins_and_validates_again():
    f = FeatureProfile("x", "numeric", (0, 0, 0), edges=(1.0,), source_type="int64")
    g = f.with_counts([np.int64(3), 4, 0])
    assert g.counts == (3, 4, 0) and all(type(c) is int for c in g.counts)
    assert (g.edges, g.source_type, g.value) == ((1.0,), "int64", "number")
    with pytest.raises(ProfileError, match="expected 3 counts, got 2"):
        f.with_counts([1, 2])


def test_version_1_files_may_lack_settings_metadata_and_created_at(tmp_path):
    import hashlib

    from airflow_kl.core.profile import canonical_json

    body = {
        "format": "airflow-kl/profile",
        "format_version": 1,
        "features": {"x": {"kind": "numeric", "counts": [1, 2, 0], "edges": [5.0]}},
    }
    digest = hashlib.sha256(canonical_json(body).encode()).hexdigest()
    loaded = Profile.from_dict({**body, "checksum": f"sha256:{digest}"})
    assert (loaded.settings, loaded.metadata, loaded.created_at) == ({}, {}, "")


def test_no_negative_zero_edge_from_any_engine(tmp_path):
    """np.quantile of data holding -0.0 can return -0.0; a profile keeps one zero,
    compared bit for bit (== cannot tell -0.0 from 0.0), so the JSON, the labels
    and the bins checksum do not depend on the sign of a zero in the data."""
    import sqlalchemy as sa

    from airflow_kl.sources.sql import SqlSource

    assert np.signbit(np.quantile(np.array([-0.0] * 100 + [1.0] * 100), 0.1))
    negative = pd.DataFrame({"x": [-0.0] * 100 + [1.0] * 100})
    positive = pd.DataFrame({"x": [0.0] * 100 + [1.0] * 100})
    engines = {"pandas": negative}
    for url in (f"sqlite:///{tmp_path}/z.sqlite", f"duckdb:///{tmp_path}/z.duckdb"):
        engine = sa.create_engine(url)
        negative.to_sql("z", engine, index=False)
        engines[url.split(":")[0]] = SqlSource(engine, table="z")
    want = ak.build_profile(positive).features["x"]
    for name, data in engines.items():
        got = ak.build_profile(data).features["x"]
        assert not np.signbit(got.edges).any(), name
        assert [struct.pack(">d", e) for e in got.edges] == [
            struct.pack(">d", e) for e in want.edges
        ]
        assert got.labels == want.labels, name
    assert "-0.0" not in ak.build_profile(negative).to_json()
    assert ak.build_profile(negative).bins_checksum == ak.build_profile(positive).bins_checksum
    assert not np.signbit(FeatureProfile("x", "numeric", (1, 1, 0), edges=(-0.0,)).edges[0])


def test_metadata_that_is_not_strict_json_is_refused_when_the_profile_is_made():
    """Not first at save: a profile with NaN metadata would have had a checksum
    of 'NaN' text that no saved profile can carry."""
    fp = FeatureProfile("x", "numeric", (1, 1, 0), edges=(0.0,))
    for metadata, shown in (({"a": float("nan")}, "Out of range"), ({"a": {1, 2}}, "set")):
        with pytest.raises(
            ProfileError, match=f"^profile settings or metadata are not strict JSON: .*{shown}"
        ):
            Profile({"x": fp}, metadata=metadata)
    made = Profile({"x": fp}, metadata={"a": 1.5})
    made.metadata["late"] = float("inf")  # changed after it was made: refused at save
    with pytest.raises(ProfileError, match="not strict JSON"):
        made.to_json()


def test_a_features_count_array_is_its_counts_and_read_only():
    fp = ak.FeatureProfile("x", "numeric", (3, 0, 2), edges=(1.0,))
    assert fp.count_array.dtype == np.int64 and fp.count_array.tolist() == [3, 0, 2]
    with pytest.raises(ValueError, match="read-only"):
        fp.count_array[0] = 9
    assert fp.count_array is fp.count_array and fp.labels == ["< 1", ">= 1", "MISSING"]
