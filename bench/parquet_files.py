"""Parquet, 10M rows x 20 numeric: peak RSS of check_drift, and its time against
pyarrow streaming the same columns (each measured in a fresh interpreter)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import airflow_kl as ak

from .data import make_frame
from .timing import run_child

ROWS = 10_000_000
CHUNK = 1_000_000
OUT = Path(__file__).resolve().parent / "out"


def write_partition(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    writer = None
    for i in range(ROWS // CHUNK):
        table = pa.Table.from_pandas(
            make_frame(CHUNK, categorical=0, shift=0.05, seed=100 + i), preserve_index=False
        )
        writer = writer or pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=CHUNK)
    writer.close()
    tmp.rename(path)


READ = """
import time, pyarrow.parquet as pq
RESULT = {}
start = time.perf_counter()
table = pq.read_table(%(path)r, columns=%(columns)r)  # multi-threaded, all in memory
RESULT["seconds"] = time.perf_counter() - start
RESULT["rows"] = table.num_rows
"""

CHECK = """
import time, airflow_kl as ak
RESULT = {}
profile = ak.Profile.load(%(profile)r)
start = time.perf_counter()
report = ak.check_drift(profile, %(path)r)
RESULT["seconds"] = time.perf_counter() - start
RESULT["rows"] = next(iter(report.features.values())).n_current
"""


def run() -> list[dict]:
    path = OUT / "numeric_10m.parquet"
    write_partition(path)
    profile_path = OUT / "numeric_profile.json"
    ak.build_profile(make_frame(CHUNK, categorical=0, seed=1)).save(profile_path)
    columns = [f"num_{i:02d}" for i in range(20)]
    args = {"path": str(path), "columns": columns, "profile": str(profile_path)}
    read = run_child(READ % args)
    check = run_child(CHECK % args)
    assert read["rows"] == check["rows"] == ROWS
    size = path.stat().st_size / 2**20
    return [
        {
            "benchmark": f"Parquet 10M x 20 numeric ({size:.0f} MiB): check_drift vs "
            "pq.read_table of the same columns",
            "ours_s": check["seconds"],
            "baseline_s": read["seconds"],
            "slowdown": check["seconds"] / read["seconds"],
            "target": "<= 3x the read",
        },
        {
            "benchmark": "Parquet 10M x 20 numeric: peak RSS of check_drift (MiB)",
            "ours_mib": check["peak_rss_mib"],
            "baseline_mib": read["peak_rss_mib"],
            "target": "< 1024 MiB",
        },
    ]
