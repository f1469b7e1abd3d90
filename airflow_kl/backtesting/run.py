"""Run a backtest: count every partition of one source in one pass, then
judge each partition exactly as a separate check of its rows would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..api import check_settings, compare_groups, count_partition_bins, judged_segments
from ..core.compare import profiled_features, selected_pairs
from ..core.errors import SourceError
from ..core.inputs import instance_of
from ..core.partitions import check_every, check_partition_by
from ..core.profile import Profile
from ..core.settings import CheckSettings
from .timeline import Backtest


def backtest(
    profile: Profile,
    data: Any,
    partition_by: str,
    *,
    every: str | None = None,
    features: list[str] | None = None,
    progress: Callable[[int], None] | None = None,
    settings: CheckSettings | None = None,
    pairs: Any = None,
    **options: Any,
) -> Backtest:
    """Judge every partition of ``data`` (rows grouped by ``partition_by``;
    dates bucketed by ``every``: ``day``, ``week`` or ``month``) against
    ``profile``, counting all of them in one pass.

    Each partition's report equals :func:`airflow_kl.check_drift` of its rows
    with the same ``settings`` (or check ``options``): the same counts, the
    same correction within the partition's check, its segments judged when
    the profile has them.

    Parameters
    ----------
    profile
        The reference profile.
    data
        The partitions' rows, all together: any source the resolver takes (a
        DataFrame, an Arrow table, files or a folder, a Spark DataFrame, an
        :func:`airflow_kl.sql` source).
    partition_by
        The column whose values name the partitions.
    every
        With a datetime ``partition_by``, the period one partition spans
        (``"day"``, ``"week"``, ``"month"``, ``"quarter"``, ``"year"``).
    features
        The features to judge (default: all of the profile's).
    progress
        Called with the rows of each batch read, for a progress bar.
    settings
        Ready :class:`~airflow_kl.CheckSettings`, instead of ``options``.
    pairs
        The profile's pairs to judge in every partition (``"a:b"``): by default
        every pair whose two features are judged; ``[]`` for none.
    **options
        Check options by name (see :class:`~airflow_kl.CheckSettings`).
    """
    instance_of(profile, Profile, "profile", " (Profile.load(path))")
    settings = check_settings(settings, options)
    partition_by, every = check_partition_by(partition_by), check_every(every)
    names = profiled_features(profile, features)
    settings.check_features(names)  # before any data is read
    segments = judged_segments(profile, settings)
    wanted = {n: profile.features[n] for n in names}
    judged = selected_pairs(profile, pairs, names)
    found = count_partition_bins(wanted, data, partition_by, segments, every, progress, judged)
    if not found:
        raise SourceError("the data to backtest has no rows: no partition to judge")
    reports = {
        label: compare_groups(profile, groups, settings, features, segments)
        for label, groups in found.items()
    }
    return Backtest(partition_by, every, reports)
