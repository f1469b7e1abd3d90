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
- Tallies are counted several to an aggregate (:meth:`MySQL.count_bins`): a
  row's bin is found once, by ``INTERVAL`` over the edges or ``FIELD`` over
  the categories, and a ``SUM`` of exact ``DECIMAL`` constants keeps six
  tallies in base-2**32 digits. The server evaluates an aggregate row by row,
  so fewer aggregates are most of the speed (3x at 25 features); a partition
  of 2**32 rows or more is counted again one tally to an aggregate.
- Retryable by the server's error number: a lost or refused connection,
  a lock wait timeout, a deadlock, a statement timeout, too many connections.

>>> MySQL().value_type(None, "x", "tinyint(1)", None), MySQL().value_type(None, "y", "year", None)
(('tinyint(1)', 'boolean'), ('year', None))
"""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

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


PACK_BASE = 2**32  # one tally per base-PACK_BASE digit: exact below PACK_BASE rows
PACKED_TALLIES = 6  # digits to a SUM: PACK_BASE**6 = 2**192 < 10**65, DECIMAL's limit


def double_literal(value: float) -> str:
    """A double as MySQL reads one: its shortest exact text with an exponent
    (without one, a literal is a ``DECIMAL``).

    >>> double_literal(0.1), double_literal(1e-320), double_literal(2.0)
    ('0.1e0', '1e-320', '2.0e0')
    """
    text = repr(float(value))
    return text if "e" in text else f"{text}e0"


def bin_index(ops, edges, categories) -> sa.ColumnElement:
    """Each row's bin as one number: -1 when missing; ``INTERVAL(x, e1, ...)``
    (how many edges are <= x) or ``FIELD(x, c1, ...)`` (the category's
    position, 0 for OTHER), the categories as their UTF-8 bytes. A ``DOUBLE``
    holds no NaN, so a number is missing only when NULL, for which
    ``INTERVAL`` gives -1 itself."""
    if categories is None:
        values = [sa.literal_column(double_literal(e)) for e in edges or ()]
        if values:
            return sa.func.interval(ops.x, *values)
        found = sa.literal_column("0")
    else:
        values = [sa.literal_column(f"X'{c.encode('utf-8').hex()}'") for c in categories]
        found = sa.func.field(ops.x, *values) if values else sa.literal_column("0")
    return sa.case((ops.missing(), sa.literal_column("-1")), else_=found)


def tallies_of_bin(index: int, tallies: int, numeric: bool) -> list[int]:
    """The tallies (:func:`~airflow_kl.core.binning.bin_tallies`) a row of bin
    ``index`` counts in: missing (-1) in the first; a number of bin ``i`` in
    "below edge j" for every j > i; a category at ``FIELD`` position ``f`` in
    tally ``f`` (OTHER, 0, in none).

    >>> tallies_of_bin(-1, 4, True), tallies_of_bin(1, 4, True), tallies_of_bin(2, 4, False)
    ([0], [2, 3], [2])
    """
    if index < 0:
        return [0]
    if numeric:
        return list(range(index + 1, tallies))
    return [index] if index > 0 else []


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

    packed_rows_limit = PACK_BASE

    def count_bins(self, ops, edges, categories, features=1):
        """A feature's tallies, six to an aggregate: ``SUM(CASE bin WHEN i THEN
        c_i ... END)`` where ``c_i`` holds a 1 in the base-2**32 digit of every
        tally a row of bin ``i`` counts in (:func:`tallies_of_bin`); the digits
        of the sum are the tallies, none reaching 2**32 below 2**32 rows."""
        numeric = categories is None
        tallies = 1 + len((edges or ()) if numeric else categories)
        index = bin_index(ops, edges, categories)
        bins = range(-1, tallies)  # the values the index takes
        counted = []
        for start in range(0, tallies, PACKED_TALLIES):
            stop = min(tallies, start + PACKED_TALLIES)
            whens = {}
            for i in bins:
                digits = [t for t in tallies_of_bin(i, tallies, numeric) if start <= t < stop]
                if digits:
                    whens[i] = sa.literal_column(str(sum(PACK_BASE ** (t - start) for t in digits)))
            case = sa.case(whens, value=index, else_=sa.literal_column("0"))
            counted.append((sa.func.sum(case), stop - start))
        return counted

    def unpack(self, cells):
        """Aggregates packed into JSON arrays (past 4,096 result columns), their
        exact decimals kept; else the cells as they are."""
        if cells and isinstance(cells[0], (str, bytes)):
            return [v for cell in cells for v in json.loads(cell, parse_float=Decimal)]
        return list(cells)

    def decode(self, values, widths):
        """Each packed sum's base-2**32 digits, lowest first: its tallies."""
        out = []
        for value, width in zip(values, widths, strict=True):
            number = int(value or 0)
            for _ in range(width):
                number, digit = divmod(number, PACK_BASE)
                out.append(digit)
        return out

    def retryable(self, exc):
        args = getattr(exc.orig, "args", ())
        code = args[0] if args and isinstance(args[0], int) else None
        return code in RETRYABLE_ERRORS or super().retryable(exc)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
