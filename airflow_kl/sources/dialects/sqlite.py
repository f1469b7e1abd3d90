"""SQLite: declared types (a temporary view over the query), the storage
class of an expression's values, no NaN, JSON-array packing under its
2,000-column and 127-argument limits, and BUSY/LOCKED/IOERR/CANTOPEN retryable.

>>> SQLite().stores_nan
False
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from ...core.values import NULL
from ..sql_types import sql_value_type
from .ansi import Dialect, JsonArrays

_STORAGE_CLASSES = {"integer": "number", "real": "number", "text": "string"}


class SQLite(JsonArrays, Dialect):
    name, label = "sqlite", "SQLite"
    parser = "sqlite"
    stores_nan = False  # SQLite stores NaN as NULL
    infinity = None  # no text casts to it; sqlite3 binds it
    # SQLITE_MAX_COLUMN caps both: "too many columns in result set" and "more
    # than 2000 aggregate terms"; packing helps the first only.
    max_result_columns = max_aggregates = 2000
    tallies_per_column = 100  # json_array(...): under SQLITE_MAX_FUNCTION_ARG (127)

    def column_types(self, conn, source, table):
        return _declared_types(conn, source)

    def value_type(self, conn, name, type_name, from_clause):
        value = sql_value_type(type_name)
        if not type_name.strip():  # an expression: what SQLite stored decides
            value = _storage_type(conn, from_clause, name) or None
            return f"no declared type, stores {value or 'mixed kinds'}", value
        if value == "datetime":
            return f"{type_name} (SQLite stores it as text; it has no date type)", None
        return type_name, value

    def retryable(self, exc):
        # SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10, SQLITE_CANTOPEN 14
        code = getattr(exc.orig, "sqlite_errorcode", None)
        return (code is not None and code & 0xFF in (5, 6, 10, 14)) or super().retryable(exc)


def _declared_types(conn: sa.Connection, source: sa.FromClause) -> dict[str, str]:
    view = f"airflow_kl_types_{uuid.uuid4().hex}"
    body = sa.select(sa.text("*")).select_from(source)
    sql = str(body.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    conn.exec_driver_sql(f'CREATE TEMP VIEW "{view}" AS {sql}')
    try:
        declared = {row[1]: row[2] for row in conn.exec_driver_sql(f'PRAGMA table_info("{view}")')}
    finally:
        conn.exec_driver_sql(f'DROP VIEW temp."{view}"')
    return declared


def _storage_type(conn: sa.Connection, source: sa.FromClause, column: str) -> str:
    """For a SQLite column with no declared type: the value type its stored values
    have, over every row (``typeof``), or ``''`` when they mix kinds."""
    col = sa.column(column)
    classes = {
        row[0]
        for row in conn.execute(sa.select(sa.func.typeof(col)).select_from(source).distinct()).all()
    } - {"null"}
    if not classes:
        return NULL
    found = {_STORAGE_CLASSES.get(c, "") for c in classes}
    return found.pop() if len(found) == 1 else ""
