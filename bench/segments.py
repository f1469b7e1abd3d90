"""1M rows x 25 features in 20 segments: the segmented check (every segment
counted in the same pass) against the unsegmented check of the same rows, in
memory, over a Parquet file, and in DuckDB (one GROUP BY query); ``exact``:
the segments' counts add up to the unsegmented counts."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

import airflow_kl as ak
from airflow_kl.api import count_segment_bins
from airflow_kl.sources.sql import SqlSource

from .data import duckdb_table, make_frame
from .timing import best_of

ROWS = 1_000_000
SEGMENTS = 20


def with_segments(frame, seed: int):
    rng = np.random.default_rng(seed)
    names = np.array([f"store_{i:02d}" for i in range(SEGMENTS)], dtype=object)
    return frame.assign(store=names[rng.integers(0, SEGMENTS, len(frame))].astype(str))


def _adds_up(profile, data) -> bool:
    groups = count_segment_bins(profile.features, data, profile.segments)
    plain = ak.count_bins(profile, data)
    return all((sum(g[n] for g in groups) == plain[n]).all() for n in plain)


def run() -> list[dict]:
    reference = with_segments(make_frame(ROWS, seed=1), 1)
    current = with_segments(make_frame(ROWS, shift=0.05, seed=2), 2)
    features = [c for c in reference if c != "store"]
    plain = ak.build_profile(reference, features=features)
    segmented = ak.build_profile(reference, features=features, segment_by="store")
    folder = Path(tempfile.mkdtemp(prefix="airflow-kl-bench-"))
    current.to_parquet(folder / "current.parquet", row_group_size=131_072)
    engine = duckdb_table(current)
    rows = []
    for where, data in (
        ("in memory", current),
        ("Parquet file", str(folder / "current.parquet")),
        ("DuckDB", SqlSource(engine, table="cur")),
    ):
        t_plain = best_of(lambda d=data: ak.check_drift(plain, d))
        t_segments = best_of(lambda d=data: ak.check_drift(segmented, d))
        rows.append(
            {
                "benchmark": f"{where}: check_drift in 20 segments, 1M x 25, vs unsegmented",
                "ours_s": t_segments,
                "baseline_s": t_plain,
                "slowdown": t_segments / t_plain,
                "exact": _adds_up(segmented, data),
                "target": "one pass",
            }
        )
    return rows
