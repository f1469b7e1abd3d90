"""Column types of a SQL table or query, read from the database, as value types.

The type of a column is what the database says it is, never a guess from
some rows: PostgreSQL describes a query's result columns, DuckDB names them
(``DESCRIBE``); SQLite reports declared types (a temporary view over the
query), and for a column without one (an expression), the storage classes
its values have; other databases reflect the table. Which database uses which
is its dialect's choice (:mod:`.dialects`).

>>> sql_value_type("DOUBLE PRECISION"), sql_value_type("varchar(20)"), sql_value_type("INTERVAL")
('number', 'string', None)
>>> sql_value_type("TIMESTAMP WITH TIME ZONE"), sql_value_type("bool")
('datetime', 'boolean')
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import sqlalchemy as sa

from ..core.values import NULL

_NUMBER = re.compile(
    r"(U?(TINY|SMALL|MEDIUM|BIG|HUGE)?INT(EGER)?\d*|INT\d|REAL|FLOAT\d*|DOUBLE|NUMERIC|DECIMAL"
    r"|NUMBER|(BIG|SMALL)?SERIAL)\b"
)
_DATETIME = re.compile(r"(DATE|TIMESTAMP(_S|_MS|_NS)?|TIMESTAMPTZ|DATETIME\d*|SMALLDATETIME)\b")
_STRING = re.compile(
    r"(VARCHAR|NVARCHAR|CHAR|NCHAR|CHARACTER|BPCHAR|TEXT|STRING|CLOB|NAME|CITEXT)\b"
)
_BOOLEAN = re.compile(r"BOOL(EAN)?\b")
_STORAGE_CLASSES = {"integer": "number", "real": "number", "text": "string"}


def sql_value_type(type_name: str) -> str | None:
    """The value type of a SQL type name, or None when none holds it faithfully."""
    t = type_name.strip().upper()
    for pattern, value in (
        (_BOOLEAN, "boolean"),
        (_NUMBER, "number"),
        (_DATETIME, "datetime"),
        (_STRING, "string"),
    ):
        if pattern.match(t):
            return value
    return None


def reflected_types(conn: sa.Connection, table: Any) -> dict[str, str]:
    """``{column: type name}`` of a table or view, by SQLAlchemy's reflection;
    a query's columns cannot be reflected (SchemaError)."""
    if table is None or table[0] is None:
        from ..core.errors import SchemaError

        raise SchemaError(
            f"cannot read the column types of a query on {conn.dialect.name}; give a table or view"
        )
    name, schema = table
    return {c["name"]: str(c["type"]) for c in sa.inspect(conn).get_columns(name, schema=schema)}


def postgresql_types(conn: sa.Connection, source: sa.FromClause) -> dict[str, str]:
    """PostgreSQL's own names (``format_type``) of the result columns' type OIDs."""
    result = conn.execute(sa.select(sa.text("*")).select_from(source).limit(0))
    description = result.cursor.description
    result.close()
    oids = sorted({int(d[1]) for d in description})
    names = dict(
        conn.execute(
            sa.text("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(:o)"),
            {"o": oids},
        ).all()
    )
    return {d[0]: names.get(int(d[1]), str(d[1])) for d in description}


def duckdb_types(conn: sa.Connection, source: sa.FromClause) -> dict[str, str]:
    """DuckDB's own type names (``DESCRIBE``): its DB-API description says
    ``DATETIME`` for every timestamp before DuckDB 2, which hides ``TIMESTAMP_NS``."""
    body = sa.select(sa.text("*")).select_from(source).limit(0)
    sql = str(body.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    return {row[0]: str(row[1]) for row in conn.exec_driver_sql(f"DESCRIBE {sql}")}


def sqlite_declared_types(conn: sa.Connection, source: sa.FromClause) -> dict[str, str]:
    view = f"airflow_kl_types_{uuid.uuid4().hex}"
    body = sa.select(sa.text("*")).select_from(source)
    sql = str(body.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    conn.exec_driver_sql(f'CREATE TEMP VIEW "{view}" AS {sql}')
    try:
        declared = {row[1]: row[2] for row in conn.exec_driver_sql(f'PRAGMA table_info("{view}")')}
    finally:
        conn.exec_driver_sql(f'DROP VIEW temp."{view}"')
    return declared


def sqlite_storage_type(conn: sa.Connection, source: sa.FromClause, column: str) -> str:
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
