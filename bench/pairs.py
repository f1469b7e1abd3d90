"""1M rows x 25 features with 10 pairs: the check that judges the pairs too
against the check of the features alone (``pairs=[]``), in memory, over a
Parquet file and in DuckDB. In memory the pairs' tables are one
``bincount`` each in the pass that counts the features; in DuckDB the
features' tallies are grouped by the pairs' cells in the same query.
``exact``: the tables equal the in-memory ones and, in the database, the
check sent as many counting queries as the check of the features alone (in
Spark, ran as many jobs), each kernel of Spark measured too.

The 10 pairs join 11 features, numeric and categorical, as a profile's
pairs tend to: a few features in several pairs (the one the others are read
against), a chain, and two pairs on their own."""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.sql import SqlSource

from .data import duckdb_table, local_spark, make_frame
from .timing import best_of

ROWS = 1_000_000
PAIRS = [
    ("num_00", "num_01"),
    ("num_00", "num_02"),
    ("num_00", "cat_0"),
    ("num_00", "num_04"),
    ("num_01", "num_05"),
    ("num_05", "num_06"),
    ("num_06", "cat_1"),
    ("cat_2", "num_08"),
    ("num_09", "num_10"),
    ("num_03", "cat_1"),
]


def _counting_queries(engine: sa.Engine, run) -> tuple[object, int]:
    sent = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if "FROM cur" in statement and "count(*)" in statement.lower():
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        return run(), len(sent)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)


def _one_query_each(engine: sa.Engine, profile, data) -> bool:
    """The check sends one counting query, with pairs or without."""
    _, alone = _counting_queries(engine, lambda: ak.check_drift(profile, data, pairs=[]))
    _, paired = _counting_queries(engine, lambda: ak.check_drift(profile, data))
    return alone == paired == 1


def _spark_rows(current, profile, expected) -> list[dict]:
    """The same check in Spark (a cached 1M-row frame), by each kernel; a check
    with pairs must run as many Spark jobs as one without."""
    from airflow_kl.sources.spark import SparkSource

    spark = local_spark()
    folder = Path(tempfile.mkdtemp(prefix="airflow-kl-bench-"))
    current.to_parquet(folder / "current.parquet", index=False)
    frame = spark.read.parquet(str(folder / "current.parquet")).cache()
    frame.count()
    tracker = spark.sparkContext.statusTracker()

    def jobs(run, group: str) -> tuple[object, int]:
        spark.sparkContext.setJobGroup(group, group)
        out = run()
        return out, len(tracker.getJobIdsForGroup(group))

    rows = []
    for kernel in ("arrow", "aggregates"):
        source = SparkSource(frame, kernel=kernel)
        t_alone = best_of(lambda s=source: ak.check_drift(profile, s, pairs=[]), repeat=2)
        t_pairs = best_of(lambda s=source: ak.check_drift(profile, s), repeat=2)
        _, alone = jobs(lambda s=source: ak.check_drift(profile, s, pairs=[]), f"{kernel}-alone")
        report, paired = jobs(lambda s=source: ak.check_drift(profile, s), f"{kernel}-pairs")
        rows.append(
            {
                "benchmark": f"Spark local[2] ({kernel} kernel): check_drift, 1M x 25 and 10 "
                "pairs, vs the features alone",
                "ours_s": t_pairs,
                "baseline_s": t_alone,
                "slowdown": t_pairs / t_alone,
                "exact": _same_tables(report, expected) and alone == paired,
                "target": "no added scan (as many Spark jobs)",
            }
        )
    spark.stop()
    return rows


def _same_tables(report, expected) -> bool:
    return all(
        report.pairs[k].current_counts == expected.pairs[k].current_counts for k in expected.pairs
    )


def run() -> list[dict]:
    reference = make_frame(ROWS, seed=1)
    current = make_frame(ROWS, shift=0.05, seed=2)
    profile = ak.build_profile(reference, pairs=PAIRS)
    expected = ak.check_drift(profile, current)
    folder = Path(tempfile.mkdtemp(prefix="airflow-kl-bench-"))
    current.to_parquet(folder / "current.parquet", row_group_size=131_072)
    engine = duckdb_table(current)
    rows = []
    for where, data in (
        ("in memory", current),
        ("Parquet file", str(folder / "current.parquet")),
        ("DuckDB", SqlSource(engine, table="cur")),
    ):
        t_alone = best_of(lambda d=data: ak.check_drift(profile, d, pairs=[]))
        t_pairs = best_of(lambda d=data: ak.check_drift(profile, d))
        exact = _same_tables(ak.check_drift(profile, data), expected)
        if where == "DuckDB":
            exact = exact and _one_query_each(engine, profile, data)
        rows.append(
            {
                "benchmark": f"{where}: check_drift, 1M x 25 and 10 pairs, vs the features alone",
                "ours_s": t_pairs,
                "baseline_s": t_alone,
                "slowdown": t_pairs / t_alone,
                "exact": exact,
                "target": "<= 1.5x in memory; no added scan in SQL",
            }
        )
    return rows + _spark_rows(current, profile, expected)
