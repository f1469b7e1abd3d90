"""What differs between databases, written once per database.

The SQL source (:mod:`airflow_kl.sources.sql`) builds one query tree;
everything in it that a database spells its own way comes from that
database's :class:`Dialect`, one module each:

- the value types of a table's or query's columns, from the schema;
- a datetime as epoch nanoseconds (or ``None``: refused, never guessed);
- a float NaN as missing (where the database can store one);
- a string compared code point by code point (whatever the collation);
- a counted condition (``count_if``, ``FILTER`` or ``SUM(CASE)``);
- exact quantiles with numpy's linear interpolation (an ordered-set
  aggregate where the database has one, else order statistics by
  ``ROW_NUMBER()`` interpolated by :mod:`airflow_kl.core.quantiles`);
- how many result columns one query may have, and how tallies are packed
  into fewer (arrays, JSON) so a wide table is still one scan;
- which errors are worth a retry (a lost connection, a timeout, a lock, a
  serialization failure) and which are about the query itself.

A database without an entry gets :class:`Dialect`, plain ANSI SQL. The
dialects of :mod:`.warehouses` (BigQuery, Redshift, Trino, Databricks, SQL
Server) are rendered and parsed in the tests, not run.

>>> dialect_named("postgresql").label, dialect_named("sqlite").stores_nan
('PostgreSQL', False)
>>> dialect_named("mariadb").label, dialect_named("chdb").label
('MySQL/MariaDB', 'ClickHouse')
>>> dialect_named("vertica").label  # no entry: ANSI SQL under the database's own name
'vertica'
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa

from .ansi import RETRYABLE_SQLSTATE, Dialect, sqlstate
from .clickhouse import ClickHouse
from .duckdb import DuckDB
from .mysql import MySQL
from .postgresql import PostgreSQL
from .snowflake import Snowflake
from .sqlite import SQLite
from .warehouses import BigQuery, Databricks, Redshift, SQLServer, Trino

__all__ = ["RETRYABLE_SQLSTATE", "Dialect", "dialect_named", "dialect_of", "packed", "sqlstate"]

_ALL = (
    PostgreSQL(),
    DuckDB(),
    SQLite(),
    MySQL(),
    ClickHouse(),
    Snowflake(),
    BigQuery(),
    Redshift(),
    Trino(),
    Databricks(),
    SQLServer(),
)
# SQLAlchemy dialect name -> entry (a database several packages speak to has several names)
DIALECTS: dict[str, Dialect] = {
    name: d for d in _ALL for name in (d.name, *getattr(d, "aliases", ()))
}


@cache
def dialect_named(name: str) -> Dialect:
    """The dialect for a SQLAlchemy dialect name; ANSI SQL when it has no entry
    (one object per name: every column of a query asks for it)."""
    return DIALECTS.get(name) or Dialect(name)


def dialect_of(bind: Any) -> Dialect:
    """The dialect of a SQLAlchemy connection or engine."""
    return dialect_named(bind.dialect.name)


def packed(dialect: Dialect, tallies: Sequence[sa.ColumnElement]) -> list[sa.ColumnElement]:
    """The tallies as the fewest result columns the dialect allows: plain columns
    while they fit under its limit, else packed ``tallies_per_column`` to one."""
    limit = dialect.max_result_columns
    if limit is None or len(tallies) < limit - 16:  # room for the row count and segment key
        return list(tallies)
    return dialect.pack(tallies)
