"""A year of monthly partitions (12 x 100k rows x 25 features) backtested in
one pass, against one unpartitioned check of the same rows (the floor: the
same counting, once) and against twelve checks of one month each (what a
backfill of twelve DAG runs costs); in memory (rows in month order, and
shuffled), over a Parquet hive folder (``month=MM/``) and in DuckDB (one
GROUP BY query). ``exact``: every month's report equals its own check."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.sql import SqlSource

from .data import make_frame
from .timing import best_of

MONTH_ROWS = 100_000


def year_frame() -> pd.DataFrame:
    months = [make_frame(MONTH_ROWS, shift=0.02 * m, seed=m) for m in range(1, 13)]
    return pd.concat([f.assign(month=m) for m, f in enumerate(months, start=1)], ignore_index=True)


def _sources(year: pd.DataFrame, folder: Path):
    """(where, the year, how one month reads alone) per engine."""
    shuffled = year.sample(frac=1.0, random_state=0).reset_index(drop=True)
    for m, part in year.groupby("month"):
        (folder / f"month={m:02d}").mkdir()
        table = pa.Table.from_pandas(part.drop(columns="month"), preserve_index=False)
        pq.write_table(table, folder / f"month={m:02d}" / "part-0.parquet", row_group_size=131_072)
    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)
    with engine.begin() as conn:
        conn.connection.driver_connection.register("year_frame", year)
        conn.exec_driver_sql("CREATE TABLE year AS SELECT * FROM year_frame")
    return [
        ("in memory, month order", year, lambda m: year[year.month == m]),
        ("in memory, shuffled", shuffled, lambda m: shuffled[shuffled.month == m]),
        ("Parquet hive folder", str(folder), lambda m: str(folder / f"month={m:02d}")),
        (
            "DuckDB",
            SqlSource(engine, table="year"),
            lambda m: SqlSource(engine, table="year", where="month = :m", parameters={"m": m}),
        ),
    ]


def run() -> list[dict]:
    year = year_frame()
    features = [c for c in year if c != "month"]
    profile = ak.build_profile(year[year.month == 1], features=features)
    folder = Path(tempfile.mkdtemp(prefix="airflow-kl-bench-"))
    rows = []
    for where, data, month in _sources(year, folder):
        t_backtest = best_of(lambda d=data: ak.backtest(profile, d, "month"))
        t_one = best_of(lambda d=data: ak.check_drift(profile, d))
        t_twelve = best_of(
            lambda one=month: [ak.check_drift(profile, one(m)) for m in range(1, 13)], 1
        )
        timeline = ak.backtest(profile, data, "month")
        exact = all(
            timeline.reports[str(m)].to_dict() == ak.check_drift(profile, month(m)).to_dict()
            for m in range(1, 13)
        )
        rows.append(
            {
                "benchmark": f"{where}: backtest of 12 months, 1.2M x 25, vs one check of all rows",
                "ours_s": t_backtest,
                "baseline_s": t_one,
                "slowdown": t_backtest / t_one,
                "twelve_checks_s": t_twelve,
                "exact": exact,
                "target": "<= 1.5x",
            }
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
