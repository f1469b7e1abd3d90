import json

import pytest

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
    edit(saved, lambda d: d.update(format_version=3))
    with pytest.raises(ProfileError, match="format_version 3.*upgrade"):
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
        (dict(kind="numeric", counts=(1, -2, 3), edges=(1.0,)), "integers >= 0"),
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
    bad = Profile(make_profile().features, metadata={"x": float("nan")})
    with pytest.raises(ProfileError, match="strict JSON"):
        bad.save(saved)
    assert saved.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["p.json"]
