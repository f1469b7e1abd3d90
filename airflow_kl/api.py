"""The public Python API: build a profile, check a partition against it.

>>> import pandas as pd, numpy as np
>>> rng = np.random.default_rng(0)
>>> ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b"], 2000)})
>>> profile = build_profile(ref, bins=5)
>>> report = check_drift(profile, ref.assign(x=ref.x + 1.0))
>>> report.drifted, report.features["x"].status, report.features["c"].status
(True, 'drift', 'ok')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .core.binning import check_bins, check_top_k
from .core.compare import compare_counts, profiled_features
from .core.errors import ConfigError, SourceError
from .core.inputs import instance_of
from .core.options import DEFAULT_MAX_SEGMENTS
from .core.partitions import label_partitions
from .core.profile import FORMAT_VERSION, SEGMENTED_VERSION, FeatureProfile, Profile
from .core.results import DriftReport
from .core.segments import (
    SegmentProfile,
    check_max_segments,
    check_segment_by,
    top_segments,
)
from .core.settings import CheckSettings
from .core.values import NULL
from .sources import partitions as frame_partitions
from .sources import segments as frame_segments
from .sources.files import (
    count_files,
    count_files_partitions,
    count_files_segments,
    is_path,
    profile_files,
    read_table,
    segment_rows_files,
)
from .sources.frame import (
    count_frame,
    engine_of,
    get_column,
    profile_column,
    select_features,
)
from .sources.profiling import check_binning
from .sources.threads import map_columns

Data = Any  # pandas DataFrame, Arrow Table/RecordBatch, or a file/folder path


def _in_memory(data: Data, columns: list[str] | None = None) -> pd.DataFrame | pa.Table:
    if isinstance(data, (pd.DataFrame, pa.Table)):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if is_path(data):
        return read_table(data, columns)
    raise SourceError(
        f"cannot read data of type {type(data).__name__}: pass a pandas DataFrame, "
        "a pyarrow Table, or a path to Parquet/CSV"
    )


def _pushdown(data: Data) -> Any | None:
    """A source that counts where the data lives (SQL, Spark), or None."""
    if type(data).__module__.startswith("pyspark."):  # classic or Spark Connect
        from .sources.spark import SparkSource

        return SparkSource(data)
    if hasattr(data, "count_bins") and hasattr(data, "profile_features"):
        return data
    return None


def build_profile(
    reference: Data,
    features: list[str] | None = None,
    bins: int = 10,
    top_k: int = 20,
    binning: str = "quantile",
    edges: Mapping[str, list[float]] | None = None,
    metadata: Mapping[str, Any] | None = None,
    segment_by: str | list[str] | None = None,
    max_segments: int = DEFAULT_MAX_SEGMENTS,
) -> Profile:
    """Summarise a reference table into per-feature bins and counts.

    ``features`` defaults to every numeric and categorical column (datetimes
    are profiled, as epoch nanoseconds, only when named). ``edges`` gives
    explicit bin edges for some numeric features. ``segment_by`` (string or
    boolean columns) also keeps the counts of each of the ``max_segments``
    largest segments, and of the rest as OTHER, in the same bins
    (:mod:`airflow_kl.core.segments`). A segment column may be a feature too:
    judged over all rows, it tells when the mix of segments changes.
    """
    bins, top_k = check_bins(bins), check_top_k(top_k)
    check_binning(binning)
    by, max_segments = check_segment_by(segment_by), check_max_segments(max_segments)
    profile = _profile(reference, features, bins, top_k, binning, edges, metadata)
    if not by:
        return profile
    rows, values = segment_rows(reference, by)
    keys = top_segments(rows, max_segments)
    values = tuple("string" if v == NULL else v for v in values)
    stub = SegmentProfile(
        by, keys, frame_segments.empty_groups(profile.features, len(keys) + 1), values
    )
    groups = count_segment_bins(profile.features, reference, stub)
    settings = {
        **profile.settings,
        "format_version": SEGMENTED_VERSION,
        "max_segments": max_segments,
    }
    return replace(profile, settings=settings, segments=replace(stub, counts=tuple(groups)))


def segment_rows(data: Data, by: tuple[str, ...]) -> tuple[dict, tuple[str, ...]]:
    """Rows per combination of the segment columns' values, and their value types."""
    pushdown = _pushdown(data)
    if pushdown is not None:
        return pushdown.segment_rows(by)
    if is_path(data):
        return segment_rows_files(data, by)
    return frame_segments.segment_rows(_in_memory(data, list(by)), by)


def _check_bins(features: Any, segments: Any, segments_needed: bool) -> None:
    """Features to count: FeatureProfiles by name; segments: a SegmentProfile
    (or None, when not ``segments_needed``)."""
    instance_of(features, Mapping, "features", " of name to FeatureProfile")
    for fp in features.values():
        instance_of(fp, FeatureProfile, "each of features")
    if segments_needed or segments is not None:
        instance_of(segments, SegmentProfile, "segments", " (profile.segments)")


def count_segment_bins(
    features: Mapping[str, Any],
    data: Data,
    segments: SegmentProfile,
    progress: Callable[[int], None] | None = None,
) -> list[dict[str, np.ndarray]]:
    """Per segment (OTHER last), the counts of ``data`` in the features' bins: one pass."""
    _check_bins(features, segments, segments_needed=True)
    pushdown = _pushdown(data)
    if pushdown is not None:
        return pushdown.count_segments(features, segments)
    if is_path(data):
        return count_files_segments(data, features, segments, progress)
    table = _in_memory(data)
    return frame_segments.count_segments(
        table, features, segments.by, segments.keys, segments.values
    )


def count_partition_bins(
    features: Mapping[str, Any],
    data: Data,
    partition_by: str,
    segments: SegmentProfile | None = None,
    every: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, list[dict[str, np.ndarray]]]:
    """Per partition of ``data`` (``{label: groups}`` in partition order; see
    :mod:`airflow_kl.core.partitions`), the counts in the features' bins, per
    segment of ``segments`` (OTHER last) or in one group: one pass."""
    _check_bins(features, segments, segments_needed=False)
    pushdown = _pushdown(data)
    if pushdown is not None:
        value, found = pushdown.count_partitions(features, partition_by, segments, every)
    elif is_path(data):
        value, found = count_files_partitions(
            data, features, partition_by, segments, every, progress
        )
    else:
        value, found = frame_partitions.count_partitions(
            _in_memory(data), features, partition_by, segments, every
        )
    return label_partitions(found, value, every, partition_by)


def _profile(reference, features, bins, top_k, binning, edges, metadata) -> Profile:
    """The unsegmented profile, from whichever engine holds the reference."""
    settings = {"bins": bins, "top_k": top_k, "binning": binning, "format_version": FORMAT_VERSION}
    pushdown = _pushdown(reference)
    if pushdown is not None:
        if edges:
            raise ConfigError("explicit edges are supported for in-memory and file data only")
        profiled = pushdown.profile_features(features, bins, top_k, binning)
        if not any(f.n for f in profiled.values()):
            raise SourceError("reference data has no rows; a profile needs at least one")
        return Profile(profiled, settings=settings, metadata=dict(metadata or {}))
    if is_path(reference):
        profiled, note = profile_files(reference, features, bins, top_k, binning, edges)
        return Profile(
            profiled,
            settings={**settings, "edges_from": note["edges_from"]},
            metadata=dict(metadata or {}),
        )
    table = _in_memory(reference, list(features) if features is not None else None)
    if len(table) == 0:
        raise SourceError("reference data has no rows; a profile needs at least one")
    names = select_features(table, features)
    explicit = dict(edges or {})
    unknown = sorted(set(explicit) - set(names))
    if unknown:
        raise ConfigError(f"edges given for {unknown[0]!r}, which is not a profiled feature")
    engine = engine_of(table)
    args = [
        (name, get_column(table, name), bins, top_k, binning, explicit.get(name), engine)
        for name in names
    ]
    profiled = dict(zip(names, map_columns(profile_column, args, len(table)), strict=True))
    return Profile(profiled, settings=settings, metadata=dict(metadata or {}))


def _require_profile(profile: Any) -> Profile:
    return instance_of(profile, Profile, "profile", " (Profile.load(path))")


def count_bins(
    profile: Profile,
    data: Data,
    features: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Current counts of ``data`` in the profile's bins, per feature."""
    _require_profile(profile)
    wanted = {n: profile.features[n] for n in profiled_features(profile, features)}
    pushdown = _pushdown(data)
    if pushdown is not None:
        return pushdown.count_bins(wanted)
    if is_path(data):
        return count_files(data, wanted, progress)
    return count_frame(_in_memory(data), wanted)


def count_profile(
    profile: Profile, data: Data, metadata: Mapping[str, Any] | None = None
) -> Profile:
    """``data`` counted into ``profile``'s bins, as a profile: the part of a
    merged or rolling reference (:func:`airflow_kl.core.merge.merge_profiles`).

    >>> import pandas as pd
    >>> base = build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), bins=2)
    >>> count_profile(base, pd.DataFrame({"x": [0.0, 9.0, 9.5]})).features["x"].counts
    (1, 2, 0)
    """
    counts = count_bins(profile, data)  # which checks the profile
    features = {n: f.with_counts(counts[n]) for n, f in profile.features.items()}
    return Profile(features, settings=dict(profile.settings), metadata=dict(metadata or {}))


def check_drift(
    profile: Profile,
    current: Data,
    features: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    settings: CheckSettings | None = None,
    **options: Any,
) -> DriftReport:
    """Count ``current`` into the profile's bins and judge each feature.

    ``options`` are the check options of :data:`airflow_kl.core.settings.OPTIONS`
    (``threshold``, ``alpha``, ``smoothing``, ``min_rows``, ``correction``,
    ``direction``, ``base``, ``drift_share``), validated before any data is
    read; or pass a ready ``settings``. ``progress``, for file sources, is
    called with the rows of each batch read.
    """
    _require_profile(profile)
    settings = check_settings(settings, options)
    segments = judged_segments(profile, settings)
    if segments is None:
        counts = count_bins(profile, current, features, progress)
        return compare_counts(profile, counts, settings, features)
    wanted = {n: profile.features[n] for n in profiled_features(profile, features)}
    groups = count_segment_bins(wanted, current, segments, progress)
    return compare_groups(profile, groups, settings, features, segments)


def check_settings(settings: CheckSettings | None, options: Mapping[str, Any]) -> CheckSettings:
    """``settings``, or the check ``options`` validated into settings (not both)."""
    if settings is None:
        return CheckSettings.from_options(options)
    if options:
        raise ConfigError(f"give settings or options, not both: {sorted(options)}")
    return settings


def judged_segments(profile: Profile, settings: CheckSettings) -> SegmentProfile | None:
    """The profile's segments when the check judges them (see
    :meth:`CheckSettings.segments_of`), else None."""
    by = settings.segments_of(profile.segments.by if profile.segments else None)
    return profile.segments if by else None


def compare_groups(
    profile: Profile,
    groups: list[Mapping[str, Any]],
    settings: CheckSettings,
    features: list[str] | None,
    segments: SegmentProfile | None,
) -> DriftReport:
    """Judge counts given per segment of ``segments`` (OTHER last), or in one
    group when it is None: each feature over all rows by the groups' sum."""
    counts = {n: sum(g[n] for g in groups) for n in groups[0]}
    segment_counts = groups if segments is not None else None
    return compare_counts(profile, counts, settings, features, segment_counts=segment_counts)
