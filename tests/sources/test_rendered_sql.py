"""The SQL rendered for the warehouses nothing here can run (BigQuery, Redshift,
Trino, Databricks SQL, SQL Server), pinned as text in ``rendered/`` and parsed
by sqlglot as that warehouse's SQL. Set AIRFLOW_KL_RENDER=1 to write them anew
after a deliberate change, then read the diff."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
import sqlglot
from sqlalchemy.dialects import mssql, postgresql
from sqlalchemy.engine import default
from sqlalchemy.sql.compiler import IdentifierPreparer

import airflow_kl as ak
from airflow_kl.sources.dialects import dialect_named
from airflow_kl.sources.sql import SqlColumn, Tallies, filter_clause, order_statistics

RENDERED = Path(__file__).parent / "rendered"


class _Backticks(default.DefaultDialect):
    """SQLAlchemy's ANSI compiler quoting names in backticks, as the BigQuery and
    Databricks packages do (neither is installed here)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.identifier_preparer = IdentifierPreparer(self, initial_quote="`")


def _ansi(name: str) -> default.DefaultDialect:
    dialect = default.DefaultDialect()
    dialect.name = name
    return dialect


def _redshift() -> postgresql.dialect:
    dialect = postgresql.dialect()  # sqlalchemy-redshift's compiler is PostgreSQL's
    dialect.name = "redshift"
    return dialect


# name -> (SQLAlchemy compiler, sqlglot dialect, column types as the warehouse names them)
WAREHOUSES = {
    "bigquery": (
        lambda: _Backticks("bigquery"),
        "bigquery",
        {"fare": "FLOAT64", "city": "STRING", "vip": "BOOL", "pickup": "TIMESTAMP"},
    ),
    "redshift": (
        _redshift,
        "redshift",
        {
            "fare": "DOUBLE PRECISION",
            "city": "VARCHAR(20)",
            "vip": "BOOLEAN",
            "pickup": "TIMESTAMP",
        },
    ),
    "trino": (
        lambda: _ansi("trino"),
        "trino",
        {"fare": "double", "city": "varchar", "vip": "boolean", "pickup": "timestamp(3)"},
    ),
    "databricks": (
        lambda: _Backticks("databricks"),
        "databricks",
        {"fare": "DOUBLE", "city": "STRING", "vip": "BOOLEAN", "pickup": "TIMESTAMP_NTZ"},
    ),
    "mssql": (
        mssql.dialect,
        "tsql",
        {"fare": "FLOAT", "city": "NVARCHAR(20)", "vip": "BIT", "pickup": "DATETIME2"},
    ),
}


@pytest.fixture(scope="module")
def profile():
    frame = pd.DataFrame(
        {
            "fare": [2.5, 7.0, 11.25, 40.0, 3.5, 9.0],
            "city": ["NYC", "SF", "NYC", "LA", "SF", "NYC"],
            "vip": [True, False, False, True, False, False],
            "pickup": pd.to_datetime(["2024-09-01 08:00", "2024-09-02 09:30"] * 3),
        }
    )
    return ak.build_profile(frame, bins=3, features=list(frame.columns))


FILTER_VALUES = {"day": "2024-09-01", "next": "2024-09-02"}


def rendered(name: str, profile: ak.Profile) -> str:
    """The check's tally query and a profile's order-statistics query, as sent."""
    compiler, _, types = WAREHOUSES[name]
    sql = dialect_named(name)
    columns = {}
    for column, type_name in types.items():
        shown, value = sql.value_type(None, column, type_name, None)
        columns[column] = SqlColumn(column, shown, value, sql.name, sql.label)
    trips = sa.table("trips", schema="analytics")

    def scope(stmt):  # a filter with an OR, as SqlSource puts it beside the query's own
        where = filter_clause("trip_date = :day OR trip_date = :next", FILTER_VALUES)
        return stmt.select_from(trips).where(where)

    tallies = Tallies.of(name, columns, profile.features)
    ops = columns["fare"].ops()
    statements = [
        *(sql.finish(scope(q)) for q in tallies.queries),
        order_statistics(scope, ops.x, ops.finite(), [0, 2, 3, 5]),
    ]
    dialect = compiler()
    texts = [
        str(s.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) for s in statements
    ]
    return ";\n\n".join(t.strip() for t in texts) + ";\n"


@pytest.mark.parametrize("name", list(WAREHOUSES))
def test_the_sql_rendered_for_a_warehouse_is_pinned_and_parses(name, profile):
    text = rendered(name, profile)
    path = RENDERED / f"{name}.sql"
    if os.environ.get("AIRFLOW_KL_RENDER"):
        path.write_text(text)
    assert text == path.read_text(), f"{path.name} changed: AIRFLOW_KL_RENDER=1 writes it anew"
    statements = sqlglot.parse(text, read=WAREHOUSES[name][1], error_level=sqlglot.ErrorLevel.RAISE)
    assert len([s for s in statements if s is not None]) == 2
    # the filter's OR stays inside its parentheses, beside the finite-values condition
    ranked = statements[-1].find(sqlglot.exp.Subquery).find(sqlglot.exp.Where).this
    assert isinstance(ranked, sqlglot.exp.And), ranked.sql()
    assert isinstance(ranked.expression.unnest(), sqlglot.exp.Or), ranked.sql()


def test_each_warehouse_speaks_its_own_functions(profile):
    """What differs is where it should: the counted condition, the double and
    the epoch, per warehouse."""
    texts = {name: rendered(name, profile) for name in WAREHOUSES}
    assert "countif(" in texts["bigquery"] and "AS FLOAT64)" in texts["bigquery"]
    assert "unix_micros(timestamp(" not in texts["bigquery"]  # TIMESTAMP is an instant
    assert "datediff(microsecond" in texts["redshift"]
    assert "date_diff('millisecond'" in texts["trino"] and "count_if(" in texts["trino"]
    assert "timestampdiff(MICROSECOND" in texts["databricks"]
    assert "datediff_big(microsecond" in texts["mssql"] and "inf" not in texts["mssql"]
    assert "CAST('-inf' AS FLOAT64)" in texts["bigquery"]  # never a bare inf: not SQL
    assert "COLLATE Latin1_General_100_BIN2_UTF8" in texts["mssql"]
    assert "WHEN (vip = 1)" in texts["mssql"]  # BIT is not a boolean in T-SQL
