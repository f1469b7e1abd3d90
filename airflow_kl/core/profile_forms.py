"""A profile given by value, JSON dict, JSON text or path, and the forms a
GX suite keeps it in: compact text, cut to a family of features.

Parsing is cached per text: a GX run asks for the same profile once per
expectation and metric.

>>> import pandas as pd
>>> from airflow_kl import build_profile
>>> p = build_profile(pd.DataFrame({"x": [1.0, 2.0], "y": ["a", "b"]}), bins=2)
>>> text = profile_text(profile_subset(p, ["y"]))
>>> list(load_profile(text).features), load_profile(text).metadata["cut_from"] == p.checksum
(['y'], True)
"""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from typing import Any

from .errors import SchemaError
from .profile import Profile


def load_profile(profile: Any) -> Profile:
    """A Profile from a Profile, its JSON dict or text, or a path/URI to its file.

    Parameters
    ----------
    profile
        The profile in any of those forms; what none of them reads raises
        :class:`~airflow_kl.ProfileError`.
    """
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, dict):
        return Profile.from_dict(profile)
    if is_profile_text(profile):
        return profile_from_text(profile)
    return Profile.load(profile)


def is_profile_text(profile: Any) -> bool:
    """A profile given as JSON text (not a path)."""
    return isinstance(profile, str) and profile.lstrip().startswith("{")


@functools.lru_cache(maxsize=64)
def profile_from_text(text: str) -> Profile:
    """Parsed (and checksum-verified) once per text: GX asks for it many times a run."""
    return Profile.from_json(text)


@functools.lru_cache(maxsize=64)
def text_checksums(text: str) -> tuple[str, str]:
    """``(checksum, bins_checksum)`` of a profile text, computed once per text."""
    profile = profile_from_text(text)
    return profile.checksum, profile.bins_checksum


def profile_text(profile: Profile) -> str:
    """A profile as compact JSON text, the form an expectation keeps it in."""
    return json.dumps(profile.to_dict(), separators=(",", ":"), allow_nan=False)


def profile_subset(profile: Profile, features: list[str]) -> Profile:
    """The profile cut to ``features``, remembering where it came from."""
    missing = [f for f in features if f not in profile.features]
    if missing:
        raise SchemaError(
            f"feature {missing[0]!r} is not in the profile: {', '.join(profile.features)}"
        )
    if list(profile.features) == list(features):
        return profile
    metadata = {**profile.metadata, "cut_from": profile.checksum}
    segments = profile.segments
    if segments is not None:
        groups = tuple({n: g[n] for n in features} for g in segments.counts)
        segments = replace(segments, counts=groups)
    return Profile(
        {name: profile.features[name] for name in features},
        settings=profile.settings,
        created_at=profile.created_at,
        metadata=metadata,
        segments=segments,
        pairs=tuple(p for p in profile.pairs if set(p.features) <= set(features)),
    )
