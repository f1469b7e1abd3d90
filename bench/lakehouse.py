"""1M rows x 25 features as a Delta Lake table (four commits of 250,000 rows)
and as an Iceberg table (four snapshots), checked through the tables' own
clients, against the same Parquet files read directly as a folder; and each
check's peak RSS in a fresh interpreter, over the whole table against its
first commit alone (memory must not grow with the table). ``exact``: the
reports' counts equal the in-memory check's, and every row was counted."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa

import airflow_kl as ak

from .data import make_frame
from .timing import best_of, run_child

ROWS = 1_000_000
COMMITS = 4

CHECK = """
import os, airflow_kl as ak
for name, value in %(env)r.items():
    os.environ[name] = value
profile = ak.Profile.load(%(profile)r)
source = %(source)s
report = ak.check_drift(profile, source)
RESULT = {"n": report.features["num_00"].n_current}
"""


def _tables(current, root: Path) -> tuple[str, str, dict[str, str], list[int]]:
    import deltalake
    from pyiceberg.catalog.sql import SqlCatalog

    table = pa.Table.from_pandas(current, preserve_index=False)
    step = ROWS // COMMITS
    delta = str(root / "delta")
    for i in range(COMMITS):
        deltalake.write_deltalake(delta, table.slice(i * step, step), mode="append")
    env = {
        "PYICEBERG_CATALOG__BENCH__TYPE": "sql",
        "PYICEBERG_CATALOG__BENCH__URI": f"sqlite:///{root}/catalog.db",
        "PYICEBERG_CATALOG__BENCH__WAREHOUSE": f"file://{root}/warehouse",
    }
    os.environ.update(env)
    catalog = SqlCatalog(
        "bench",
        uri=env["PYICEBERG_CATALOG__BENCH__URI"],
        warehouse=env["PYICEBERG_CATALOG__BENCH__WAREHOUSE"],
    )
    catalog.create_namespace("b")
    iceberg = catalog.create_table("b.current", schema=table.schema)
    for i in range(COMMITS):
        iceberg.append(table.slice(i * step, step))
    return delta, "iceberg://bench/b.current", env, [s.snapshot_id for s in iceberg.snapshots()]


def _counts(report) -> dict:
    return {n: [b.current_count for b in f.bins] for n, f in report.features.items()}


def run() -> list[dict]:
    reference = make_frame(ROWS, seed=1)
    current = make_frame(ROWS, shift=0.05, seed=2)
    profile = ak.build_profile(reference)
    expected = _counts(ak.check_drift(profile, current))
    root = Path(tempfile.mkdtemp(prefix="airflow-kl-bench-"))
    delta, iceberg, env, snapshots = _tables(current, root)
    profile.save(root / "profile.json")
    folder = root / "plain"  # the Delta table's own Parquet files, linked into a folder
    folder.mkdir()
    for part in Path(delta).glob("*.parquet"):
        os.link(part, folder / part.name)
    baseline = best_of(lambda: ak.check_drift(profile, str(folder)))
    plain = run_child(
        CHECK % {"env": env, "profile": str(root / "profile.json"), "source": repr(str(folder))}
    )
    first = {"Delta Lake": "version=0", "Iceberg": f"snapshot_id={snapshots[0]}"}
    rows = []
    for name, source, text in (
        ("Delta Lake", ak.delta(delta), f"ak.delta({delta!r}%s)"),
        ("Iceberg", ak.iceberg(iceberg), f"ak.iceberg({iceberg!r}%s)"),
    ):
        seconds = best_of(lambda s=source: ak.check_drift(profile, s))
        whole, one = (
            run_child(
                CHECK % {"env": env, "profile": str(root / "profile.json"), "source": text % more}
            )
            for more in ("", ", " + first[name])
        )
        rows.append(
            {
                "benchmark": f"{name} 1M x 25 ({COMMITS} commits): check_drift vs the same "
                "Parquet files read as a folder",
                "ours_s": seconds,
                "baseline_s": baseline,
                "slowdown": seconds / baseline,
                "exact": _counts(ak.check_drift(profile, source)) == expected
                and whole["n"] == ROWS,
                "target": "<= 1.2x",
            }
        )
        rows.append(
            {
                "benchmark": f"{name}: peak RSS of check_drift (MiB), {COMMITS} commits (1M rows) "
                f"vs the first (250,000); the Parquet folder's: {plain['peak_rss_mib']:.0f}",
                "ours_mib": whole["peak_rss_mib"],
                "baseline_mib": one["peak_rss_mib"],
                "slowdown": whole["peak_rss_mib"] / one["peak_rss_mib"],
                "exact": one["n"] == ROWS // COMMITS and plain["n"] == ROWS,
                "target": "does not grow with the table",
            }
        )
    return rows
