"""Seeded A/A and shift experiments on the statistics path of check_drift.

Profiles and counts are made with the core binning functions and judged by
``compare_counts``, exactly what ``check_drift`` does after reading a frame;
skipping the DataFrame layer makes thousands of runs take seconds.
"""

from __future__ import annotations

import numpy as np

from airflow_kl.core.binning import (
    categorical_counts,
    numeric_counts,
    quantile_edges,
    top_categories,
)
from airflow_kl.core.compare import CheckSettings, compare_counts
from airflow_kl.core.profile import FeatureProfile, Profile

CATEGORIES = np.array(list("abcdefghij"))
BASE_SHARES = np.array([0.3, 0.1, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05])


def categorical(shares=BASE_SHARES):
    return lambda rng, n: CATEGORIES[rng.choice(len(CATEGORIES), n, p=shares)]


DISTRIBUTIONS = {
    "normal": lambda rng, n: rng.normal(size=n),
    "skewed": lambda rng, n: rng.lognormal(0.0, 1.0, n),
    "discrete": lambda rng, n: rng.poisson(3.0, n).astype(float),
    "categorical": categorical(),
}


def _counts(values: np.ndarray) -> dict[str, int]:
    uniques, counts = np.unique(values, return_counts=True)
    return dict(zip(uniques.tolist(), counts.tolist(), strict=True))


def judge(ref: np.ndarray, cur: np.ndarray, settings: CheckSettings) -> str:
    """Status of one feature: profile ``ref`` (10 bins / top 20), check ``cur``."""
    if ref.dtype.kind in "fiu":
        edges = quantile_edges(ref, 10)
        fp = FeatureProfile(
            "v", "numeric", tuple(numeric_counts(ref, edges).tolist()), edges=tuple(edges.tolist())
        )
        current = numeric_counts(cur, edges)
    else:
        cats = top_categories(_counts(ref), 20)
        fp = FeatureProfile(
            "v",
            "categorical",
            tuple(categorical_counts(_counts(ref), 0, cats).tolist()),
            categories=cats,
        )
        current = categorical_counts(_counts(cur), 0, cats)
    report = compare_counts(Profile({"v": fp}), {"v": current}, settings)
    return report.features["v"].status


def drift_rate(draw_ref, draw_cur, n: int, runs: int, seed: int, **options) -> float:
    """Share of ``runs`` seeded runs whose verdict is ``drift``."""
    settings = CheckSettings(**options)
    rng = np.random.default_rng(seed)
    hits = sum(judge(draw_ref(rng, n), draw_cur(rng, n), settings) == "drift" for _ in range(runs))
    return hits / runs


SEGMENTS = 20


def segmented_frame(rng, sizes: np.ndarray, shift: dict[int, float] | None = None):
    """Rows of ``len(sizes)`` segments (``s00``...), each its own distribution
    (the segments differ from one another), the same in every draw; ``shift``
    moves a segment's ``x`` by so many standard deviations."""
    import pandas as pd

    shift = shift or {}
    parts = []
    for i, n in enumerate(sizes):
        parts.append(
            pd.DataFrame(
                {
                    "segment": f"s{i:02d}",
                    "x": rng.normal(i * 0.1 + shift.get(i, 0.0), 1.0, n),
                    "skewed": rng.lognormal(0.0, 0.5 + i / 40, n),
                    "category": categorical()(rng, n),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def segment_drift_rates(runs: int, seed: int, shift=None, **options) -> tuple[np.ndarray, float]:
    """Per segment, the share of runs in which it drifted; and the share of runs
    in which anything (a feature or a segment) drifted. Reference and current
    are drawn apart each run, through ``build_profile``/``check_drift``."""
    import airflow_kl as ak

    rng = np.random.default_rng(seed)
    sizes = rng.integers(100, 2_000, SEGMENTS)
    flagged, any_drift = np.zeros(SEGMENTS), 0
    for _ in range(runs):
        profile = ak.build_profile(segmented_frame(rng, sizes), segment_by="segment")
        report = ak.check_drift(profile, segmented_frame(rng, sizes, shift), **options)
        drifted = set(report.drifted_segments)
        flagged += [f"s{i:02d}" in drifted for i in range(SEGMENTS)]
        any_drift += report.drifted
    return flagged / runs, any_drift / runs


def bivariate(rho: float, shift: float = 0.0):
    """Draws of two standard normal features with correlation ``rho``, the first
    moved by ``shift`` standard deviations."""
    cov = [[1.0, rho], [rho, 1.0]]
    return lambda rng, n: rng.multivariate_normal([shift, 0.0], cov, n)


def judge_pair(ref: np.ndarray, cur: np.ndarray, settings: CheckSettings):
    """Statuses of two numeric features (10 quantile bins each) and their pair,
    profiled from ``ref`` (rows of two values) and checked on ``cur``."""
    from airflow_kl.core.binning import numeric_bin_index
    from airflow_kl.core.pair_profile import PairProfile, merged_cells

    features, cells, index = {}, [], []
    for j, name in enumerate(("a", "b")):
        edges = quantile_edges(ref[:, j], 10)
        counts = numeric_counts(ref[:, j], edges)
        features[name] = FeatureProfile(
            name, "numeric", tuple(counts.tolist()), edges=tuple(edges.tolist())
        )
        cells.append(merged_cells(counts))
        index.append((edges, np.asarray(cells[-1])))
    shape = (max(cells[0]) + 1, max(cells[1]) + 1)

    def table(rows):
        (ea, ca), (eb, cb) = index
        flat = (
            ca[numeric_bin_index(rows[:, 0], ea)] * shape[1] + cb[numeric_bin_index(rows[:, 1], eb)]
        )
        return np.bincount(flat, minlength=shape[0] * shape[1]).reshape(shape)

    pair = PairProfile(("a", "b"), tuple(cells), tuple(map(tuple, table(ref).tolist())))
    profile = Profile(features, pairs=(pair,))
    current = {
        name: numeric_counts(cur[:, j], np.asarray(fp.edges))
        for j, (name, fp) in enumerate(features.items())
    }
    report = compare_counts(profile, current, settings, pair_counts={("a", "b"): table(cur)})
    return report.pairs[("a", "b")].status, [f.status for f in report.features.values()]


def pair_drift_rates(draw_ref, draw_cur, n: int, runs: int, seed: int, **options):
    """``(share of runs whose pair drifted, share in which a feature drifted)``."""
    settings = CheckSettings(**options)
    rng = np.random.default_rng(seed)
    pairs = features = 0
    for _ in range(runs):
        pair, statuses = judge_pair(draw_ref(rng, n), draw_cur(rng, n), settings)
        pairs += pair == "drift"
        features += "drift" in statuses
    return pairs / runs, features / runs
