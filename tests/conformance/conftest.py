"""The conformance data, stored once in every engine for the modules here."""

from __future__ import annotations

import pyarrow as pa
import pytest

from airflow_kl.sources.sql import SqlSource

from .engines import (
    held,
    load_sql,
    make_frame,
    polars_frame,
    spark_frame,
    string_views,
    write_csv,
    write_parquet,
)


@pytest.fixture(scope="package")
def frame():
    return make_frame()


@pytest.fixture(scope="package")
def stores(
    frame, tmp_path_factory, postgres_url, mariadb_url, clickhouse_url, snowflake_url, spark
):
    d = tmp_path_factory.mktemp("matrix")
    return {
        "pandas": frame,
        "arrow": pa.Table.from_pandas(frame[held("arrow")], preserve_index=False),
        "arrow_views": string_views(
            pa.Table.from_pandas(frame[held("arrow")], preserve_index=False)
        ),
        "polars": polars_frame(frame[held("polars")]),
        "parquet": write_parquet(frame[held("parquet")], d / "kinds.parquet"),
        "csv": write_csv(frame[held("csv")], d / "kinds.csv"),
        "sqlite": SqlSource(load_sql(f"sqlite:///{d}/kinds.db", frame), table="kinds"),
        "duckdb": SqlSource(load_sql(f"duckdb:///{d}/kinds.duckdb", frame), table="kinds"),
        "postgresql": SqlSource(load_sql(postgres_url, frame), table="kinds"),
        "mariadb": SqlSource(load_sql(mariadb_url, frame[held("mariadb")]), table="kinds"),
        "clickhouse": SqlSource(load_sql(clickhouse_url, frame[held("clickhouse")]), table="kinds"),
        "snowflake": SqlSource(load_sql(snowflake_url, frame), table="kinds"),
        "spark": spark_frame(spark, frame),
        "gx_pandas": frame,
        "gx_sql": postgres_url,
        "gx_sqlite": f"sqlite:///{d}/kinds.db",
        "gx_spark": spark_frame(spark, frame),
    }
