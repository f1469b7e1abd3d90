"""SQL tables and queries through SQLAlchemy, counted inside the database.

One query per partition returns every feature's bin counts as one row of
aggregates (a count below each edge, of each category, of missing values):
the table is scanned once, nothing but counts leaves the database, and the
query's size is bounded by the number of bins (never by the data's
cardinality). Values (edges, categories, filter parameters) are bound
parameters; table and column names must exist in the database and are
quoted by the dialect.

Values follow the one value model (:mod:`airflow_kl.core.values`), decided
from the column types the database reports (:mod:`.sql_types`): numbers are
cast to a 64-bit double explicitly (``DOUBLE``/``DOUBLE PRECISION``, never
``FLOAT``, which is 32-bit in DuckDB), booleans become ``'True'``/``'False'``,
dates and timestamps epoch nanoseconds UTC where the database can say so
exactly (else refused). The bins are rendered from
:func:`airflow_kl.core.binning.bin_tallies`.

Everything a database spells its own way comes from its
:class:`~.dialects.Dialect` (one module per database under :mod:`.dialects`;
ANSI SQL for the rest). NULL is missing; float NaN counts as missing too on
the databases that store it, as it does in pandas. A table too wide for one
result row still takes one scan: the tallies are packed into arrays
(PostgreSQL, ClickHouse) or JSON arrays (SQLite, MySQL).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from ..core.binning import (
    edges_from_quantiles,
    quantile_levels,
    require_columns,
    unpack_tallies,
)
from ..core.errors import ConfigError, DatabaseUnavailable, SchemaError, SourceError
from ..core.pair_profile import PairProfile
from ..core.partitions import check_partition_column
from ..core.profile import FeatureProfile
from ..core.quantiles import from_order_statistics, needed_ranks
from ..core.segments import Key, SegmentProfile, check_segment_column, segment_conditions
from ..core.text import first_line, masked, shown
from ..core.values import NS_PER_DAY, NULL, canonical, check_value_type, layout_of, unsupported
from .dialects import Dialect, dialect_named, dialect_of, packed
from .pair_groups import cell_whens, grouped_with_pairs
from .profiling import EngineColumn
from .source import UNGROUPED, WHOLE, Counted, GroupBy, Progress, Source, empty_groups
from .sql_text import check_filter, check_query, parenthesised

log = logging.getLogger(__name__)


def sql(
    url_or_engine: Any,
    *,
    table: str | None = None,
    query: str | None = None,
    schema: str | None = None,
    where: str | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> SqlSource:
    """A table or query in a database, for :func:`~airflow_kl.build_profile`,
    :func:`~airflow_kl.check_drift` and :func:`~airflow_kl.count_bins`: counted
    inside the database, one scan. ``url_or_engine`` is a SQLAlchemy URL or
    engine; ``where`` a condition whose ``:name`` values come from ``parameters``
    (bound, never pasted into the SQL). It returns a :class:`SqlSource`.

    Parameters
    ----------
    url_or_engine
        A SQLAlchemy URL (``"postgresql://user@host/db"``, ``"duckdb:///x.duckdb"``)
        or ``Engine``.
    table
        The table to read; give ``table`` or ``query``, not both.
    query
        One ``SELECT`` statement whose rows are read (checked in the
        database's dialect: a second statement is refused).
    schema
        The schema of ``table`` (default: the connection's).
    where
        A condition on ``table``'s rows (``"month = :m"``), kept in parentheses
        so it cannot widen what is counted.
    parameters
        The values of ``where``'s ``:name`` placeholders.

    Examples
    --------
    >>> import airflow_kl as ak, pandas as pd, sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> _ = pd.DataFrame({"x": range(300), "m": [1, 2, 3] * 100}).to_sql("t", engine, index=False)
    >>> profile = ak.build_profile(ak.sql(engine, table="t", where="m = :m", parameters={"m": 1}))
    >>> sum(profile.features["x"].counts), profile.features["m"].edges
    (100, (1.0,))
    """
    return SqlSource(
        url_or_engine,
        table=table,
        schema=schema,
        query=query,
        where=where,
        parameters=dict(parameters or {}),
    )


def source_engine(url: str | sa.URL) -> sa.Engine:
    """The engine of a source named by URL. It keeps no connection open between
    uses (a check connects a few times, then holds nothing), so an embedded
    database's file is not left locked for the next process to open; an
    in-memory database keeps SQLAlchemy's pool, which is the database itself.

    >>> source_engine("sqlite:///flights.db").pool.__class__.__name__
    'NullPool'
    >>> source_engine("sqlite://").pool.__class__.__name__
    'SingletonThreadPool'
    """
    url = database_url(url)
    try:
        if url.database in (None, "", ":memory:"):
            return sa.create_engine(url)
        return sa.create_engine(url, poolclass=sa.pool.NullPool)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as exc:
        raise _not_a_database(url, exc) from None


def database_url(url: str | sa.URL) -> sa.URL:
    """``url`` parsed as a SQLAlchemy URL, or a ConfigError naming it (password masked).

    >>> database_url("postgresql://kl:s3cret@db:port/f")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: cannot open 'postgresql://kl:***@db:port/f' as a ...
    """
    try:
        return sa.make_url(url)
    except (sa.exc.ArgumentError, ValueError) as exc:
        raise _not_a_database(url, exc) from None


def _not_a_database(url: Any, exc: Exception) -> ConfigError:
    shown_url = url.render_as_string(hide_password=True) if isinstance(url, sa.URL) else str(url)
    return ConfigError(
        f"cannot open {masked(shown_url)!r} as a database: {first_line(exc)} "
        "(a SQLAlchemy URL, dialect+driver://user@host/database, whose driver is installed)"
    )


def filter_clause(where: str, parameters: Mapping[str, Any]) -> sa.TextClause:
    """A filter as one parenthesised term of the WHERE clause, its ``:name``
    values bound: an ``OR`` in it never escapes into the conditions beside it.

    >>> stmt = sa.select(sa.column("x")).where(sa.column("x").is_not(None))
    >>> " ".join(str(stmt.where(filter_clause("m = :a OR m = :b", {"a": 1, "b": 2}))).split())
    'SELECT x WHERE x IS NOT NULL AND ( m = :a OR m = :b )'
    """
    return sa.text(parenthesised(where)).bindparams(**dict(parameters))


@dataclass(frozen=True)
class Reading:
    """One connection to rows in a database: the typed columns, and how a
    query reads from the rows (FROM and WHERE)."""

    conn: sa.Connection
    columns: Callable[[list[str] | None], list[SqlColumn]]
    scope: Callable[[sa.Select], sa.Select]


class SqlRows(Source):
    """Rows in a database, counted and profiled there: what a table, a query
    and a GX batch share. A subclass opens a :class:`Reading`."""

    counts_pairs = True

    def reading(self) -> Any:  # a context manager of a Reading
        raise NotImplementedError

    def value_types(self, columns: list[str] | None = None) -> dict[str, str | SchemaError]:
        with self.reading() as rows:
            return {c.name: c.value or c.error() for c in rows.columns(columns)}

    def count(
        self,
        features: Mapping[str, FeatureProfile],
        group_by: GroupBy = UNGROUPED,
        progress: Progress | None = None,
    ) -> Counted:
        """Every feature's counts in one query (a few, where the dialect caps its
        aggregates), grouped by segment and partition in the database."""
        with self.reading() as rows:
            names = list(dict.fromkeys([*features, *group_by.columns()]))
            columns = {c.name: c for c in rows.columns(names)}
            return count_grouped(rows.conn, columns, features, group_by, rows.scope)

    def segment_rows(self, by: Sequence[str]) -> tuple[dict[Key, int], tuple[str, ...]]:
        """Rows per combination of the segment columns, by one GROUP BY."""
        with self.reading() as rows:
            columns = segment_columns(rows.columns(list(by)))
            labelled = [c.expression().label(f"s{j}") for j, c in enumerate(columns)]
            stmt = sa.select(*labelled, sa.func.count().label("n"))
            stmt = rows.scope(stmt).group_by(*[sa.text(str(j + 1)) for j in range(len(by))])
            try:
                found = rows.conn.execute(stmt).all()
            except DBAPIError as exc:
                _raise_query_error(exc, rows.conn)
        keys = {
            tuple(None if v is None else canonical(v) for v in r[:-1]): int(r[-1]) for r in found
        }
        return keys, tuple(c.value for c in columns)

    def count_into(self, engine, columns, stubs) -> dict[str, np.ndarray]:
        """On the profile's own connection, with the columns it typed (a second
        reading would type every column again: a query each on SQLite)."""
        by_name = {c.name: c.handle for c in columns}
        return count_columns(engine.conn, by_name, stubs, engine.scope)

    @contextmanager
    def primitives(self) -> Iterator[SqlPrimitives]:
        """Exact quantiles of every numeric column in one scan by the dialect's
        quantile aggregate (``percentile_cont``, ``quantile_cont``,
        ``quantilesExactInclusive``) or else by order statistics (``ROW_NUMBER()``,
        interpolated as numpy does), top-k by GROUP BY; no column is fetched."""
        with self.reading() as rows:
            try:
                yield SqlPrimitives(rows)
            except DBAPIError as exc:
                _raise_query_error(exc, rows.conn)


@dataclass(frozen=True)
class SqlSource(SqlRows):
    """A table (optionally filtered) or a query, in a database.

    ``where`` is a SQL condition written by the DAG author (like the SQL of
    ``SQLExecuteQueryOperator``); the values it refers to as ``:name`` are
    passed in ``parameters`` and bound, never pasted into the text.

    >>> SqlSource("sqlite://", table="flights", where="month = :m", parameters={"m": 9}).table
    'flights'
    """

    engine: Any
    """The SQLAlchemy ``Engine`` (made from a URL when one was given)."""
    table: str | None = None
    """The table read, or None for a query."""
    schema: str | None = None
    """The table's schema, or None for the connection's."""
    query: str | None = None
    """The ``SELECT`` read, or None for a table."""
    where: str | None = None
    """The condition on the table's rows, or None for every row."""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """The values bound to ``where``'s ``:name`` placeholders."""

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise ConfigError("give exactly one of table= or query= for a SQL source")
        if isinstance(self.engine, (str, sa.URL)):
            object.__setattr__(self, "engine", source_engine(self.engine))
        parser = dialect_of(self.engine).parser
        if self.where is not None:
            check_filter(self.where, parser)
        if self.query is not None:
            check_query(self.query, parser)
        self._check_parameters()

    def _check_parameters(self) -> None:
        """Every ``:name`` of the filter has a value, and every value a ``:name``."""
        used = set(sa.text(self.where).compile().params) if self.where else set()
        in_query = set(sa.text(self.query).compile().params) if self.query is not None else set()
        if in_query:
            names = sorted(in_query)
            raise ConfigError(
                f"a SQL query takes no parameters (found :{', :'.join(names)}); "
                "write the values into a filter (where=) instead"
            )
        given = set(self.parameters)
        if used - given:
            name = sorted(used - given)[0]
            raise ConfigError(
                f"the SQL filter {self.where!r} uses :{name}, but no value is given for it "
                f"(parameters={{{name!r}: ...}}, or --param {name}=VALUE)"
            )
        if given - used:
            name = sorted(given - used)[0]
            raise ConfigError(
                f"parameter {name!r} is not used by the SQL filter {self.where!r}; "
                f"refer to it as :{name}, or drop it"
            )

    def _filter(self) -> sa.TextClause:
        return filter_clause(str(self.where), self.parameters)

    def _query(self) -> sa.TextClause:
        return sa.text(f"{parenthesised(str(self.query))} AS src")

    def __str__(self) -> str:
        """Where the rows are, for logs and reports (the password hidden)."""
        url = self.engine.url.render_as_string(hide_password=True)
        return shown(f"{url} {self.table or 'query'}")

    def gx_partition(self) -> dict[str, str]:
        """What a GX SQL datasource reads: the connection string and the table,
        or a query with ``where`` and its parameters rendered as SQL literals by
        SQLAlchemy (GX takes no bound parameters)."""
        url = self.engine.url.render_as_string(hide_password=False)
        if self.query is None and not self.where:
            return {"connection_string": url, "table": str(self.table)}
        table = sa.table(str(self.table), schema=self.schema)
        base = self._query() if self.query is not None else table
        stmt = sa.select(sa.text("*")).select_from(base)
        if self.where:
            stmt = stmt.where(self._filter())
        query = str(stmt.compile(self.engine, compile_kwargs={"literal_binds": True}))
        return {"connection_string": url, "query": query}

    def _from(self, conn: sa.Connection) -> sa.FromClause:
        if self.query is not None:  # author-written SQL, as in SQLExecuteQueryOperator
            return self._query()
        try:
            names = sa.inspect(conn).get_table_names(schema=self.schema)
            names += sa.inspect(conn).get_view_names(schema=self.schema)
        except DBAPIError as exc:
            _raise_query_error(exc, conn)
        if self.table not in names:
            where = f" in schema {self.schema!r}" if self.schema else ""
            raise SchemaError(
                f"table {self.table!r} does not exist{where}; tables: {sorted(names)}"
            )
        return sa.table(self.table, schema=self.schema)

    def scope(self, conn: sa.Connection, stmt: sa.Select) -> sa.Select:
        """``stmt`` reading from this source's table or query, filtered by ``where``."""
        stmt = stmt.select_from(self._from(conn))
        if self.where:
            stmt = stmt.where(self._filter())
        return stmt

    def _connect(self) -> sa.Connection:
        try:
            conn = self.engine.connect()
            return dialect_of(conn).read_only(conn)
        except (OperationalError, DBAPIError) as exc:
            url = shown(self.engine.url.render_as_string(hide_password=True))
            raise DatabaseUnavailable(f"cannot connect to {url}: {first_line(exc.orig)}") from exc

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        with self._connect() as conn:
            yield Reading(
                conn, lambda wanted: self.columns(conn, wanted), lambda s: self.scope(conn, s)
            )

    def columns(self, conn: sa.Connection, wanted: list[str] | None = None) -> list[SqlColumn]:
        """The wanted columns (default all) with their value types, from the schema."""
        table = (self.table, self.schema)
        return typed_columns(conn, self._from(conn), table, wanted, "SQL source")


def typed_columns(
    conn: sa.Connection, from_clause: Any, table: Any, wanted: list[str] | None, what: str
) -> list[SqlColumn]:
    """Columns of ``from_clause`` (default all) with the types the database reports."""
    dialect = dialect_of(conn)
    try:
        types = dialect.column_types(conn, from_clause, table)
    except DBAPIError as exc:
        _raise_query_error(exc, conn)
    wanted = list(types) if wanted is None else wanted
    require_columns(types, wanted, what)
    return [SqlColumn.of(conn, name, types[name], from_clause) for name in wanted]


@dataclass(frozen=True)
class SqlColumn:
    """A column, its database type and its value type (or the error refusing it)."""

    name: str
    type_name: str
    value: str | None
    dialect: str
    engine: str

    @classmethod
    def of(cls, conn, name: str, type_name: str, from_clause) -> SqlColumn:
        dialect = dialect_of(conn)
        shown, value = dialect.value_type(conn, name, type_name, from_clause)
        return cls(name, shown, value, dialect.name, dialect.label)

    @property
    def sql(self) -> Dialect:
        return dialect_named(self.dialect)

    def error(self, profiled: str = "") -> SchemaError:
        return unsupported(self.name, self.type_name, self.engine, profiled)

    def checked_value(self, profiled: str = "") -> str:
        if self.value is None:
            raise self.error(profiled)
        return self.value

    def expression(self) -> sa.ColumnElement:
        """The value in canonical form: a double, or the canonical string."""
        col = sa.column(self.name)
        value = self.checked_value()
        if value == "number":
            return self.sql.double(col)
        if value == "datetime":
            ns = self.sql.epoch_ns(col, self.type_name)
            if ns is None:  # (value_type refuses datetimes the dialect cannot render)
                raise self.error()
            return ns
        if value == "boolean":
            return self.sql.boolean(col)
        return self.sql.text(col)

    def ops(self) -> SqlOps:
        """Bin predicates over this column (an all-NULL column: every row missing)."""
        if self.checked_value() == NULL:
            return SqlOps(sa.column(self.name), self.sql, may_be_nan=False)
        return SqlOps(self.expression(), self.sql, layout_of(self.value) == "numeric")


class SqlOps:
    """The conditions of :func:`bin_tallies`, as SQLAlchemy clauses over the
    canonical value ``x``; ``may_be_nan`` when ``x`` is a double (NaN is missing)."""

    def __init__(self, x: sa.ColumnElement, dialect: Dialect, may_be_nan: bool) -> None:
        self.x, self.dialect, self.may_be_nan = x, dialect, may_be_nan

    def missing(self):
        x = self.x
        if not self.may_be_nan or not self.dialect.stores_nan:
            return x.is_(None)
        return sa.or_(x.is_(None), self.dialect.is_nan(x))

    def less(self, edge: float):
        return self.x < self.dialect.literal_double(edge)

    def equals(self, category: str):
        return self.x == sa.literal(category, sa.String)

    def finite(self):
        return self.dialect.finite(self.x, sa.not_(self.missing()))


def _check_column(column: SqlColumn, fp: FeatureProfile) -> None:
    value = column.checked_value(fp.described)
    check_value_type(fp.name, fp.value, fp.source_type, value, column.type_name, column.engine)


class _TallyOverflow(Exception):
    """More rows than a dialect's packed tallies hold apart: count again, plainly."""


@dataclass(frozen=True)
class Tallies:
    """Every feature's tallies (:func:`bin_tallies`: a count below each edge, of
    each category, of missing values) as aggregate queries, each returning its
    tallies packed into as few result columns as the dialect needs
    (:func:`~.dialects.packed`), then the row count. One query, unless the
    dialect caps the aggregates of a query (SQLite: 2,000): then as few as the
    cap forces, each a scan."""

    queries: list[sa.Select]
    sizes: dict[str, int]  # tallies per feature
    dialect: Dialect
    arrays: list[bool]  # per query: its cells hold several tallies each (packed, or arrays)
    widths: list[list[int]]  # per query: the tallies of each of its aggregates
    plain: bool = False  # one count per tally, whatever the dialect packs

    @property
    def chunks(self) -> list[int]:
        """The tallies each query counts."""
        return [sum(widths) for widths in self.widths]

    @classmethod
    def of(
        cls,
        dialect: str,
        columns: Mapping[str, SqlColumn],
        features: Mapping[str, FeatureProfile],
        plain: bool = False,
    ) -> Tallies:
        sql = dialect_named(dialect)
        count_bins = Dialect.count_bins if plain else type(sql).count_bins
        aggregates, widths, sizes = [], [], {}
        for name, fp in features.items():
            _check_column(columns[name], fp)
            ops = columns[name].ops()
            counted = count_bins(sql, ops, fp.edges, fp.categories, len(features))
            sizes[name] = sum(width for _, width in counted)
            for aggregate, width in counted:
                aggregates.append(aggregate)
                widths.append(width)
        step = (sql.max_aggregates or len(aggregates) + 1) - 1  # room for the row count
        starts = range(0, len(aggregates), step) if aggregates else [0]
        queries, arrays, query_widths = [], [], []
        for i in starts:
            chunk = aggregates[i : i + step]
            columns_ = packed(sql, chunk)
            queries.append(
                sa.select(
                    *[c.label(f"t{j}") for j, c in enumerate(columns_)], sa.func.count().label("n")
                )
            )
            query_widths.append(widths[i : i + step])
            arrays.append(len(columns_) != sum(query_widths[-1]))
        return cls(queries, sizes, sql, arrays, query_widths, plain)

    def read(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """The tallies, then the row count, from one result row per query (as
        the database gives them: a SUM over no rows is NULL). Raises
        :class:`_TallyOverflow` when the dialect packs several tallies into
        one number and the rows are too many for it to hold them apart."""
        rows_counted = rows[0][-1] or 0
        limit = self.dialect.packed_rows_limit
        if not self.plain and limit is not None and rows_counted >= limit:
            raise _TallyOverflow(rows_counted)
        flat: list[Any] = []
        for row, arrays, widths in zip(rows, self.arrays, self.widths, strict=True):
            cells = list(row[:-1])
            values = self.dialect.unpack(cells) if arrays else cells
            flat += values if self.plain else self.dialect.decode(values, widths)
        return [*flat, rows[0][-1]]

    def prepare(self, conn: sa.Connection) -> None:
        """What the dialect must be told before the widest of these queries runs."""
        self.dialect.before_aggregates(conn, max(self.chunks) + 1)


def count_columns(
    conn: sa.Connection, columns: Mapping[str, SqlColumn], features, scope, pairs=()
) -> dict[Any, np.ndarray]:
    """Every feature's bin counts (and each pair's table) from one aggregate
    query over one scan (:class:`Tallies`); ``scope`` adds FROM/WHERE."""
    return grouped_counts(conn, columns, features, [], scope, pairs)[()]


def segment_columns(
    columns: Sequence[SqlColumn], values: Sequence[str] | None = None
) -> list[SqlColumn]:
    """The segment columns, which must hold strings or booleans (and, when
    ``values`` is given, the value types the profile recorded)."""
    for j, column in enumerate(columns):
        expected = None if values is None else values[j]
        check_segment_column(
            column.name, column.checked_value(), column.type_name, column.engine, expected
        )
    return list(columns)


def segment_case(columns: Sequence[SqlColumn], keys: Sequence[Key]) -> sa.ColumnElement:
    """Each row's segment: the position of its key in ``keys``, else ``len(keys)``."""
    conditions = segment_conditions([c.ops() for c in columns], keys)
    whens = [(sa.and_(*conds), k) for k, conds in enumerate(conditions)]
    return sa.case(*whens, else_=len(keys))


def grouped_counts(
    conn: sa.Connection,
    columns: Mapping[str, SqlColumn],
    features,
    keys,
    scope,
    pairs: Sequence[PairProfile] = (),
) -> dict[tuple, dict[Any, np.ndarray]]:
    """Every feature's counts (and each pair's table, under ``(a, b)``) per
    distinct value of the ``keys`` expressions. Pairs group the same tallies by
    their features' cells too (:mod:`.pair_groups`): one scan, unless the pairs
    share too few features for one scan's groups."""
    if not pairs:
        return _grouped_tallies(conn, columns, features, keys, scope)
    found = grouped_with_pairs(
        features,
        pairs,
        len(keys),
        lambda counted, cells: _grouped_tallies(conn, columns, counted, [*keys, *cells], scope),
        lambda name, cells: cell_case(columns[name].ops(), features[name], cells),
    )
    if not keys and () not in found:  # no rows: no group, but zero counts
        found[()] = empty_groups(features, 1, pairs)[0]
    return found


def cell_case(ops: SqlOps, fp: FeatureProfile, cells: tuple[int, ...]) -> sa.ColumnElement:
    """A row's pair cell (:func:`.pair_groups.cell_whens`) as a ``CASE``."""
    whens, other = cell_whens(ops, fp, cells)
    return sa.case(*whens, else_=other)


def _grouped_tallies(
    conn: sa.Connection, columns: Mapping[str, SqlColumn], features, keys, scope
) -> dict[tuple, dict[str, np.ndarray]]:
    """Every feature's counts per distinct value of the ``keys`` expressions:
    the tallies, grouped by the keys (one query, unless the dialect caps its
    aggregates: then a few, each grouped the same way). With no keys, one
    group, ``()``, which an aggregate without GROUP BY returns even over no rows."""
    labelled = [k.label(f"g{i}") for i, k in enumerate(keys)]
    positions = [sa.text(str(i + 1)) for i in range(len(keys))]
    kinds = {n: fp.kind for n, fp in features.items()}
    for plain in (False, True):
        tallies = Tallies.of(conn.dialect.name, columns, features, plain)
        found: list[dict[tuple, Any]] = []
        try:
            tallies.prepare(conn)
            for query in tallies.queries:
                grouped = sa.select(*labelled, *query.selected_columns).group_by(*positions)
                result = conn.execute(tallies.dialect.finish(scope(grouped))).all()
                found.append({tuple(row[: len(keys)]): row[len(keys) :] for row in result})
        except DBAPIError as exc:
            _raise_query_error(exc, conn)
        try:
            return {
                key: unpack_tallies(kinds, tallies.sizes, tallies.read([f[key] for f in found]))
                for key in found[0]
            }
        except _TallyOverflow:
            continue  # a group too large for packed tallies: counted again, plainly
    raise AssertionError("plain tallies never overflow")


def count_segment_columns(
    conn: sa.Connection, columns: Mapping[str, SqlColumn], features, segments, scope
) -> list[dict[str, np.ndarray]]:
    """Per segment (OTHER last), every feature's counts: one query, grouped by segment."""
    by = segment_columns([columns[b] for b in segments.by], segments.values)
    counted = grouped_counts(conn, columns, features, [segment_case(by, segments.keys)], scope)
    groups = empty_groups(features, len(segments.counts))
    for (key,), counts in counted.items():
        groups[int(key)] = counts
    return groups


def partition_expression(column: SqlColumn) -> sa.ColumnElement:
    """The raw partition value (:mod:`airflow_kl.core.partitions`): the UTC day
    of a datetime, the stored number (NaN as NULL), the canonical string."""
    value = column.checked_value()
    if value == "datetime":
        return sa.func.floor(column.expression() / column.sql.literal_double(NS_PER_DAY))
    if value == "number":
        return sa.case((column.ops().missing(), sa.null()), else_=sa.column(column.name))
    if value == NULL:
        return sa.column(column.name)
    return column.expression()


def count_partition_columns(
    conn: sa.Connection,
    columns: Mapping[str, SqlColumn],
    features,
    partition_by: str,
    segments: SegmentProfile | None,
    every: str | None,
    scope,
    pairs: Sequence[PairProfile] = (),
) -> tuple[str, dict[Any, list[dict[Any, np.ndarray]]]]:
    """``(value type, {raw partition value: groups})``: one query, grouped by
    partition (and segment, or the pairs' cells)."""
    column = columns[partition_by]
    value = column.checked_value()
    check_partition_column(partition_by, value, column.type_name, column.engine, every)
    keys = [partition_expression(column)]
    if segments is not None:
        by = segment_columns([columns[b] for b in segments.by], segments.values)
        keys.append(segment_case(by, segments.keys))
    width = len(segments.counts) if segments is not None else 1
    found: dict[Any, list[dict[str, np.ndarray]]] = {}
    for key, counts in grouped_counts(conn, columns, features, keys, scope, pairs).items():
        raw = key[0] if key[0] is None or value in ("number", "datetime") else canonical(key[0])
        groups = found.setdefault(raw, empty_groups(features, width, pairs))
        groups[int(key[1]) if segments is not None else 0] = counts
    return value, found


def count_grouped(
    conn: sa.Connection,
    columns: Mapping[str, SqlColumn],
    features: Mapping[str, FeatureProfile],
    group_by: GroupBy,
    scope: Callable[[sa.Select], sa.Select],
) -> Counted:
    """Counts grouped as ``group_by`` says: the tallies of one scan, grouped by
    partition and segment expressions in the database."""
    if group_by.partition_by is not None:
        value, found = count_partition_columns(
            conn,
            columns,
            features,
            group_by.partition_by,
            group_by.segments,
            group_by.every,
            scope,
            group_by.pairs,
        )
        return Counted(found, value)
    if group_by.segments is not None:
        groups = count_segment_columns(conn, columns, features, group_by.segments, scope)
        return Counted({WHOLE: groups})
    return Counted({WHOLE: [count_columns(conn, columns, features, scope, group_by.pairs)]})


def _raise_query_error(exc: DBAPIError, conn: sa.Connection) -> None:
    """A lost connection, a timeout, a lock or a serialization failure is
    :class:`DatabaseUnavailable` (retried); anything the database says about
    the query itself (a limit, syntax, a missing table or column, a
    permission) is a :class:`SourceError` in one line (not retried)."""
    dialect = dialect_of(conn)
    if dialect.retryable(exc):
        raise DatabaseUnavailable(f"{dialect.label} is unavailable: {exc.orig}") from exc
    said = next((line.strip() for line in str(exc.orig).splitlines() if line.strip()), "")
    raise SourceError(f"SQL query failed on {dialect.label}: {said}") from None


@dataclass(frozen=True)
class SqlPrimitives:
    """The primitives of :func:`~airflow_kl.sources.profiling.bin_stubs`, as
    queries on one connection to the rows."""

    rows: Reading

    @property
    def conn(self) -> sa.Connection:
        return self.rows.conn

    def scope(self, stmt: sa.Select) -> sa.Select:
        return self.rows.scope(stmt)

    def columns(self, wanted: list[str] | None) -> list[EngineColumn]:
        return [
            EngineColumn(c.name, c.value or c.error(), c.type_name, c)
            for c in self.rows.columns(wanted)
        ]

    def quantile_edges(self, columns: list[EngineColumn], bins: int) -> dict[str, tuple]:
        """Every numeric column's quantile edges, all in one scan where the dialect
        has a quantile aggregate (each column's finite values only); else the finite
        counts of all columns in one scan, then each column's order statistics."""
        levels = quantile_levels(bins).tolist()
        if not levels:
            return {c.name: () for c in columns}
        conn, sql = self.conn, columns[0].handle.sql
        ops = {c.name: c.handle.ops() for c in columns}
        finite = {name: op.finite() for name, op in ops.items()}
        quantiles = {
            name: sql.quantiles(sa.case((finite[name], op.x)), levels) for name, op in ops.items()
        }
        if all(q is not None for q in quantiles.values()):
            found = _aggregates(conn, sql, self.scope, quantiles)
            return {name: edges_from_quantiles(v) for name, v in found.items()}
        counts = {name: sql.count_where(f) for name, f in finite.items()}
        out = {}
        for name, n in _aggregates(conn, sql, self.scope, counts).items():
            n = int(n or 0)
            if n == 0:
                out[name] = ()
                continue
            ranks = needed_ranks(n, np.asarray(levels))
            query = order_statistics(self.scope, ops[name].x, finite[name], ranks)
            at = {int(r) - 1: float(v) for r, v in conn.execute(query).all()}
            out[name] = edges_from_quantiles(from_order_statistics(n, np.asarray(levels), at))
        return out

    def value_range(self, column: EngineColumn) -> tuple[Any, Any]:
        ops = column.handle.ops()
        query = sa.select(sa.func.min(ops.x), sa.func.max(ops.x)).where(ops.finite())
        lo, hi = self.conn.execute(self.scope(query)).one()
        return lo, hi

    def top_values(self, column: EngineColumn, top_k: int) -> dict[str, int]:
        """Counts of the ``top_k`` most frequent values and of every value tied with
        the last of them, so ties are broken in Python (by the value), not by a
        collation."""
        x = column.handle.expression()
        n = sa.func.count().label("n")
        grouped = self.scope(sa.select(x.label("v"), n).where(x.is_not(None))).group_by(x)
        top = self.conn.execute(grouped.order_by(n.desc()).limit(top_k)).all()
        if len(top) < top_k:
            return {str(v): int(c) for v, c in top}
        least = min(int(c) for _, c in top)
        tied = self.conn.execute(grouped.having(sa.func.count() >= least)).all()
        return {str(v): int(c) for v, c in tied}


def _aggregates(conn, sql: Dialect, scope, aggregates: Mapping[str, Any]) -> dict[str, Any]:
    """Named aggregates over one scan (as few as the dialect's cap forces)."""
    names = list(aggregates)
    step = sql.max_aggregates or len(names)
    out: dict[str, Any] = {}
    for i in range(0, len(names), step):
        chunk = names[i : i + step]
        sql.before_aggregates(conn, len(chunk))
        query = sa.select(*[aggregates[n].label(f"q{j}") for j, n in enumerate(chunk)])
        row = conn.execute(sql.finish(scope(query))).one()
        out.update(zip(chunk, row, strict=True))
    return out


def order_statistics(scope, x, finite, ranks) -> sa.Select:
    """``(rank, value)`` of the finite values of ``x`` at the 0-based ``ranks``
    (``ROW_NUMBER()`` counts from 1); ``scope`` adds FROM/WHERE."""
    rank = sa.func.row_number().over(order_by=x).label("r")
    ranked = scope(sa.select(x.label("v"), rank).where(finite)).subquery()
    wanted = [int(r) + 1 for r in ranks]
    return sa.select(ranked.c.r, ranked.c.v).where(ranked.c.r.in_(wanted))


@dataclass(frozen=True)
class SelectableSource(SqlRows):
    """Rows of any SQLAlchemy selectable on an open connection: a table, or
    the subquery of a Great Expectations batch."""

    conn: sa.Connection
    selectable: Any

    def __str__(self) -> str:
        return f"SQL selectable {self.selectable}"

    @contextmanager
    def reading(self) -> Iterator[Reading]:
        from_clause = self.selectable
        if isinstance(from_clause, sa.Select):
            from_clause = from_clause.subquery()
        table = None
        if isinstance(from_clause, sa.TableClause):
            table = (from_clause.name, getattr(from_clause, "schema", None))

        def columns(wanted: list[str] | None) -> list[SqlColumn]:
            return typed_columns(self.conn, from_clause, table, wanted, "SQL table")

        yield Reading(self.conn, columns, lambda stmt: stmt.select_from(from_clause))
