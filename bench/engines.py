"""SQL (DuckDB, embedded) and Spark local: exact same counts as in memory, and time."""

from __future__ import annotations

import numpy as np
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.sql import SqlSource

from .data import make_frame
from .parquet_files import OUT
from .timing import best_of

ROWS = 1_000_000


def _same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def run() -> list[dict]:
    reference = make_frame(ROWS, seed=1)
    current = make_frame(ROWS, shift=0.05, seed=2)
    profile = ak.build_profile(reference)
    expected = ak.count_bins(profile, current)
    t_memory = best_of(lambda: ak.count_bins(profile, current))
    rows = []

    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.register("current_frame", current)
        raw.execute("CREATE TABLE cur AS SELECT * FROM current_frame")
    source = SqlSource(engine, table="cur")
    t_sql = best_of(lambda: ak.count_bins(profile, source))
    rows.append(
        {
            "benchmark": "DuckDB pushdown, 1M x 25: counts equal in-memory",
            "ours_s": t_sql,
            "baseline_s": t_memory,
            "exact": _same(ak.count_bins(profile, source), expected),
        }
    )

    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.ui.enabled", "false")
            .config("spark.driver.memory", "4g")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate()
        )
    spark.sparkContext.setLogLevel("ERROR")
    parquet = OUT / "engines_current_1m.parquet"
    parquet.parent.mkdir(exist_ok=True)
    current.to_parquet(parquet, index=False)
    sdf = spark.read.parquet(str(parquet)).cache()
    sdf.count()
    t_spark = best_of(lambda: ak.count_bins(profile, sdf), repeat=2)
    rows.append(
        {
            "benchmark": "Spark local[2], 1M x 25 Parquet (cached): counts equal in-memory",
            "ours_s": t_spark,
            "baseline_s": t_memory,
            "exact": _same(ak.count_bins(profile, sdf), expected),
        }
    )
    spark.stop()
    return rows
