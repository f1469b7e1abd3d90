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

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

import numpy as np

from .core.binning import check_bins, check_top_k
from .core.compare import compare_counts, profiled_features, selected_pairs
from .core.errors import ConfigError
from .core.inputs import instance_of
from .core.options import DEFAULT_MAX_SEGMENTS
from .core.pair_choice import AUTO, choose_pairs, read_auto
from .core.pair_profile import PAIR_BINS, PairProfile, pair_cells, read_pairs, with_tables
from .core.partitions import label_partitions
from .core.profile import (
    FORMAT_VERSION,
    PAIRED_VERSION,
    SEGMENTED_VERSION,
    FeatureProfile,
    Profile,
)
from .core.results import DriftReport
from .core.segments import (
    SegmentProfile,
    check_max_segments,
    check_segment_by,
    top_segments,
)
from .core.settings import CheckSettings
from .core.values import NULL
from .sources.profiling import check_binning
from .sources.resolve import resolve
from .sources.source import GroupBy, Source, check_counts_pairs, empty_groups

log = logging.getLogger(__name__)
Data = Any  # anything :func:`airflow_kl.sources.resolve.resolve` takes: a frame, a path, ak.sql()


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
    pairs: Any = None,
) -> Profile:
    """Summarise a reference table into per-feature bins and counts.

    ``features`` defaults to every numeric and categorical column (datetimes
    are profiled, as epoch nanoseconds, only when named). ``edges`` gives
    explicit bin edges for some numeric features. ``segment_by`` (string or
    boolean columns) also keeps the counts of each of the ``max_segments``
    largest segments, and of the rest as OTHER, in the same bins
    (:mod:`airflow_kl.core.segments`). A segment column may be a feature too:
    judged over all rows, it tells when the mix of segments changes.

    Parameters
    ----------
    reference
        The reference data. Any source the resolver takes: a pandas or Polars DataFrame, an Arrow
        table, a Parquet or CSV file or folder (a local path or an fsspec
        URI), a Spark DataFrame, or an :func:`airflow_kl.sql` source.
    features
        Columns to profile (default: every numeric, boolean and string column).
    bins
        Value bins per numeric feature, 1 to 1000 (MISSING is one more).
    top_k
        Categories kept per categorical feature, the most frequent first; the
        rest count in OTHER.
    binning
        ``"quantile"`` (bins of equal reference rows) or ``"uniform"`` (bins of
        equal width between the finite minimum and maximum).
    edges
        Explicit, increasing bin edges for some numeric features, by name.
    metadata
        Anything to record with the profile (strict JSON).
    segment_by
        A column or columns (string or boolean) whose segments are counted too;
        None for no segments.
    max_segments
        Segments kept, the largest first; the rest count as OTHER.
    pairs
        Pairs of profiled features whose joint counts are kept, to judge how
        they move together (:mod:`airflow_kl.core.pairs`): ``[("a", "b")]``,
        ``["a:b"]`` or ``"a:b,c:d"``; or ``"auto"`` (``"auto:N"``: at most N,
        10 by default), the pairs of largest bias-corrected mutual information
        in the reference (:mod:`airflow_kl.core.pair_choice`), recorded with
        their scores in ``settings["pairs_picked"]``. Not with ``segment_by``
        (for now).
    """
    bins, top_k = check_bins(bins), check_top_k(top_k)
    check_binning(binning)
    by, max_segments = check_segment_by(segment_by), check_max_segments(max_segments)
    most = read_auto(pairs)
    wanted_pairs = read_pairs(pairs) if most is None else ()
    if (wanted_pairs or most) and by:
        raise ConfigError("pairs with segment_by are not supported yet: build one or the other")
    source = resolve(reference)
    check_counts_pairs(source, wanted_pairs or most)
    profiled = source.profile(features, bins, top_k, binning, edges)
    settings = {"bins": bins, "top_k": top_k, "binning": binning, "format_version": FORMAT_VERSION}
    settings.update(profiled.settings)
    profile = Profile(profiled.features, settings=settings, metadata=dict(metadata or {}))
    if most is not None:
        return with_pairs(profile, source, list(combinations(profile.features, 2)), most)
    if wanted_pairs:
        return with_pairs(profile, source, wanted_pairs)
    if not by:
        return profile
    rows, values = source.segment_rows(by)
    keys = top_segments(rows, max_segments)
    values = tuple("string" if v == NULL else v for v in values)
    stub = SegmentProfile(by, keys, empty_groups(profile.features, len(keys) + 1), values)
    groups = count_segment_bins(profile.features, source, stub)
    settings = {
        **profile.settings,
        "format_version": SEGMENTED_VERSION,
        "max_segments": max_segments,
    }
    return replace(profile, settings=settings, segments=replace(stub, counts=tuple(groups)))


def with_pairs(
    profile: Profile, source: Source, pairs: Sequence[tuple[str, str]], most: int | None = None
) -> Profile:
    """``profile`` with the joint counts of ``pairs``: their cells from the
    features' counts (:func:`~airflow_kl.core.pair_profile.pair_cells`), then
    one more pass of the reference's rows. With ``most``, ``pairs`` are the
    candidates and the ``most`` of largest corrected mutual information are
    kept (:func:`~airflow_kl.core.pair_choice.choose_pairs`)."""
    stubs = tuple(pair_cells(profile.features, pairs))
    names = {n for pair in pairs for n in pair}
    features = {n: fp for n, fp in profile.features.items() if n in names}
    tables = source.count(features, GroupBy(pairs=stubs)).totals()
    settings = dict(profile.settings)
    if most is not None:
        picked = choose_pairs({p.features: tables[p.features] for p in stubs}, most)
        by_name = {":".join(p.features): p for p in stubs}
        stubs = tuple(by_name[c["pair"]] for c in picked)
        settings.update(pairs=AUTO, max_pairs=most, pairs_picked=picked)
        log.info("pairs picked by mutual information: %s", ", ".join(c["pair"] for c in picked))
    if stubs:
        settings.update(format_version=PAIRED_VERSION, pair_bins=PAIR_BINS)
    return replace(profile, settings=settings, pairs=with_tables(stubs, tables))


def segment_rows(data: Data, by: tuple[str, ...]) -> tuple[dict, tuple[str, ...]]:
    """Rows per combination of the segment columns, and their value types."""
    return resolve(data).segment_rows(by)


def _check_counted(features: Any, segments: Any, segments_needed: bool) -> None:
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
    """Per segment (OTHER last), the counts of ``data`` in the features' bins: one pass.

    Parameters
    ----------
    features
        The :class:`~airflow_kl.FeatureProfile` objects to count into, by name
        (``profile.features`` or part of it).
    data
        Any source the resolver takes: a pandas or Polars DataFrame, an Arrow
        table, a Parquet or CSV file or folder (a local path or an fsspec
        URI), a Spark DataFrame, or an :func:`airflow_kl.sql` source.
    segments
        The segments to count per (``profile.segments``).
    progress
        Called with the number of rows of each batch read (file and frame
        sources), for a progress bar; None for none.
    """
    _check_counted(features, segments, segments_needed=True)
    return resolve(data).count(features, GroupBy(segments), progress).groups


def count_partition_bins(
    features: Mapping[str, Any],
    data: Data,
    partition_by: str,
    segments: SegmentProfile | None = None,
    every: str | None = None,
    progress: Callable[[int], None] | None = None,
    pairs: Sequence[PairProfile] = (),
) -> dict[str, list[dict[Any, np.ndarray]]]:
    """Per partition of ``data`` (``{label: groups}`` in partition order; see
    :mod:`airflow_kl.core.partitions`), the counts in the features' bins, per
    segment of ``segments`` (OTHER last) or in one group: one pass.

    Parameters
    ----------
    features
        The :class:`~airflow_kl.FeatureProfile` objects to count into, by name.
    data
        Any source the resolver takes: a pandas or Polars DataFrame, an Arrow
        table, a Parquet or CSV file or folder (a local path or an fsspec
        URI), a Spark DataFrame, or an :func:`airflow_kl.sql` source.
    partition_by
        The column whose values name the partitions (a hive folder's key, a
        date column).
    segments
        The segments to count per, or None for one group per partition.
    every
        With a datetime ``partition_by``, the period one partition spans
        (``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``); None
        takes each value as a partition.
    progress
        Called with the number of rows of each batch read (file and frame
        sources), for a progress bar; None for none.
    pairs
        Pairs whose tables are counted per partition too, each under the key
        ``(a, b)`` of the partition's group (not with ``segments``).
    """
    _check_counted(features, segments, segments_needed=False)
    source = resolve(data)
    check_counts_pairs(source, pairs)
    counted = source.count(features, GroupBy(segments, partition_by, every, tuple(pairs)), progress)
    return label_partitions(counted.parts, counted.value, every, partition_by)


def _require_profile(profile: Any) -> Profile:
    return instance_of(profile, Profile, "profile", " (Profile.load(path))")


def count_bins(
    profile: Profile,
    data: Data,
    features: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Current counts of ``data`` in the profile's bins, per feature.

    Parameters
    ----------
    profile
        The reference profile whose bins are counted into.
    data
        Any source the resolver takes: a pandas or Polars DataFrame, an Arrow
        table, a Parquet or CSV file or folder (a local path or an fsspec
        URI), a Spark DataFrame, or an :func:`airflow_kl.sql` source.
    features
        The features to count (default: all of the profile's).
    progress
        Called with the number of rows of each batch read (file and frame
        sources), for a progress bar; None for none.
    """
    _require_profile(profile)
    wanted = {n: profile.features[n] for n in profiled_features(profile, features)}
    return resolve(data).count(wanted, progress=progress).totals()


def count_profile(
    profile: Profile, data: Data, metadata: Mapping[str, Any] | None = None
) -> Profile:
    """``data`` counted into ``profile``'s bins, as a profile: the part of a
    merged or rolling reference (:func:`airflow_kl.core.merge.merge_profiles`).

    Parameters
    ----------
    profile
        The profile whose bins (and settings) the new one takes.
    data
        The rows to count (any source, as for :func:`build_profile`).
    metadata
        Anything to record with the new profile (strict JSON).

    Examples
    --------
    >>> import pandas as pd
    >>> base = build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}), bins=2)
    >>> count_profile(base, pd.DataFrame({"x": [0.0, 9.0, 9.5]})).features["x"].counts
    (1, 2, 0)
    """
    _require_profile(profile)
    source = resolve(data)
    check_counts_pairs(source, profile.pairs)
    counts = source.count(profile.features, GroupBy(pairs=profile.pairs)).totals()
    features = {n: f.with_counts(counts[n]) for n, f in profile.features.items()}
    return Profile(
        features,
        settings=dict(profile.settings),
        metadata=dict(metadata or {}),
        pairs=with_tables(profile.pairs, counts),
    )


def check_drift(
    profile: Profile,
    current: Data,
    features: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    settings: CheckSettings | None = None,
    pairs: Any = None,
    **options: Any,
) -> DriftReport:
    """Count ``current`` into the profile's bins and judge each feature (and
    each of the profile's pairs).

    ``options`` are the check options of :data:`airflow_kl.core.settings.OPTIONS`
    (``threshold``, ``alpha``, ``smoothing``, ``min_rows``, ``correction``,
    ``direction``, ``base``, ``drift_share``), validated before any data is
    read; or pass a ready ``settings``.

    Parameters
    ----------
    profile
        The reference profile (:meth:`Profile.load <airflow_kl.Profile.load>`).
    current
        The data to judge. Any source the resolver takes: a pandas or Polars DataFrame, an Arrow
        table, a Parquet or CSV file or folder (a local path or an fsspec
        URI), a Delta Lake or Iceberg table (:func:`airflow_kl.delta`,
        :func:`airflow_kl.iceberg`), a Spark DataFrame, or an
        :func:`airflow_kl.sql` source.
    features
        The features to judge (default: all of the profile's).
    progress
        Called with the number of rows of each batch read (file and frame
        sources), for a progress bar; None for none.
    settings
        Ready :class:`~airflow_kl.CheckSettings`, instead of ``options``.
    pairs
        The profile's pairs to judge (``[("a", "b")]``, ``"a:b,c:d"``): by
        default every pair whose two features are judged; ``[]`` for none.
    **options
        Check options by name (see :class:`~airflow_kl.CheckSettings`), as
        values or their text forms (``threshold="0.1,dep_delay=0.2"``).
    """
    _require_profile(profile)
    settings = check_settings(settings, options)
    segments = judged_segments(profile, settings)
    source = resolve(current)
    if profile.pairs or pairs:
        report = _check_with_pairs(profile, source, features, progress, settings, pairs)
    elif segments is None:
        counts = count_bins(profile, source, features, progress)
        report = compare_counts(profile, counts, settings, features)
    else:
        wanted = {n: profile.features[n] for n in profiled_features(profile, features)}
        groups = count_segment_bins(wanted, source, segments, progress)
        report = compare_groups(profile, groups, settings, features, segments)
    read_version = getattr(source, "read_version", None)
    return replace(report, data_version=read_version()) if read_version else report


def _check_with_pairs(profile, current, features, progress, settings, pairs) -> DriftReport:
    """A check of a profile with pairs: the features and the selected pairs
    (:func:`~airflow_kl.core.compare.selected_pairs`), counted in one pass."""
    wanted = {n: profile.features[n] for n in profiled_features(profile, features)}
    judged = tuple(selected_pairs(profile, pairs, list(wanted)))
    source = resolve(current)
    check_counts_pairs(source, judged)
    totals = source.count(wanted, GroupBy(pairs=judged), progress).totals()
    return compare_counts(
        profile, totals, settings, features, pair_counts=totals, pairs=[p.features for p in judged]
    )


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
    group when it is None: each feature over all rows by the groups' sum, and
    the pairs whose tables the groups hold (under ``(a, b)``)."""
    counts = {n: sum(g[n] for g in groups) for n in groups[0]}
    segment_counts = groups if segments is not None else None
    counted_pairs = [k for k in counts if isinstance(k, tuple)]
    return compare_counts(
        profile,
        counts,
        settings,
        features,
        segment_counts=segment_counts,
        pair_counts=counts,
        pairs=counted_pairs,
    )
