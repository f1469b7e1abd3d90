"""ANSI SQL: the rules every database follows unless its own module says
otherwise (:mod:`airflow_kl.sources.dialects`).

>>> import sqlalchemy as sa
>>> d = Dialect("somedb")
>>> d.label, str(d.count_where(sa.column("x") > 1).compile())
('somedb', 'sum(CASE WHEN (x > :x_1) THEN :param_1 ELSE :param_2 END)')
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from ...core.binning import bin_tallies
from ...core.values import canonical
from ..sql_types import reflected_types, sql_value_type

# SQLSTATE classes (ISO/IEC 9075) of faults that a later attempt may not meet:
# 08 connection exception, 40 transaction rollback (serialization failure,
# deadlock), 53 insufficient resources, 57 operator intervention (a statement
# timeout is 57014, a server shutting down 57P01), HYT timeouts.
RETRYABLE_SQLSTATE = ("08", "40", "53", "57", "HYT")
RETRYABLE_SQLSTATE_CODES = ("55P03",)  # PostgreSQL: lock not available


class NamedType(sa.types.UserDefinedType):
    """A column type spelled as the database spells it (``FLOAT64``)."""

    cache_ok = True

    def __init__(self, spelled: str) -> None:
        self.spelled = spelled

    def get_col_spec(self, **kw: Any) -> str:
        return self.spelled


class Dialect:
    """ANSI SQL: how a database without an entry of its own is asked."""

    name = "ansi"
    aliases: tuple[str, ...] = ()  # other SQLAlchemy dialect names of the same database
    label = ""
    datetimes = False  # renders epoch nanoseconds exactly
    stores_nan = True  # a double column can hold NaN (counted as missing)
    stores_infinity = True  # ... and +-infinity (else every number is finite)
    infinity: str | None = "Infinity"  # cast from text; None: bound as a float
    double_type: Any = sa.Double  # a 64-bit float
    max_result_columns: int | None = None  # None: no limit worth packing for
    max_aggregates: int | None = None  # aggregate calls one query may make
    tallies_per_column = 1  # tallies packed into one result column
    lineage_scheme = ""  # OpenLineage dataset namespace scheme (default: the name)
    default_schema: str | None = None  # the schema an unqualified table is in
    parser = ""  # sqlglot's name of the dialect, for checking authored SQL ("": generic)

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
        return sa.cast(x, self.double_type)

    def literal_double(self, value: float) -> sa.ColumnElement:
        """A double constant: bound, or for +-infinity the text the database
        casts (a driver that pastes parameters into the SQL would write ``inf``)."""
        value = float(value)
        if math.isfinite(value) or self.infinity is None:
            return sa.cast(sa.literal(value, sa.Double), self.double_type)
        spelled = self.infinity if value > 0 else f"-{self.infinity}"
        return sa.cast(sa.literal_column(f"'{spelled}'"), self.double_type)

    def epoch_ns(self, col: sa.ColumnElement, type_name: str) -> sa.ColumnElement | None:
        return None

    def text(self, col: sa.ColumnElement) -> sa.ColumnElement:
        """A string column as compared and grouped code point by code point
        (a database whose default collation folds case or pads overrides this)."""
        return col

    def boolean(self, col: sa.ColumnElement) -> sa.ColumnElement:
        """``'True'``/``'False'`` (:data:`airflow_kl.core.values` canonical form)."""
        return sa.case((col, canonical(True)), (sa.not_(col), canonical(False)), else_=sa.null())

    def is_nan(self, x: sa.ColumnElement) -> sa.ColumnElement:
        return x != x

    def count_where(self, condition: sa.ColumnElement) -> sa.ColumnElement:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    def finite(self, x: sa.ColumnElement, present: sa.ColumnElement) -> sa.ColumnElement:
        """``x`` is a finite number (``present``: it is not missing)."""
        if not self.stores_infinity:
            return present
        low, high = (self.literal_double(v) for v in (float("-inf"), float("inf")))
        return sa.and_(present, x > low, x < high)

    def quantiles(self, x: sa.ColumnElement, levels: list[float]) -> sa.ColumnElement | None:
        """One aggregate giving the exact linear quantiles at ``levels`` as a
        list, or None: then the SQL source reads order statistics by ``ROW_NUMBER()``."""
        return None

    def count_all(
        self, conditions: Sequence[sa.ColumnElement]
    ) -> list[tuple[sa.ColumnElement, int]]:
        """Aggregates counting the rows where each condition holds, each with how
        many counts it returns (in order): one :meth:`count_where` per condition."""
        return [(self.count_where(c), 1) for c in conditions]

    def count_bins(
        self,
        ops: Any,
        edges: Sequence[float] | None,
        categories: Sequence[str] | None,
        features: int = 1,
    ) -> list[tuple[sa.ColumnElement, int]]:
        """A feature's tallies (:func:`~airflow_kl.core.binning.bin_tallies`:
        missing, then below each edge or equal to each category) as aggregates,
        each with how many counts it returns: :meth:`count_all` of the
        conditions, unless a database counts a list of edges at once (``features``:
        how many the query counts, for a database whose best form depends on it)."""
        return self.count_all(bin_tallies(ops, edges, categories))

    def read_only(self, conn: sa.Connection) -> sa.Connection:
        """``conn``, its transactions read-only where the database can say so
        (set before the first statement; the pool resets it)."""
        return conn

    def before_aggregates(self, conn: sa.Connection, count: int) -> None:
        """Run before a query of ``count`` aggregates, in its transaction (where
        a database must be told something about a wide query)."""

    def finish(self, query: sa.Select) -> sa.Select:
        """A tally query as sent (where a database needs settings for a long one)."""
        return query

    def pack(self, tallies: Sequence[sa.ColumnElement]) -> list[sa.ColumnElement]:
        """The tallies as result columns, ``tallies_per_column`` to a column."""
        return list(tallies)

    def unpack(self, cells: Sequence[Any]) -> list[Any]:
        """The tallies of packed result cells, as given (None where a SUM saw no row)."""
        return list(cells)

    # rows from which packed tallies (:meth:`decode`) no longer hold apart; None:
    # this dialect counts each tally on its own
    packed_rows_limit: int | None = None

    def decode(self, values: Sequence[Any], widths: Sequence[int]) -> list[Any]:
        """The tallies of the aggregates' values (after :meth:`unpack`), given how
        many tallies each aggregate counts: as they are, one value a tally."""
        return list(values)

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


class JsonArrays:
    """Tallies packed into JSON arrays (a database without array results)."""

    json_array = "json_array"
    tallies_per_column = 100

    def pack(self, tallies):
        size, make = self.tallies_per_column, getattr(sa.func, self.json_array)
        return [make(*tallies[i : i + size]) for i in range(0, len(tallies), size)]

    def unpack(self, cells):
        return [v for cell in cells for v in json.loads(cell)]
