"""The data of the conformance matrix, and how each engine stores it.

One frame holds a column of every kind; each engine stores the columns it
can hold faithfully (``HELD``) and is expected either to count them exactly
as every other engine does, or to refuse them with a ``SchemaError``
(``REFUSED``) before counting.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

N = 240
KINDS = [
    "bool",
    "nbool",
    "int",
    "bigint",
    "float",
    "f32",
    "dec",
    "str",
    "cat",
    "date",
    "ts",
    "tstz",
    "mixed",
]
DATETIMES = {"date", "ts", "tstz"}


def make_frame(seed: int = 7, n: int = N) -> pd.DataFrame:
    """A column of every kind, with missing values, edges hit exactly, ``""``,
    unicode, int64 above 2**53, NaN/±inf and time zones."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    floats = rng.normal(size=n).round(3)
    floats[i % 17 == 0], floats[i % 19 == 0], floats[i % 23 == 0] = np.nan, np.inf, -np.inf
    strings = np.array(["", "é", "naïve", "a b", "Z", "日本"], dtype=object)[rng.integers(0, 6, n)]
    strings[i % 13 == 0] = None
    day0 = dt.date(2020, 1, 1)
    dates = [day0 + dt.timedelta(days=int(d)) for d in rng.integers(0, 400, n)]
    micros = rng.integers(0, 10**6, n)
    stamps = (
        pd.to_datetime("2020-01-01")
        + pd.to_timedelta(rng.integers(0, 10**7, n), unit="s")
        + pd.to_timedelta(micros, unit="us")
    )
    stamps = pd.Series(stamps).astype("datetime64[us]")
    stamps[i % 11 == 0] = pd.NaT
    dates[5] = dt.date(9999, 12, 31)
    return pd.DataFrame(
        {
            "bool": i % 3 == 0,
            "nbool": pd.array([[True, False, None][k % 3] for k in i], dtype="boolean"),
            "int": rng.integers(-50, 50, n),
            "bigint": (2**53 + rng.integers(0, 64, n)).astype("int64"),
            "float": floats,
            "f32": rng.normal(size=n).astype("float32"),
            "dec": pd.Series(
                [
                    None if k % 7 == 0 else Decimal(f"{v:.2f}")
                    for k, v in zip(i, floats * 10, strict=True)
                ],
                dtype=object,
            ).where(np.isfinite(floats), None),
            "str": pd.Series(strings, dtype=object),
            "cat": pd.Categorical(np.array(["x", "y", "z"])[rng.integers(0, 3, n)]),
            "date": pd.Series(
                [None if k % 9 == 0 else d for k, d in zip(i, dates, strict=True)], dtype=object
            ),
            "ts": stamps,
            "tstz": stamps.dt.tz_localize("America/New_York", nonexistent="shift_forward"),
            "mixed": pd.Series([[1, 1.0, True, "1", None, "a"][k % 6] for k in i], dtype=object),
        }
    )


ENGINES = [
    "pandas",
    "arrow",
    "arrow_views",  # strings as Arrow string_view, as Polars and DuckDB hand them over
    "polars",  # a LazyFrame: collected with the counted columns, counted from Arrow
    "parquet",
    "csv",
    "sqlite",
    "duckdb",
    "postgresql",
    "mariadb",
    "clickhouse",
    "snowflake",
    "spark",
    "gx_pandas",
    "gx_sql",
    "gx_sqlite",
    "gx_spark",
]
BUILDERS = [e for e in ENGINES if not e.startswith("gx_")]

# What each engine cannot store faithfully, so it is never given: mixed Python
# objects live only in pandas; CSV has no float32 (its text is a shortest
# float32 repr) and cannot tell "" from a missing value (as pandas.read_csv).
NOT_HELD = {
    "arrow": {"mixed"},
    "arrow_views": {"mixed"},
    "polars": {"mixed"},
    "parquet": {"mixed"},
    "csv": {"mixed", "f32", "str"},
    "sqlite": {"mixed"},
    "duckdb": {"mixed"},
    "postgresql": {"mixed"},
    # MySQL's DOUBLE holds neither NaN nor infinity; MariaDB has no zoned timestamp
    # but TIMESTAMP (UTC, until 2038), which holds tstz.
    "mariadb": {"mixed", "float"},
    # ClickHouse's dates end in 2299 (Date32); the frame has 9999-12-31.
    "clickhouse": {"mixed", "date"},
    "snowflake": {"mixed"},
    "spark": {"mixed"},
    "gx_sql": {"mixed"},
    "gx_sqlite": {"mixed"},
    "gx_spark": {"mixed"},
    # Lakehouse tables (tests/conformance/test_lakehouse_matrix.py): Delta and
    # Iceberg store zoned timestamps in UTC and categoricals as strings.
    "delta": {"mixed"},
    "iceberg": {"mixed"},
}
# Held but refused with a SchemaError: SQLite has no date type (text).
REFUSED = {"sqlite": DATETIMES, "gx_sqlite": DATETIMES}


def held(engine: str) -> list[str]:
    return [k for k in KINDS if k not in NOT_HELD.get(engine, set())]


def accepted(engine: str) -> list[str]:
    return [k for k in held(engine) if k not in REFUSED.get(engine, set())]


SQL_TYPES = {
    "bool": "BOOLEAN",
    "nbool": "BOOLEAN",
    "int": "BIGINT",
    "bigint": "BIGINT",
    "float": "DOUBLE PRECISION",
    "f32": "REAL",
    "dec": "NUMERIC(18, 2)",
    "str": "VARCHAR(20)",
    "cat": "VARCHAR(20)",
    "date": "DATE",
    "ts": "TIMESTAMP",
    "tstz": "TIMESTAMP WITH TIME ZONE",
}


def python_rows(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    """Rows as Python values (None for missing; float NaN kept as NaN)."""
    out = []
    for k in range(len(frame)):
        row = {}
        for c in columns:
            v = frame[c].iloc[k]
            if c == "float" or c == "f32":
                row[c] = float(v)
            elif v is None or v is pd.NA or v is pd.NaT:
                row[c] = None
            elif isinstance(v, pd.Timestamp):
                row[c] = v.to_pydatetime()
            elif isinstance(v, np.generic):
                row[c] = v.item()
            else:
                row[c] = v
        out.append(row)
    return out


# Each database's own types where the ANSI name is not what it stores.
ENGINE_TYPES = {
    "sqlite": {"f32": "REAL"},  # 64-bit in SQLite: holds a float32 exactly
    "mysql": {"float": "DOUBLE", "f32": "FLOAT", "ts": "DATETIME(6)", "tstz": "TIMESTAMP(6) NULL"},
    "chdb": {
        "bool": "Nullable(Bool)",
        "nbool": "Nullable(Bool)",
        "int": "Nullable(Int64)",
        "bigint": "Nullable(Int64)",
        "float": "Nullable(Float64)",
        "f32": "Nullable(Float32)",
        "dec": "Nullable(Decimal(18, 2))",
        "str": "Nullable(String)",
        "cat": "LowCardinality(Nullable(String))",
        "date": "Nullable(Date32)",
        "ts": "Nullable(DateTime64(6))",
        "tstz": "Nullable(DateTime64(6, 'UTC'))",
    },
    "snowflake": {"float": "FLOAT", "f32": "FLOAT", "ts": "TIMESTAMP_NTZ", "tstz": "TIMESTAMP_TZ"},
}
TABLE_OPTIONS = {"chdb": " ENGINE = MergeTree ORDER BY tuple()"}


def _sqlite_value(v):
    if isinstance(v, (Decimal, dt.date)):
        return str(v)
    return v


def _snowflake_value(v):
    """The connector pastes floats into the SQL as text, and NaN as a name:
    non-finite floats go as the strings Snowflake casts."""
    if isinstance(v, float) and not np.isfinite(v):
        return str(v)
    return _utc_naive(v)


def _utc_naive(v):
    """A zoned datetime as naive UTC (drivers that drop or refuse the zone)."""
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.astimezone(dt.UTC).replace(tzinfo=None)
    return v


def load_sql(url: str, frame: pd.DataFrame, table: str = "kinds") -> sa.Engine:
    engine = sa.create_engine(url)
    name = engine.dialect.name
    columns = [c for c in SQL_TYPES if c in frame.columns]
    types = {**SQL_TYPES, **ENGINE_TYPES.get(name, {})}
    quote = engine.dialect.identifier_preparer.quote
    ddl = ", ".join(f"{quote(c)} {types[c]}" for c in columns)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote(table)}"))
        conn.execute(sa.text(f"CREATE TABLE {quote(table)} ({ddl}){TABLE_OPTIONS.get(name, '')}"))
        cols = ", ".join(quote(c) for c in columns)
        params = ", ".join(f":{c}" for c in columns)
        rows = python_rows(frame, columns)
        if name == "sqlite":  # sqlite3 binds neither Decimal nor dates: as text
            rows = [{c: _sqlite_value(v) for c, v in r.items()} for r in rows]
        if name in ("mysql", "chdb"):  # their drivers drop zones
            rows = [{c: _utc_naive(v) for c, v in r.items()} for r in rows]
        if name == "snowflake":
            rows = [{c: _snowflake_value(v) for c, v in r.items()} for r in rows]
        conn.execute(sa.text(f"INSERT INTO {quote(table)} ({cols}) VALUES ({params})"), rows)
    return engine


def spark_frame(spark, frame: pd.DataFrame):
    from pyspark.sql import types as T  # noqa: N812

    spark_types = {
        "bool": T.BooleanType(),
        "nbool": T.BooleanType(),
        "int": T.LongType(),
        "bigint": T.LongType(),
        "float": T.DoubleType(),
        "f32": T.FloatType(),
        "dec": T.DecimalType(18, 2),
        "str": T.StringType(),
        "cat": T.StringType(),
        "date": T.DateType(),
        "ts": T.TimestampNTZType(),
        "tstz": T.TimestampType(),
    }
    columns = list(spark_types)
    schema = T.StructType([T.StructField(c, spark_types[c], True) for c in columns])
    rows = [tuple(r[c] for c in columns) for r in python_rows(frame, columns)]
    return spark.createDataFrame(rows, schema)


def string_views(table):
    """The table with every string column as Arrow string_view."""
    import pyarrow as pa

    fields = [
        f.with_type(pa.string_view())
        if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
        else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def polars_frame(frame: pd.DataFrame):
    """The frame as a Polars LazyFrame (through Arrow, as Polars reads pandas)."""
    import polars as pl

    return pl.from_arrow(pa.Table.from_pandas(frame, preserve_index=False)).lazy()


def write_parquet(frame: pd.DataFrame, path) -> str:
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
    return str(path)


def write_csv(frame: pd.DataFrame, path) -> str:
    frame.to_csv(path, index=False)
    return str(path)
