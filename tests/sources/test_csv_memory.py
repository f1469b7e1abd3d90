"""CSV in bounded memory: neither a check's nor a profile's peak grows with the
file (each process's own VmHWM). The profile's sample is capped at 500,000 rows
here, so both files are past the cap and take the same path (a thinned sample,
then an exact second pass) as a file past the default 2,000,000 rows does."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

GROUP = 500_000
SCRIPT = """
import json, os, sys, airflow_kl as ak
from airflow_kl.sources import arrow_batches
arrow_batches.SAMPLE_ROWS = 500_000
path, mode = sys.argv[1], sys.argv[2]
if mode == "profile":
    p = ak.build_profile(path)
    p.save(path + ".json")
    out = {"n": p.features["c0"].n, "edges_from": p.settings.get("edges_from", "")}
else:
    r = ak.check_drift(ak.Profile.load(path + ".json"), path)
    out = {"n": r.features["c0"].n_current}
out["peak"] = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) * 1024
out["cpus"] = len(os.sched_getaffinity(0))
print(json.dumps(out))
"""


def write_csv(path, rows: int) -> None:
    rng = np.random.default_rng(rows)
    schema = pa.schema([*[(f"c{i}", pa.float64()) for i in range(4)], ("k", pa.string())])
    with pacsv.CSVWriter(path, schema) as writer:
        for _ in range(rows // GROUP):
            numbers = {f"c{i}": rng.normal(size=GROUP).round(4) for i in range(4)}
            writer.write_table(pa.table({**numbers, "k": rng.choice(["a", "b", "c"], GROUP)}))


def run(path, mode: str) -> dict:
    # Arrow's own allocator, as a worker has it: importing snowflake-connector-python
    # (collected with the Snowflake tests) sets ARROW_DEFAULT_MEMORY_POOL=system in
    # this process, and the C library's allocator keeps what it frees (a profile's
    # peak then read 600-770 MiB on 4M rows and 900-1,000 MiB on 16M rows)
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(path), mode], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def least_peak(path, mode: str, rows: int) -> int:
    """The lowest peak of three runs: Arrow's reader threads and memory pool make
    one run's peak vary by up to ~250 MiB, while growth with the file would show
    in every run."""
    runs = [run(path, mode) for _ in range(3)]
    assert all(r["n"] == rows for r in runs)  # counts exact, edges from a capped sample
    print(mode, path.name, [(round(r["peak"] / 2**20), r["cpus"]) for r in runs])
    return min(r["peak"] for r in runs)


@pytest.mark.alone
def test_csv_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_csv(small, 4_000_000)
    write_csv(large, 16_000_000)  # 4x the rows (about 540 MB of text)
    peaks = {}
    for path, rows in ((small, 4_000_000), (large, 16_000_000)):
        peaks[path.name] = (least_peak(path, "profile", rows), least_peak(path, "check", rows))
    assert "sample" in run(large, "profile")["edges_from"]
    (profile_small, check_small), (profile_large, check_large) = peaks.values()
    # holding the large file's 12,000,000 extra rows of numbers would add 366 MiB
    assert profile_large - profile_small < 200 * 2**20
    assert check_large - check_small < 200 * 2**20
