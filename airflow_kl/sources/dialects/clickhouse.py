"""ClickHouse: in-process through chdb (``chdb://``), or a server through
clickhouse-connect (``clickhousedb://``) or clickhouse-sqlalchemy
(``clickhouse://``).

- Types are ClickHouse's own (``DESCRIBE TABLE (query)``), ``Nullable(...)``
  and ``LowCardinality(...)`` unwrapped.
- Numbers become ``Float64``; ``countIf`` counts; tallies pack into arrays.
- Datetimes: ``toUnixTimestamp64Micro``/``Nano`` of the stored instant; a
  ``DateTime``/``DateTime64`` with no time zone of its own is wall-clock time
  in the server's zone, so its offset there is added back (wall-clock time as
  UTC, as for every naive timestamp); a ``Date``/``Date32`` is midnight UTC.
- A tally query lifts the parser's limits on its size (``SETTINGS``).
- Quantiles by ``quantilesExactInclusive`` (exact order statistics, linearly
  interpolated as numpy does, to the last digit or so).
- Retryable by ClickHouse's error code: timeouts, network errors, too many
  queries, memory limits, a deadlock avoided.

>>> ClickHouse().value_type(None, "x", "LowCardinality(Nullable(String))", None)
('LowCardinality(Nullable(String))', 'string')
>>> ClickHouse().value_type(None, "t", "Nullable(DateTime64(6, 'UTC'))", None)[1]
'datetime'
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from ..sql_types import sql_value_type
from .ansi import Dialect

# SOCKET_TIMEOUT 209, NETWORK_ERROR 210, TIMEOUT_EXCEEDED 159,
# TOO_MANY_SIMULTANEOUS_QUERIES 202, MEMORY_LIMIT_EXCEEDED 241,
# DEADLOCK_AVOIDED 473, ALL_CONNECTION_TRIES_FAILED 279, UNEXPECTED_END_OF_FILE 3
RETRYABLE_CODES = frozenset({3, 159, 202, 209, 210, 241, 279, 473})
QUERY_LIMITS = (
    "SETTINGS max_query_size = 1073741824, max_ast_elements = 100000000, "
    "max_expanded_ast_elements = 100000000"
)
_WRAPPERS = re.compile(r"^(Nullable|LowCardinality)\((.*)\)$")
_CODE = re.compile(r"Code: (\d+)\.")


def unwrapped(type_name: str) -> str:
    """``Nullable(T)`` and ``LowCardinality(T)`` as ``T``.

    >>> unwrapped("LowCardinality(Nullable(String))")
    'String'
    """
    while match := _WRAPPERS.match(type_name.strip()):
        type_name = match.group(2)
    return type_name


class _Parametric(FunctionElement):
    """A parametric aggregate, ``name(p1, p2, ...)(x)``."""

    inherit_cache = False

    def __init__(self, name: str, parameters: list[float], x) -> None:
        self.function, self.parameters = name, [repr(float(p)) for p in parameters]
        super().__init__(x)


@compiles(_Parametric)
def _render_parametric(element, compiler, **kw):
    arguments = compiler.process(element.clauses, **kw)
    return f"{element.function}({', '.join(element.parameters)})({arguments})"


class _CountEach(FunctionElement):
    """A feature's tallies as one array: the missing rows, then the rows below
    each edge (or equal to each category). Each row's bin index (``roundDown``
    to the edges, or the category's position by ``transform``; a missing value
    the last index) is counted per index by one ``countResample``, whose
    counts are then arranged (cumulated below the edges)."""

    inherit_cache = False

    def __init__(self, x, values: list, numeric: bool) -> None:
        self.values, self.numeric = values, numeric
        super().__init__(x)


def string_literal(text: str) -> str:
    r"""A ClickHouse string literal: backslash escapes, the text's UTF-8 as is.

    >>> print(string_literal("it's a\\b"))
    'it\'s a\\b'
    """
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@compiles(_CountEach)
def _render_count_each(element, compiler, **kw):
    # literals, not parameters: a 1,000-feature check has 10,000 of them, and the
    # shortest repr of a double reads back as that double (checked bit for bit)
    x = compiler.process(element.clauses, **kw)
    k = len(element.values)
    if element.numeric:
        # the largest edge at or below x (-inf below the first), then its position;
        # NaN (and NULL, as NaN) rounds to NaN, which no edge equals: index k + 1
        edges = f"[-inf, {', '.join(repr(float(v)) for v in element.values)}]"
        index = f"transform(roundDown(ifNull({x}, nan), {edges}), {edges}, range({k + 1}), {k + 1})"
        below = f"arrayCumSum(arraySlice(%(c)s, 1, {k}))"
    else:  # a category's position, OTHER k, missing k + 1
        items = ", ".join(string_literal(v) for v in element.values)
        index = f"if(isNull({x}), {k + 1}, ifNull(transform({x}, [{items}], range({k}), {k}), {k}))"
        below = f"arraySlice(%(c)s, 1, {k})"
    counts = f"countResample(0, {k + 2}, 1)({index})"  # one aggregate, named twice
    return f"arrayPushFront({below % {'c': counts}}, {counts}[{k + 2}])"


class ClickHouse(Dialect):
    name, aliases, label = "chdb", ("clickhouse", "clickhousedb"), "ClickHouse"
    parser = "clickhouse"
    lineage_scheme = "clickhouse"
    datetimes = True
    tallies_per_column = 1000

    def column_types(self, conn, source, table):
        body = sa.select(sa.text("*")).select_from(source).limit(0)
        sql = str(body.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
        return {row[0]: str(row[1]) for row in conn.exec_driver_sql(f"DESCRIBE TABLE ({sql})")}

    def value_type(self, conn, name, type_name, from_clause):
        inner = unwrapped(type_name)
        base = inner.split("(")[0]
        if base in ("String", "FixedString") or base.startswith("Enum"):
            return type_name, "string"
        if base == "Bool":
            return type_name, "boolean"
        if base.startswith(("Int", "UInt", "Float", "Decimal")):
            return type_name, "number"
        if base in ("Date", "Date32", "DateTime", "DateTime64"):
            return type_name, sql_value_type(base)
        return type_name, None

    def double(self, x):
        return sa.func.toFloat64(x)

    def literal_double(self, value):
        return sa.func.toFloat64(sa.literal(repr(float(value))))

    def epoch_ns(self, col, type_name):
        inner = unwrapped(type_name)
        base, args = inner.split("(")[0], inner[len(inner.split("(")[0]) :]
        if base in ("Date", "Date32"):
            micros = sa.func.toUnixTimestamp64Micro(sa.func.toDateTime64(col, 6, "UTC"))
            return sa.func.toFloat64(micros) * self.literal_double(1000.0)
        if base == "DateTime":
            col = sa.func.toDateTime64(col, 0)
        precision = int(args.strip("()").split(",")[0]) if base == "DateTime64" else 0
        if precision > 6:
            ticks, scale = sa.func.toUnixTimestamp64Nano(col), 1
        else:
            ticks, scale = sa.func.toUnixTimestamp64Micro(col), 1000
        if "'" not in args:  # no zone of its own: wall-clock time in the server's zone
            ticks = ticks + sa.func.timeZoneOffset(col) * sa.literal(1_000_000_000 // scale)
        ns = sa.func.toFloat64(ticks)
        return ns if scale == 1 else ns * self.literal_double(float(scale))

    def is_nan(self, x):
        return sa.func.isNaN(x)

    def count_where(self, condition):
        return sa.func.countIf(condition)

    def count_all(self, conditions):
        """A feature's tallies as one ``sumForEach`` over an array of 0/1 flags:
        the analyzer's time grows faster than the number of ``countIf`` calls
        (0.5 s for 100 features, 19 s for 1,000), and one call per feature
        keeps a wide check at a few seconds. NULL (a comparison with a missing
        value) counts as not holding, as in ``countIf``; over no rows the
        counts are zeros, as ``countIf``'s are."""
        flags = [sa.func.toUInt8(sa.func.ifNull(c, 0)) for c in conditions]
        counts = sa.func.sumForEach(sa.func.array(*flags))  # [] over no rows: padded with 0
        return [(sa.func.arrayResize(counts, len(conditions)), len(conditions))]

    # from this many features a query counts each feature's bins by a bin index
    # per row (:meth:`count_bins`): every width, as it is 1.8-2.0x faster than a
    # flag per bin at 25 features and 3.2-3.6x at 1,000 (bench/clickhouse_width.py)
    wide_features = 1

    def count_bins(self, ops, edges, categories, features=1):
        """One ``countResample`` of a bin index per row for each feature
        (:class:`_CountEach`): a small query for the analyzer, whose time grows
        faster than the query's size, and a few operations a row. Below
        ``wide_features`` features (and for a column of NULLs, or no edges):
        :meth:`count_all` of the conditions."""
        values = list(edges or ()) if categories is None else list(categories)
        numeric_nan = categories is None and not ops.may_be_nan  # an all-NULL column
        if features < self.wide_features or not values or numeric_nan:
            return super().count_bins(ops, edges, categories, features)
        return [(_CountEach(ops.x, values, categories is None), 1 + len(values))]

    def finish(self, query):
        # a 1,000-feature check is several MB of SQL: past the parser's defaults
        return query.suffix_with(QUERY_LIMITS)

    def quantiles(self, x, levels):
        return _Parametric("quantilesExactInclusive", levels, x)

    def pack(self, tallies):
        size = self.tallies_per_column
        return [sa.func.array(*tallies[i : i + size]) for i in range(0, len(tallies), size)]

    def unpack(self, cells):
        return [v for cell in cells for v in cell]  # arrays: packed, or a sumForEach

    def retryable(self, exc):
        code = _CODE.search(str(exc.orig))
        return (code is not None and int(code.group(1)) in RETRYABLE_CODES) or super().retryable(
            exc
        )
