"""Judging counts already counted: ``compare_counts`` of a 1M x 25 frame's
counts in 20 segments (21 x 25 (segment, feature) pairs besides the 25
features over all rows, one correction over all 550) against the 25 features
alone. What a segmented check or a backtest pays per partition beyond
counting."""

from __future__ import annotations

import airflow_kl as ak
from airflow_kl.api import count_segment_bins
from airflow_kl.core.compare import compare_counts

from .data import make_frame
from .segments import SEGMENTS, with_segments
from .timing import best_of

ROWS = 1_000_000


def run() -> list[dict]:
    reference = with_segments(make_frame(ROWS, seed=1), 1)
    current = with_segments(make_frame(ROWS, shift=0.05, seed=2), 2)
    features = [c for c in reference if c != "store"]
    profile = ak.build_profile(reference, features=features, segment_by="store")
    groups = count_segment_bins(profile.features, current, profile.segments)
    overall = {n: sum(g[n] for g in groups) for n in profile.features}
    settings = ak.CheckSettings()
    t_plain = best_of(lambda: compare_counts(profile, overall, settings), repeat=15)
    t_segments = best_of(
        lambda: compare_counts(profile, overall, settings, segment_counts=groups), repeat=15
    )
    pairs = (SEGMENTS + 2) * len(features)
    return [
        {
            "benchmark": f"judging {pairs} (segment, feature) pairs and features, vs the "
            f"{len(features)} features alone (counts given)",
            "ours_s": t_segments,
            "baseline_s": t_plain,
            "slowdown": t_segments / t_plain,
            "ms_per_pair": 1000 * t_segments / pairs,
            "target": "(what a segment costs beyond counting)",
        }
    ]
