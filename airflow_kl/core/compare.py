"""Compare current bin counts with a profile: the one place verdicts are made.

Every entry point (Python API, CLI, GX expectation, Airflow operators) counts
its data into the profile's bins and then calls :func:`compare_counts`.

>>> from airflow_kl.core.profile import FeatureProfile, Profile
>>> prof = Profile({"x": FeatureProfile("x", "numeric", counts=(500, 500, 0), edges=(0.0,))})
>>> rep = compare_counts(prof, {"x": [250, 750, 0]}, CheckSettings())
>>> rep.features["x"].status, round(rep.features["x"].kl, 4)
('drift', 0.1305)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .decision import (
    INSUFFICIENT,
    correct_pvalues,
    dataset_drifted,
    feature_status,
    g_pvalues,
    g_statistics,
)
from .divergence import Divergences, divergences_of_rows
from .errors import ConfigError, SchemaError
from .inputs import count_vector, instance_of
from .option_values import DEFAULT_KEY
from .options import DEFAULTS
from .pair_profile import PairProfile, cell_labels, read_pairs
from .pair_results import PairResult
from .pairs import association_test, pair_divergences
from .profile import FeatureProfile, Profile
from .results import BinResult, DriftReport, FeatureResult, SegmentResult
from .segments import segment_label
from .settings import CheckSettings

DEFAULT_THRESHOLD = DEFAULTS["threshold"]


def profiled_features(profile: Profile, features: list[str] | None) -> list[str]:
    """The features to judge: all profiled ones, or the named ones, which must be
    profiled (the same error from every entry point)."""
    if features is None:
        return list(profile.features)
    if isinstance(features, str):
        raise ConfigError(f"features must be a list of names, got {features!r}")
    unknown = [n for n in features if n not in profile.features]
    if unknown:
        raise ConfigError(
            f"feature {unknown[0]!r} is not in the profile; profiled: {', '.join(profile.features)}"
        )
    return list(features)


@dataclass(frozen=True)
class FeatureStats:
    """One feature's counts and statistics before the multiple-testing step
    (``reference``: the counts it is judged against, the profile's or a
    segment's)."""

    fp: FeatureProfile
    current: np.ndarray
    reference: np.ndarray
    divergence: Divergences
    g: float
    p_raw: float

    @cached_property
    def n_current(self) -> int:
        return int(self.current.sum())

    @cached_property
    def n_reference(self) -> int:
        return int(self.reference.sum())

    def sufficient(self, min_rows: int) -> bool:
        return self.n_current >= min_rows and self.n_reference >= min_rows


def judged_stats(
    pairs: Mapping[Any, tuple[FeatureProfile, Any, np.ndarray]], settings: CheckSettings
) -> dict[Any, FeatureStats]:
    """Per key, a feature's statistics: ``(fp, current counts, reference
    counts)`` judged in ``fp``'s bins. The current counts are checked once;
    the pairs with one bin count are measured and G-tested as rows of one
    matrix (:func:`~airflow_kl.core.divergence.divergences_of_rows`,
    :func:`~airflow_kl.core.decision.g_statistics`), each row's numbers those it
    gives alone, and every p-value comes from one vectorised ``chdtrc`` call."""
    checked = {
        key: (fp, count_vector(counts, f"feature {fp.name!r}", len(fp.counts)), reference)
        for key, (fp, counts, reference) in pairs.items()
    }
    by_width: dict[int, list[Any]] = {}
    for key, (fp, _, _) in checked.items():
        by_width.setdefault(len(fp.counts), []).append(key)
    judged: dict[Any, tuple[Divergences, float, int, float]] = {}
    for keys in by_width.values():
        current = np.array([checked[key][1] for key in keys])
        reference = np.array([checked[key][2] for key in keys])
        divs = divergences_of_rows(
            current, reference, settings.smoothing, settings.direction, settings.base
        )
        g, df, q = g_statistics(current, reference)
        rows = zip(divs, g.tolist(), df.tolist(), q.tolist(), strict=True)
        judged.update(zip(keys, rows, strict=True))
    g, df, q = (np.array([judged[key][i] for key in checked]) for i in (1, 2, 3))
    p_raw = g_pvalues(g, df, q)
    return {
        key: FeatureStats(fp, current, reference, judged[key][0], judged[key][1], float(p))
        for (key, (fp, current, reference)), p in zip(checked.items(), p_raw, strict=True)
    }


def corrected_pvalues(stats: Mapping[Any, FeatureStats], settings: CheckSettings) -> dict:
    """p-values corrected over the judged features (or (segment, feature) pairs);
    the others keep their raw value."""
    judged = [n for n, s in stats.items() if s.sufficient(settings.min_rows)]
    corrected = correct_pvalues([stats[n].p_raw for n in judged], settings.correction)
    out = {n: float(s.p_raw) for n, s in stats.items()}
    out.update(zip(judged, (float(p) for p in corrected), strict=True))
    return out


def feature_result(stats: FeatureStats, p_value: float, settings: CheckSettings) -> FeatureResult:
    """The verdict and the report row of one feature."""
    div, threshold = stats.divergence, settings.threshold_for(stats.fp.name)
    status = feature_status(
        kl=div.kl,
        p_value=p_value,
        n_current=stats.n_current,
        n_reference=stats.n_reference,
        threshold=threshold,
        alpha=settings.alpha,
        min_rows=settings.min_rows,
    )
    columns = (stats.fp.labels, stats.reference.tolist(), stats.current.tolist())
    bins = tuple(map(BinResult, *columns, div.contributions.tolist()))
    return FeatureResult(
        name=stats.fp.name,
        kind=stats.fp.kind,
        measures={name: _clean(value) for name, value in div.measures.items()},
        g_statistic=stats.g,
        p_value=p_value,
        p_value_raw=float(stats.p_raw),
        threshold=threshold,
        status=status,
        n_reference=stats.n_reference,
        n_current=stats.n_current,
        bins=bins,
    )


def compare_counts(
    profile: Profile,
    current_counts: Mapping[str, Any],
    settings: CheckSettings,
    features: list[str] | None = None,
    segment_counts: Sequence[Mapping[str, Any]] | None = None,
    pair_counts: Mapping[tuple[str, str], Any] | None = None,
    pairs: Any = None,
) -> DriftReport:
    """Judge each profiled feature (or the ``features`` subset) from its current counts.

    With ``segment_counts`` (one ``{feature: counts}`` per segment of the profile,
    OTHER last) each (segment, feature) is judged too, against the same segment
    of the reference, with ``min_rows`` per segment. The p-values are corrected
    over everything judged at once, the features over all rows and every
    (segment, feature) pair: one family, so that the dataset verdict keeps its
    false-alarm rate however many segments there are. A segment column that is
    also a feature is judged over all rows only (within a segment it is constant).

    Parameters
    ----------
    profile
        The reference profile.
    current_counts
        Each feature's current counts in the profile's bins, by name (what
        :func:`~airflow_kl.count_bins` returns).
    settings
        The check's :class:`~airflow_kl.CheckSettings`.
    features
        The features to judge (default: all of the profile's).
    segment_counts
        Each segment's ``{feature: counts}``, OTHER last, or None.
    pair_counts
        Each pair's current table in the profile's cells, by its two
        features' names (the ``(a, b)`` entries of a source's counts); needed
        for every pair judged. Pairs are their own correction family.
    pairs
        The profile's pairs to judge (:func:`selected_pairs`): None for every
        pair whose two features are judged, ``()`` for none.
    """
    instance_of(profile, Profile, "profile", " (Profile.load(path))")
    instance_of(current_counts, Mapping, "current_counts", " of feature name to bin counts")
    instance_of(settings, CheckSettings, "settings")
    names = profiled_features(profile, features)
    settings.check_features(names)
    missing = [n for n in names if n not in current_counts]
    if missing:
        raise SchemaError(f"no current counts for feature {missing[0]!r}")
    features = profile.features
    rows = {(-1, n): (features[n], current_counts[n], features[n].count_array) for n in names}
    segments = _segments(profile, segment_counts)
    within = [n for n in names if not segments or n not in profile.segments.by]
    for i, (reference, counts) in enumerate(segments):
        rows.update({(i, n): (features[n], counts[n], reference[n]) for n in within})
    stats = judged_stats(rows, settings)
    p_values = corrected_pvalues(stats, settings)
    results = {k: feature_result(s, p_values[k], settings) for k, s in stats.items()}
    overall = {n: results[(-1, n)] for n in names}
    judged = _segment_results(profile, within, results, len(segments), settings)
    drifted = dataset_drifted([f.status for f in overall.values()], settings.drift_share)
    pair_results = judged_pairs(
        profile, selected_pairs(profile, pairs, names), pair_counts, settings
    )
    return DriftReport(
        features=overall,
        drifted=drifted
        or any(s.drifted for s in judged)
        or any(p.drifted for p in pair_results.values()),
        settings=settings.to_dict(),
        profile_checksum=profile.checksum,
        bins_checksum=profile.bins_checksum,
        segment_by=profile.segments.by if judged else (),
        segments=judged,
        pairs=pair_results,
    )


def selected_pairs(profile: Profile, pairs: Any, names: Sequence[str]) -> list[PairProfile]:
    """The profile's pairs to judge: with ``pairs`` None, every pair whose two
    features are among ``names``; else the named ones (in either order),
    each of which must be in the profile with both features judged.

    Parameters
    ----------
    profile
        The reference profile.
    pairs
        None, or pairs as :func:`~airflow_kl.core.pair_profile.read_pairs` reads them.
    names
        The features judged.
    """
    if pairs is None:
        return [p for p in profile.pairs if set(p.features) <= set(names)]
    kept = {frozenset(p.features): p for p in profile.pairs}
    out = []
    for a, b in read_pairs(pairs):
        if frozenset((a, b)) not in kept:
            have = ", ".join(p.features[0] + ":" + p.features[1] for p in profile.pairs)
            raise ConfigError(f"pair {a}:{b} is not in the profile; its pairs: {have or 'none'}")
        outside = [n for n in (a, b) if n not in names]
        if outside:
            raise ConfigError(f"pair {a}:{b} needs feature {outside[0]!r}, which is not checked")
        out.append(kept[frozenset((a, b))])
    return out


def judged_pairs(
    profile: Profile,
    pairs: Sequence[PairProfile],
    pair_counts: Mapping[tuple[str, str], Any] | None,
    settings: CheckSettings,
) -> dict[tuple[str, str], PairResult]:
    """Each pair judged: its divergences
    (:func:`~airflow_kl.core.pairs.pair_divergences`) and homogeneous-association
    test, the p-values corrected over the judged pairs alone (adding pairs never
    changes a feature's p-value), and a status on the dependence part."""
    if not pairs:
        return {}
    if pair_counts is None:
        raise SchemaError(f"the profile has pairs: no current counts for pair {pairs[0].name!r}")
    tables = {p.features: _pair_table(p, pair_counts) for p in pairs}
    tests = {p.features: association_test(tables[p.features], p.count_array) for p in pairs}
    p_raw = g_pvalues(*(np.array([t[i] for t in tests.values()], dtype=float) for i in range(3)))
    raw = dict(zip(tests, p_raw.tolist(), strict=True))
    judged = [
        p.features
        for p in pairs
        if min(tables[p.features].sum(), p.count_array.sum()) >= settings.min_rows
    ]
    adjusted = correct_pvalues([raw[k] for k in judged], settings.correction).tolist()
    corrected = {**raw, **dict(zip(judged, adjusted, strict=True))}
    return {
        p.features: _pair_result(
            profile,
            p,
            tables[p.features],
            tests[p.features],
            raw[p.features],
            corrected[p.features],
            settings,
        )
        for p in pairs
    }


def _pair_table(pair: PairProfile, pair_counts: Mapping[tuple[str, str], Any]) -> np.ndarray:
    """A pair's current table, checked: whole counts >= 0 in the pair's cells."""
    if pair.features not in pair_counts:
        raise SchemaError(f"no current counts for pair {pair.name!r}")
    table = np.asarray(pair_counts[pair.features])
    if table.shape != pair.shape:
        raise SchemaError(
            f"pair {pair.name!r}: current table is {table.shape}, the profile's is {pair.shape}"
        )
    where = f"pair {pair.name!r}"
    return count_vector(table.ravel(), where, table.size).reshape(pair.shape)


def _pair_result(profile, pair, table, test, p_raw, p_value, settings) -> PairResult:
    """The verdict and the report row of one pair."""
    reference = pair.count_array
    div = pair_divergences(table, reference, settings.smoothing, settings.direction)
    scale = 1 / math.log(2) if settings.base == "bits" else 1.0
    n_current, n_reference = int(table.sum()), int(reference.sum())
    threshold = settings.default_threshold
    status = feature_status(
        kl=_clean(div.dependence) * scale,
        p_value=p_value,
        n_current=n_current,
        n_reference=n_reference,
        threshold=threshold,
        alpha=settings.alpha,
        min_rows=settings.min_rows,
    )
    a, b = (profile.features[n] for n in pair.features)
    return PairResult(
        features=pair.features,
        kl=_clean(div.kl) * scale,
        dependence=_clean(div.dependence) * scale,
        marginal=_clean(div.marginal) * scale,
        mi_reference=div.mi_reference * scale,
        mi_current=div.mi_current * scale,
        g_statistic=float(test[0]),
        df=int(test[1]),
        p_value=float(p_value),
        p_value_raw=float(p_raw),
        threshold=threshold,
        status=status,
        n_reference=n_reference,
        n_current=n_current,
        row_labels=tuple(cell_labels(a, pair.cells[0])),
        column_labels=tuple(cell_labels(b, pair.cells[1])),
        reference_counts=_grid(reference),
        current_counts=_grid(table),
        expected=_grid(np.nan_to_num(div.fitted)),
        contributions=_grid(div.terms * scale),
        direction=settings.direction,
    )


def _grid(values: np.ndarray) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in values.tolist())


def _segments(profile: Profile, segment_counts) -> list[tuple[dict[str, np.ndarray], Any]]:
    """Per segment: its reference counts (in the profile's bins; the profile
    checked them) and its current counts."""
    if segment_counts is None:
        return []
    seg = profile.segments
    if seg is None:
        raise ConfigError("segment counts given, but the profile has no segments")
    if len(segment_counts) != len(seg.counts):
        raise SchemaError(
            f"{len(segment_counts)} segments counted, the profile has {len(seg.counts)}"
        )
    return [
        ({n: np.array(ref[n], dtype=np.int64) for n in profile.features}, cur)
        for ref, cur in zip(seg.counts, segment_counts, strict=True)
    ]


def _segment_results(profile, names, results, count: int, settings) -> tuple[SegmentResult, ...]:
    if not count or not names:
        return ()
    out = []
    for i, key in enumerate(profile.segments.all_keys):
        features = {n: results[(i, n)] for n in names}
        statuses = [f.status for f in features.values()]
        drifted = dataset_drifted(statuses, settings.drift_share)
        out.append(SegmentResult(key, segment_label(key), features, drifted))
    return tuple(out)


def _clean(value: float) -> float:
    """Divergences of a side with no rows (smoothing 0) are NaN: report 0, status says why."""
    return 0.0 if math.isnan(value) else value


__all__ = ["CheckSettings", "DEFAULT_KEY", "compare_counts", "INSUFFICIENT"]
