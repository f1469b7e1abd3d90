"""Synthetic benchmark frames: numeric columns of several shapes plus categoricals."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def make_frame(
    rows: int, numeric: int = 20, categorical: int = 5, shift: float = 0.0, seed: int = 0
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for i in range(numeric):
        kind = i % 4
        if kind == 0:
            x = rng.normal(shift, 1.0, rows)
        elif kind == 1:
            x = rng.exponential(1.0 + shift, rows)
        elif kind == 2:
            x = rng.integers(0, 100, rows).astype(np.float64)
        else:
            x = rng.lognormal(shift, 0.5, rows)
        x[rng.random(rows) < 0.01] = np.nan
        cols[f"num_{i:02d}"] = x
    for j in range(categorical):
        k = 10 + 10 * j
        p = rng.dirichlet(np.ones(k))
        labels = np.array([f"c{j}_{v:03d}" for v in range(k)], dtype=object)
        cols[f"cat_{j}"] = labels[rng.choice(k, rows, p=p)]
    frame = pd.DataFrame(cols)
    for j in range(categorical):
        frame[f"cat_{j}"] = frame[f"cat_{j}"].astype("str")
    return frame


def duckdb_table(frame: pd.DataFrame, name: str = "cur") -> Any:
    """An in-memory DuckDB engine holding ``frame`` as table ``name``."""
    import sqlalchemy as sa

    engine = sa.create_engine("duckdb:///:memory:", poolclass=sa.pool.StaticPool)
    with engine.begin() as conn:
        conn.connection.driver_connection.register("frame_view", frame)
        conn.exec_driver_sql(f"CREATE TABLE {name} AS SELECT * FROM frame_view")
        conn.connection.driver_connection.unregister("frame_view")
    return engine


def local_spark() -> Any:
    """A local[2] SparkSession for a benchmark (stop it when done)."""
    import os
    import sys
    import warnings

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
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
    return spark
