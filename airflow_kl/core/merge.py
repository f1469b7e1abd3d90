"""References made of counts: counts in the same bins add up, so profiles of
partitions, and the current counts of checked partitions, merge into one
reference without reading any data again (a rolling reference: "the last
three months that passed").

Bins are the same when the bins checksums are (:attr:`Profile.bins_checksum`:
kind, value type, edges or categories of every feature, a pair's cells); a
pair's tables add up cell by cell as the features' counts do. Anything else is
refused, since counts of other bins do not add up. The merged profile records
what it holds in ``metadata["merged_from"]``.

>>> from airflow_kl.core.profile import FeatureProfile, Profile
>>> jan = Profile({"x": FeatureProfile("x", "numeric", (3, 1, 0), edges=(0.0,))},
...               metadata={"partition": "2013-01"})
>>> feb = Profile({"x": FeatureProfile("x", "numeric", (2, 4, 1), edges=(0.0,))},
...               metadata={"partition": "2013-02"})
>>> both = merge_profiles([jan, feb])
>>> both.features["x"].counts, both.metadata["merged_from"]
((5, 5, 1), ['2013-01', '2013-02'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .errors import ConfigError, ProfileError
from .inputs import instance_of
from .pair_profile import with_tables
from .profile import Profile, _now
from .results import DriftReport


def merge_profiles(
    profiles: Sequence[Profile], metadata: Mapping[str, Any] | None = None
) -> Profile:
    """One profile whose counts are the sums of ``profiles``' counts (same bins).

    Each part is named in ``merged_from`` by its ``metadata["partition"]``, or
    its checksum when it has none.

    Parameters
    ----------
    profiles
        Profiles with the same bins (the same ``bins_checksum``), at least one.
    metadata
        Anything to record with the merged profile (strict JSON).
    """
    for part in _sequence(profiles, "profiles"):
        instance_of(part, Profile, "each of profiles", " (Profile.load(path))")
    if not profiles:
        raise ProfileError("nothing to merge: give at least one profile")
    base = profiles[0]
    for i, part in enumerate(profiles[1:], start=2):
        _require_same_bins(base, part.bins_checksum, f"profile {i}", part.features)
    counts = _sum([{n: f.counts for n, f in p.features.items()} for p in profiles])
    groups = None
    if base.segments is not None:
        parts = [p.segments.counts for p in profiles if p.segments is not None]
        groups = [_sum([part[i] for part in parts]) for i in range(len(base.segments.counts))]
    tables = {
        pair.features: np.sum([p.pairs[i].count_array for p in profiles], axis=0)
        for i, pair in enumerate(base.pairs)
    }
    names = [str(p.metadata.get("partition") or p.checksum) for p in profiles]
    return _with_counts(base, counts, names, metadata, groups, tables)


def _sequence(values: Any, what: str) -> Sequence:
    """``values`` if it is a list or tuple (one profile or one name is not)."""
    if not isinstance(values, (list, tuple)):
        raise ConfigError(f"{what} must be a list, got {values!r}")
    return values


def _sum(parts: Sequence[Mapping[str, Sequence[int]]]) -> dict[str, list[int]]:
    """Bin by bin sums of ``{feature: counts}`` in the same bins."""
    return {name: np.sum([p[name] for p in parts], axis=0).tolist() for name in parts[0]}


def _current(report_features: Mapping[str, Any], names) -> dict[str, list[int]]:
    return {n: [b.current_count for b in report_features[n].bins] for n in names}


def reference_from_reports(
    profile: Profile,
    reports: Sequence[DriftReport],
    partitions: Sequence[str],
    metadata: Mapping[str, Any] | None = None,
) -> Profile:
    """A reference made of checked partitions: ``profile``'s bins, counts summed
    from the reports' current counts. ``partitions`` names each report (its
    partition key) in ``merged_from``.

    A report is refused unless it was counted in ``profile``'s bins (the same
    bins checksum) and holds every feature of ``profile``.

    Parameters
    ----------
    profile
        The profile whose bins the reports were counted in.
    reports
        The checked partitions' :class:`~airflow_kl.DriftReport` objects.
    partitions
        One name per report (its partition key, ``"2013-06"``), in the same order.
    metadata
        Anything to record with the new reference (strict JSON).
    """
    instance_of(profile, Profile, "profile", " (Profile.load(path))")
    for report in _sequence(reports, "reports"):
        instance_of(report, DriftReport, "each of reports", " (DriftReport.load(path))")
    for name in _sequence(partitions, "partitions"):
        instance_of(name, str, "each partition name")
    if not reports:
        raise ProfileError("nothing to merge: give at least one report")
    if len(partitions) != len(reports):
        raise ProfileError(f"{len(reports)} reports but {len(partitions)} partition names")
    names = list(profile.features)
    for name_of_part, report in zip(partitions, reports, strict=True):
        where = f"report of partition {name_of_part!r}"
        _require_same_bins(profile, report.bins_checksum, where, report.features)
        if profile.segments is not None and len(report.segments) != len(profile.segments.counts):
            raise ProfileError(f"cannot merge: the {where} was not judged per segment")
        for pair in profile.pairs:
            if pair.features not in report.pairs:
                raise ProfileError(f"cannot merge: the {where} has no counts of pair {pair.name!r}")
    counts = _sum([_current(r.features, names) for r in reports])
    groups = None
    if profile.segments is not None:
        groups = [
            _sum([_current(r.segments[i].features, names) for r in reports])
            for i in range(len(profile.segments.counts))
        ]
    tables = {
        p.features: np.sum([r.pairs[p.features].current_counts for r in reports], axis=0)
        for p in profile.pairs
    }
    names = [str(p) for p in partitions]
    return _with_counts(profile, counts, names, metadata, groups, tables)


def _require_same_bins(base: Profile, checksum: str, where: str, features: Mapping) -> None:
    missing = [n for n in base.features if n not in features]
    if missing:
        raise ProfileError(f"cannot merge: the {where} lacks feature {missing[0]!r}")
    if checksum != base.bins_checksum:
        raise ProfileError(
            f"cannot merge: the {where} was counted in other bins (bins checksum "
            f"{checksum or 'unknown'}, the reference's is {base.bins_checksum}); counts "
            "add up only in the same bins"
        )


def _with_counts(
    base: Profile,
    counts: Mapping[str, Sequence[int]],
    names: list[str],
    metadata: Mapping[str, Any] | None,
    groups: Sequence[Mapping[str, Sequence[int]]] | None = None,
    tables: Mapping[tuple[str, str], np.ndarray] | None = None,
) -> Profile:
    features = {name: f.with_counts(counts[name]) for name, f in base.features.items()}
    segments = None if groups is None else replace(base.segments, counts=tuple(groups))
    pairs = with_tables(base.pairs, tables or {})
    return replace(
        base,
        features=features,
        created_at=_now(),
        metadata={**dict(metadata or {}), "merged_from": names},
        segments=segments,
        pairs=pairs,
    )
