"""Column types of a SQL table or query, read from the database, as value types.

The type of a column is what the database says it is, never a guess from
some rows: each dialect (:mod:`.dialects`) reads its database's own names for
a table's or a query's columns; a database without an entry reflects the
table. This module turns a type name into a value type.

>>> sql_value_type("DOUBLE PRECISION"), sql_value_type("varchar(20)"), sql_value_type("INTERVAL")
('number', 'string', None)
>>> sql_value_type("TIMESTAMP WITH TIME ZONE"), sql_value_type("bool")
('datetime', 'boolean')
>>> sql_value_type("TIMESTAMP_NTZ"), sql_value_type("BIGNUMERIC"), sql_value_type("mediumtext")
('datetime', 'number', 'string')
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

_NUMBER = re.compile(
    r"(U?(TINY|SMALL|MEDIUM|BIG|HUGE)?INT(EGER)?\d*|INT\d|REAL|FLOAT\d*|DOUBLE|NUMERIC|DECIMAL\d*"
    r"|NUMBER|BIGNUMERIC|BIGDECIMAL|(BIG|SMALL)?SERIAL)\b"
)
_DATETIME = re.compile(
    r"(DATE(32)?|TIMESTAMP(_S|_MS|_NS|_NTZ|_LTZ|_TZ)?|TIMESTAMPTZ|DATETIME\d*|SMALLDATETIME"
    r"|DATETIMEOFFSET)\b"
)
_STRING = re.compile(
    r"(VARCHAR|NVARCHAR|CHAR|NCHAR|CHARACTER|BPCHAR|(TINY|MEDIUM|LONG|N)?TEXT|STRING|CLOB|NAME"
    r"|CITEXT)\b"
)
_BOOLEAN = re.compile(r"BOOL(EAN)?\b")


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
