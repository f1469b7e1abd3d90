"""Counts are additive: 100M rows in 10 Parquet partitions, counted in one pass
over the folder and, split, one partition per process with the counts summed.

The merged counts must equal the one-pass counts exactly; the cost per row of
each is measured in the same run (the split runs as many processes as CPUs).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

import airflow_kl as ak

from .data import make_frame
from .parquet_files import OUT

PARTITIONS = 10
ROWS_PER_PARTITION = 10_000_000
CHUNK = 1_000_000
FOLDER = OUT / "scale_100m"


def _frame(seed: int):
    return make_frame(CHUNK, numeric=4, categorical=1, shift=0.05, seed=seed)


def write_dataset() -> list[Path]:
    FOLDER.mkdir(parents=True, exist_ok=True)
    paths = []
    for p in range(PARTITIONS):
        path = FOLDER / f"part-{p:02d}.parquet"
        paths.append(path)
        if path.exists():
            continue
        tmp = path.with_suffix(".tmp")
        writer = None
        for chunk in range(ROWS_PER_PARTITION // CHUNK):
            table = pa.Table.from_pandas(_frame(1000 + p * 100 + chunk), preserve_index=False)
            writer = writer or pq.ParquetWriter(tmp, table.schema)
            writer.write_table(table, row_group_size=CHUNK)
        writer.close()
        tmp.rename(path)
    return paths


def _count_one(profile_json: str, path: str) -> dict[str, list[int]]:
    profile = ak.Profile.from_json(profile_json)
    return {k: v.tolist() for k, v in ak.count_bins(profile, path).items()}


def run() -> list[dict]:
    paths = write_dataset()
    profile = ak.build_profile(_frame(seed=1))
    rows = PARTITIONS * ROWS_PER_PARTITION

    start = time.perf_counter()
    one_pass = ak.count_bins(profile, str(FOLDER))
    t_one = time.perf_counter() - start

    start = time.perf_counter()
    with ProcessPoolExecutor(os.cpu_count() or 1) as pool:
        parts = list(pool.map(_count_one, [profile.to_json()] * len(paths), map(str, paths)))
    merged = {name: np.sum([p[name] for p in parts], axis=0) for name in one_pass}
    t_split = time.perf_counter() - start

    exact = all(np.array_equal(merged[n], one_pass[n]) for n in one_pass)
    exact = exact and all(int(c.sum()) == rows for c in one_pass.values())
    return [
        {
            "benchmark": f"100M rows x 5 in {PARTITIONS} Parquet files: one pass over the "
            "folder (ns per row)",
            "ours_s": t_one,
            "ns_per_row": t_one / rows * 1e9,
        },
        {
            "benchmark": f"the same, one partition per process ({os.cpu_count()} at a time), "
            "counts summed, vs one pass",
            "ours_s": t_split,
            "baseline_s": t_one,
            "ns_per_row": t_split / rows * 1e9,
            "speedup": t_one / t_split,
            "exact": exact,
        },
    ]
