"""MySQL and MariaDB: one dialect for both (SQLAlchemy names them ``mysql``
and ``mariadb``).

- Types are the server's own column types (``information_schema`` for a
  table, ``SHOW COLUMNS`` of an empty temporary table made from a query), so
  a query is typed as a table is; ``tinyint(1)`` is MySQL's ``BOOLEAN``.
- A ``DOUBLE`` holds neither NaN nor infinity: every stored number is finite.
- Strings are compared and grouped as UTF-8 bytes: the usual collations
  (``utf8mb4_general_ci``, ``..._0900_ai_ci``) fold case and accents and
  ignore trailing spaces, which would merge categories.
- Datetimes: ``TIMESTAMPDIFF(MICROSECOND, ...)`` from 1970 for ``DATE`` and
  ``DATETIME`` (wall-clock time, as UTC), ``UNIX_TIMESTAMP`` for
  ``TIMESTAMP`` (an instant, whatever the session's time zone).
- No quantile aggregate: order statistics by ``ROW_NUMBER()`` (MySQL 8,
  MariaDB 10.2). Tallies pack into ``JSON_ARRAY`` past 4,000 columns.
- Retryable by the server's error number: a lost or refused connection,
  a lock wait timeout, a deadlock, a statement timeout, too many connections.

>>> MySQL().value_type(None, "x", "tinyint(1)", None), MySQL().value_type(None, "y", "year", None)
(('tinyint(1)', 'boolean'), ('year', None))
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..sql_types import sql_value_type
from .ansi import Dialect, JsonArrays

# CR_CONNECTION_ERROR 2002, CR_CONN_HOST_ERROR 2003, CR_SERVER_GONE_ERROR 2006,
# CR_SERVER_LOST 2013, ER_CON_COUNT_ERROR 1040, ER_SERVER_SHUTDOWN 1053,
# ER_LOCK_WAIT_TIMEOUT 1205, ER_LOCK_DEADLOCK 1213, MariaDB's
# ER_STATEMENT_TIMEOUT 1969, MySQL's ER_QUERY_TIMEOUT 3024 and
# ER_CLIENT_INTERACTION_TIMEOUT 4031.
RETRYABLE_ERRORS = frozenset({2002, 2003, 2006, 2013, 1040, 1053, 1205, 1213, 1969, 3024, 4031})
_TABLE_COLUMNS = sa.text(
    "SELECT COLUMN_NAME, COLUMN_TYPE FROM information_schema.COLUMNS"
    " WHERE TABLE_SCHEMA = COALESCE(:schema, DATABASE()) AND TABLE_NAME = :name"
    " ORDER BY ORDINAL_POSITION"
)
_REFUSED = ("year", "time", "bit", "json", "set", "blob", "binary", "varbinary", "geometry")


class _Utf8Bytes(FunctionElement):
    """``CAST(CONVERT(x USING utf8mb4) AS BINARY)``: the string's UTF-8 bytes."""

    name = "utf8_bytes"
    inherit_cache = True


@compiles(_Utf8Bytes)
def _render_utf8_bytes(element, compiler, **kw):
    return f"CAST(CONVERT({compiler.process(element.clauses, **kw)} USING utf8mb4) AS BINARY)"


class Utf8Bytes(sa.types.TypeDecorator):
    """A string sent as its UTF-8 bytes, read back as the string."""

    impl = sa.LargeBinary
    cache_ok = True

    def process_result_value(self, value, dialect):
        return None if value is None else bytes(value).decode("utf-8")


class MySQL(JsonArrays, Dialect):
    name, aliases, label = "mysql", ("mariadb",), "MySQL/MariaDB"
    parser = "mysql"
    datetimes = True
    stores_nan = stores_infinity = False
    max_result_columns = 4096  # MySQL's limit on a table's (and a temporary table's) columns
    json_array = "json_array"

    def column_types(self, conn, source, table):
        if table is not None and table[0] is not None:
            found = conn.execute(_TABLE_COLUMNS, {"name": table[0], "schema": table[1]}).all()
            if found:
                return {name: _text(type_name) for name, type_name in found}
        # a query (or what information_schema does not show): an empty MyISAM copy,
        # which takes rows wider than InnoDB's 8,126 bytes
        temp = f"airflow_kl_types_{uuid.uuid4().hex}"
        body = sa.select(sa.text("*")).select_from(source).limit(0)
        sql = str(body.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE `{temp}` ENGINE = MyISAM AS {sql}")
        try:
            shown = conn.exec_driver_sql(f"SHOW COLUMNS FROM `{temp}`")
            return {row[0]: _text(row[1]) for row in shown}
        finally:
            conn.exec_driver_sql(f"DROP TEMPORARY TABLE `{temp}`")

    def value_type(self, conn, name, type_name, from_clause):
        t = type_name.lower()
        if t.startswith("tinyint(1)"):
            return type_name, "boolean"
        if t.startswith("enum("):
            return type_name, "string"
        if t.split("(")[0].split()[0] in _REFUSED or "blob" in t:
            return type_name, None
        return type_name, sql_value_type(type_name)

    def text(self, col):
        return sa.type_coerce(_Utf8Bytes(col), Utf8Bytes())

    def epoch_ns(self, col, type_name):
        if type_name.lower().startswith("timestamp"):  # stored as UTC
            micros = sa.func.unix_timestamp(col) * sa.literal(1_000_000, sa.BigInteger)
        else:
            micros = sa.func.timestampdiff(sa.text("MICROSECOND"), sa.literal("1970-01-01"), col)
        return sa.cast(sa.cast(micros, sa.BigInteger), sa.Double) * self.literal_double(1000.0)

    def retryable(self, exc):
        args = getattr(exc.orig, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        return code in RETRYABLE_ERRORS or super().retryable(exc)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
