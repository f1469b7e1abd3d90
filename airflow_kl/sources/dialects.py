"""What differs between databases, written once per database.

The SQL source (:mod:`.sql`) builds one query tree; everything in it that a
database spells its own way comes from that database's :class:`Dialect`:

- the value types of a table's or query's columns, from the schema;
- a datetime as epoch nanoseconds (or ``None``: refused, never guessed);
- a float NaN as missing (where the database can store one);
- a counted condition (``count_if``, ``FILTER`` or ``SUM(CASE)``);
- exact quantiles with numpy's linear interpolation (an ordered-set
  aggregate where the database has one, else order statistics by
  ``ROW_NUMBER()`` interpolated by :mod:`airflow_kl.core.quantiles`);
- how many result columns one query may have, and how tallies are packed
  into fewer (arrays, JSON) so a wide table is still one scan;
- which errors are worth a retry (a lost connection, a timeout, a lock, a
  serialization failure) and which are about the query itself.

A database without an entry gets :class:`Dialect`, plain ANSI SQL.

>>> dialect_named("postgresql").label, dialect_named("sqlite").stores_nan
('PostgreSQL', False)
>>> dialect_named("snowflake").label  # no entry: ANSI SQL under the database's own name
'snowflake'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ..core.values import canonical
from .sql_types import (
    duckdb_types,
    postgresql_types,
    reflected_types,
    sql_value_type,
    sqlite_declared_types,
    sqlite_storage_type,
)

# SQLSTATE classes (ISO/IEC 9075) of faults that a later attempt may not meet:
# 08 connection exception, 40 transaction rollback (serialization failure,
# deadlock), 53 insufficient resources, 57 operator intervention (a statement
# timeout is 57014, a server shutting down 57P01), HYT timeouts.
RETRYABLE_SQLSTATE = ("08", "40", "53", "57", "HYT")
RETRYABLE_SQLSTATE_CODES = ("55P03",)  # PostgreSQL: lock not available


class Dialect:
    """ANSI SQL: how a database without an entry of its own is asked."""

    name = "ansi"
    label = ""
    datetimes = False  # renders epoch nanoseconds exactly
    stores_nan = True  # a double column can hold NaN (counted as missing)
    max_result_columns: int | None = None  # None: no limit worth packing for
    max_aggregates: int | None = None  # aggregate calls one query may make
    tallies_per_column = 1  # tallies packed into one result column
    lineage_scheme = ""  # OpenLineage dataset namespace scheme (default: the name)
    default_schema: str | None = None  # the schema an unqualified table is in

    def __init__(self, name: str | None = None) -> None:
        if name is not None:
            self.name = name
        self.label = self.label or self.name
        self.lineage_scheme = self.lineage_scheme or self.name

    def value_type(
        self, conn: sa.Connection, name: str, type_name: str, from_clause: Any
    ) -> tuple[str, str | None]:
        """``(type name as shown, value type or None)`` of a column."""
        value = sql_value_type(type_name)
        if value == "datetime" and not self.datetimes:
            return type_name, None
        return type_name, value

    def column_types(
        self, conn: sa.Connection, source: sa.FromClause, table: Any
    ) -> dict[str, str]:
        """``{column: type name}`` of a table (``table``: (name, schema)) or query."""
        return reflected_types(conn, table)

    def double(self, x: sa.ColumnElement) -> sa.ColumnElement:
        return sa.cast(x, sa.Double)

    def literal_double(self, value: float) -> sa.ColumnElement:
        return sa.cast(sa.literal(float(value), sa.Double), sa.Double)

    def epoch_ns(self, col: sa.ColumnElement, type_name: str) -> sa.ColumnElement | None:
        return None

    def boolean(self, col: sa.ColumnElement) -> sa.ColumnElement:
        """``'True'``/``'False'`` (:data:`airflow_kl.core.values` canonical form)."""
        return sa.case((col, canonical(True)), (sa.not_(col), canonical(False)), else_=sa.null())

    def is_nan(self, x: sa.ColumnElement) -> sa.ColumnElement:
        return x != x

    def count_where(self, condition: sa.ColumnElement) -> sa.ColumnElement:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    def quantiles(self, x: sa.ColumnElement, levels: list[float]) -> sa.ColumnElement | None:
        """One aggregate giving the exact linear quantiles at ``levels`` as a
        list, or None: then the SQL source reads order statistics by ``ROW_NUMBER()``."""
        return None

    def pack(self, tallies: Sequence[sa.ColumnElement]) -> list[sa.ColumnElement]:
        """The tallies as result columns, ``tallies_per_column`` to a column."""
        return list(tallies)

    def unpack(self, cells: Sequence[Any]) -> list[Any]:
        """The tallies of packed result cells, as given (None where a SUM saw no row)."""
        return list(cells)

    def retryable(self, exc: DBAPIError) -> bool:
        """Whether a failed statement is worth a retry: the connection was lost,
        or the driver's SQLSTATE says so (:data:`RETRYABLE_SQLSTATE`)."""
        if exc.connection_invalidated:
            return True
        state = sqlstate(exc)
        if state is None:
            return False
        return state.startswith(RETRYABLE_SQLSTATE) or state in RETRYABLE_SQLSTATE_CODES


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE a DB-API driver attached to its error (psycopg2's ``pgcode``,
    psycopg 3's and most others' ``sqlstate``), if any."""
    orig = getattr(exc, "orig", None)
    for attr in ("sqlstate", "pgcode"):
        state = getattr(orig, attr, None)
        if isinstance(state, str) and state:
            return state
    diag = getattr(orig, "diag", None)
    state = getattr(diag, "sqlstate", None)
    return state if isinstance(state, str) and state else None


class PostgreSQL(Dialect):
    name, label = "postgresql", "PostgreSQL"
    lineage_scheme, default_schema = "postgres", "public"
    datetimes = True
    max_result_columns = 1664  # "target lists can have at most 1664 entries"
    tallies_per_column = 1000  # ARRAY[...] of counts

    def column_types(self, conn, source, table):
        return postgresql_types(conn, source)

    def epoch_ns(self, col, type_name):
        seconds = sa.extract("epoch", col)  # exact numeric seconds, rounded once
        return sa.cast(seconds * sa.literal(1_000_000_000, sa.BigInteger), sa.Double)

    def is_nan(self, x):
        return x == sa.cast(sa.literal("NaN"), sa.Double)  # NaN = NaN is true here

    def count_where(self, condition):
        return sa.func.count().filter(condition)  # faster than SUM(CASE), measured

    def quantiles(self, x, levels):
        return sa.func.percentile_cont(sa.literal(levels, sa.ARRAY(sa.Double))).within_group(x)

    def pack(self, tallies):
        from sqlalchemy.dialects.postgresql import array

        size = self.tallies_per_column
        return [array(tallies[i : i + size]) for i in range(0, len(tallies), size)]

    def unpack(self, cells):
        return [v for cell in cells for v in cell]

    def retryable(self, exc):
        # psycopg2 gives no SQLSTATE when the server cannot be reached at all
        lost = isinstance(exc, sa.exc.OperationalError) and sqlstate(exc) is None
        return lost or super().retryable(exc)


class DuckDB(Dialect):
    name, label = "duckdb", "DuckDB"
    datetimes = True

    def column_types(self, conn, source, table):
        return duckdb_types(conn, source)

    def epoch_ns(self, col, type_name):
        upper = type_name.upper()
        if upper.startswith("TIMESTAMP_NS"):
            return sa.cast(sa.func.epoch_ns(col), sa.Double)
        # (microseconds, a double) x 1000: correctly rounded, as numpy rounds
        ts = col if upper.startswith("TIMESTAMP") else sa.cast(col, sa.DateTime)
        return sa.cast(sa.func.epoch_us(ts), sa.Double) * self.literal_double(1000.0)

    def is_nan(self, x):
        return sa.func.isnan(x)

    def count_where(self, condition):
        return sa.func.count_if(condition)  # ten times faster than FILTER, measured

    def quantiles(self, x, levels):
        return sa.func.quantile_cont(x, sa.literal(levels, sa.ARRAY(sa.Double)))

    def retryable(self, exc):
        import duckdb

        transient = (duckdb.IOException, duckdb.ConnectionException, duckdb.TransactionException)
        return isinstance(exc.orig, transient) or super().retryable(exc)


class SQLite(Dialect):
    name, label = "sqlite", "SQLite"
    stores_nan = False  # SQLite stores NaN as NULL
    # SQLITE_MAX_COLUMN caps both: "too many columns in result set" and "more
    # than 2000 aggregate terms"; packing helps the first only.
    max_result_columns = max_aggregates = 2000
    tallies_per_column = 100  # json_array(...): under SQLITE_MAX_FUNCTION_ARG (127)

    def column_types(self, conn, source, table):
        return sqlite_declared_types(conn, source)

    def value_type(self, conn, name, type_name, from_clause):
        value = sql_value_type(type_name)
        if not type_name.strip():  # an expression: what SQLite stored decides
            value = sqlite_storage_type(conn, from_clause, name) or None
            return f"no declared type, stores {value or 'mixed kinds'}", value
        if value == "datetime":
            return f"{type_name} (SQLite stores it as text; it has no date type)", None
        return type_name, value

    def pack(self, tallies):
        size = self.tallies_per_column
        return [sa.func.json_array(*tallies[i : i + size]) for i in range(0, len(tallies), size)]

    def unpack(self, cells):
        return [v for cell in cells for v in json.loads(cell)]

    def retryable(self, exc):
        # SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10, SQLITE_CANTOPEN 14
        code = getattr(exc.orig, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF in (5, 6, 10, 14)) or super().retryable(exc)


DIALECTS: dict[str, Dialect] = {d.name: d for d in (PostgreSQL(), DuckDB(), SQLite())}


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
