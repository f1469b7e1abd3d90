"""SQL tables and queries through SQLAlchemy, counted inside the database.

One query per partition returns every feature's bin counts as one row of
``SUM(CASE ...)`` aggregates: the table is scanned once, nothing but counts
leaves the database, and the query's size is bounded by the number of bins
(never by the data's cardinality). Values (edges, categories, filter
parameters) are bound parameters; table and column names must exist in the
database and are quoted by the dialect.

Works on SQLite, DuckDB (``duckdb:///``, the embedded default) and
PostgreSQL. NULL is missing; float NaN counts as missing too on the dialects
that store it (PostgreSQL, DuckDB), as it does in pandas.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, OperationalError

from ..core.binning import check_bins, check_top_k, uniform_edges
from ..core.errors import ConfigError, SchemaError, SourceError
from ..core.profile import FeatureProfile
from .frame import column_kind, profile_column

log = logging.getLogger(__name__)

SAMPLE_ROWS = 10_000
QUANTILE_DIALECTS = ("postgresql", "duckdb")


class DatabaseUnavailable(ConnectionError):
    """The database could not be reached: a transient fault, worth a retry."""


@dataclass(frozen=True)
class SqlSource:
    """A table (optionally filtered) or a query, in a database.

    ``where`` is a SQL condition written by the DAG author (like the SQL of
    ``SQLExecuteQueryOperator``); the values it refers to as ``:name`` are
    passed in ``parameters`` and bound, never pasted into the text.

    >>> SqlSource("sqlite://", table="flights", where="month = :m", parameters={"m": 9}).table
    'flights'
    """

    engine: Any
    table: str | None = None
    schema: str | None = None
    query: str | None = None
    where: str | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if (self.table is None) == (self.query is None):
            raise ConfigError("give exactly one of table= or query= for a SQL source")
        if isinstance(self.engine, str):
            object.__setattr__(self, "engine", sa.create_engine(self.engine))

    def _from(self, conn: sa.Connection) -> sa.FromClause:
        if self.query is not None:  # author-written SQL, as in SQLExecuteQueryOperator
            return sa.text(f"({self.query}) AS src")
        names = sa.inspect(conn).get_table_names(schema=self.schema)
        names += sa.inspect(conn).get_view_names(schema=self.schema)
        if self.table not in names:
            where = f" in schema {self.schema!r}" if self.schema else ""
            raise SchemaError(
                f"table {self.table!r} does not exist{where}; tables: {sorted(names)}"
            )
        return sa.table(self.table, schema=self.schema)

    def _select(self, conn: sa.Connection, columns: list[Any]) -> sa.Select:
        return self.scope(conn, sa.select(*columns))

    def scope(self, conn: sa.Connection, stmt: sa.Select) -> sa.Select:
        """``stmt`` reading from this source's table or query, filtered by ``where``."""
        stmt = stmt.select_from(self._from(conn))
        if self.where:
            stmt = stmt.where(sa.text(self.where).bindparams(**dict(self.parameters)))
        return stmt

    def _connect(self) -> sa.Connection:
        try:
            return self.engine.connect()
        except (OperationalError, DBAPIError) as exc:
            raise DatabaseUnavailable(f"cannot connect to {self.engine.url!r}: {exc.orig}") from exc

    def count_bins(self, features: Mapping[str, FeatureProfile]) -> dict[str, np.ndarray]:
        return count_sql(self, features)

    def profile_features(self, features, bins, top_k, binning) -> dict[str, FeatureProfile]:
        return profile_sql(self, features, bins, top_k, binning)

    def column_names(self, conn: sa.Connection) -> list[str]:
        result = conn.execute(self._select(conn, [sa.text("*")]).limit(0))
        return list(result.keys())

    def _columns(self, conn: sa.Connection, wanted: list[str]) -> dict[str, sa.ColumnClause]:
        available = self.column_names(conn)
        missing = [c for c in wanted if c not in available]
        if missing:
            raise SchemaError(
                f"SQL source lacks column(s) {', '.join(map(repr, missing))}; "
                f"it has: {', '.join(available)}"
            )
        return {name: sa.column(name) for name in wanted}

    def sample(self, conn: sa.Connection, columns: list[str], rows: int = SAMPLE_ROWS):
        cols = self._columns(conn, columns)
        stmt = self._select(conn, list(cols.values())).limit(rows)
        result = conn.execute(stmt)
        return pd.DataFrame(result.fetchall(), columns=list(result.keys()))


def _missing(col: sa.ColumnElement, dialect: str, numeric: bool) -> sa.ColumnElement:
    if numeric and dialect == "postgresql":
        return sa.or_(col.is_(None), col == sa.literal("NaN").cast(sa.Float))
    if numeric and dialect == "duckdb":
        return sa.or_(col.is_(None), sa.func.isnan(col))
    return col.is_(None)


def _count(cond: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.sum(sa.case((cond, 1), else_=0))


def bin_conditions(col: sa.ColumnElement, fp: FeatureProfile, dialect: str) -> list:
    """One boolean SQL condition per bin of ``fp``, in the profile's order."""
    if fp.kind == "numeric":
        missing = _missing(col, dialect, True)
        present = sa.not_(missing)
        edges = [sa.literal(float(e), sa.Float) for e in fp.edges or ()]
        if not edges:
            return [present, missing]
        conds = [sa.and_(present, col < edges[0])]
        conds += [sa.and_(col >= a, col < b) for a, b in zip(edges, edges[1:], strict=False)]
        conds += [sa.and_(present, col >= edges[-1]), missing]
        return conds
    text = sa.cast(col, sa.String)
    cats = [sa.literal(c, sa.String) for c in fp.categories or ()]
    conds = [text == c for c in cats]
    other = col.is_not(None) if not cats else sa.and_(col.is_not(None), text.not_in(cats))
    return [*conds, other, col.is_(None)]


def one_row_of_counts(conditions: list) -> sa.Select:
    """``SELECT SUM(CASE WHEN c THEN 1 ELSE 0 END), ...``: one count per condition."""
    return sa.select(*[_count(c).label(f"b{i}") for i, c in enumerate(conditions)])


def count_sql(source: SqlSource, features: Mapping[str, FeatureProfile]) -> dict[str, np.ndarray]:
    """All features' bin counts in one aggregate query."""
    with source._connect() as conn:
        cols = source._columns(conn, list(features))
        dialect = conn.dialect.name
        conditions, layout = [], []
        for name, fp in features.items():
            conds = bin_conditions(cols[name], fp, dialect)
            layout.append((name, len(conds)))
            conditions += conds
        try:
            row = conn.execute(source.scope(conn, one_row_of_counts(conditions))).one()
        except DBAPIError as exc:
            _raise_query_error(exc)
    out, i = {}, 0
    for name, size in layout:
        out[name] = np.array([int(v or 0) for v in row[i : i + size]], dtype=np.int64)
        i += size
    return out


def _raise_query_error(exc: DBAPIError) -> None:
    if exc.connection_invalidated or isinstance(exc, OperationalError):
        raise DatabaseUnavailable(f"database error: {exc.orig}") from exc
    raise SourceError(f"SQL query failed: {exc.orig}") from None


def profile_sql(
    source: SqlSource,
    features: list[str] | None,
    bins: int = 10,
    top_k: int = 20,
    binning: str = "quantile",
) -> dict[str, FeatureProfile]:
    """Profile in the database: quantiles by ``percentile_cont``/``quantile_cont``
    where the dialect has them, top-k by GROUP BY; otherwise (SQLite) the numeric
    column is fetched and binned in numpy, which is logged."""
    bins, top_k = check_bins(bins), check_top_k(top_k)
    with source._connect() as conn:
        names = features or source.column_names(conn)
        sample = source.sample(conn, list(names))
        cols = source._columns(conn, list(names))
        dialect = conn.dialect.name
        result: dict[str, FeatureProfile] = {}
        for name in names:
            kind = column_kind(sample[name])
            if kind == "datetime" and features is None:
                continue
            if kind == "categorical":
                result[name] = _profile_categorical(source, conn, name, cols[name], top_k)
                continue
            edges = _pushed_edges(source, conn, cols[name], dialect, bins, binning)
            if edges is None:
                log.info("%s: no quantile function on %s; binning %r in numpy", name, dialect, name)
                values = conn.execute(source._select(conn, [cols[name]])).scalars().all()
                column = pd.Series(values, name=name)
                result[name] = profile_column(name, column, bins, top_k, binning)
                continue
            fp = FeatureProfile(
                name,
                "numeric",
                counts=(0,) * (len(edges) + 2),
                edges=edges,
                source_type=str(sample[name].dtype),
            )
            result[name] = fp.with_counts(count_sql(source, {name: fp})[name])
    return result


def _pushed_edges(source, conn, col, dialect, bins, binning) -> tuple[float, ...] | None:
    if binning == "uniform":
        lo, hi = conn.execute(source._select(conn, [sa.func.min(col), sa.func.max(col)])).one()
        values = np.array([v for v in (lo, hi) if v is not None], dtype=float)
        return tuple(uniform_edges(values, bins).tolist())
    if dialect not in QUANTILE_DIALECTS:
        return None
    if bins == 1:
        return ()
    qs = np.linspace(0, 1, bins + 1)[1:-1].tolist()
    finite = sa.and_(col.is_not(None), col > float("-inf"), col < float("inf"))
    x = sa.cast(col, sa.Float)
    if dialect == "postgresql":
        agg = sa.func.percentile_cont(sa.literal(qs, sa.ARRAY(sa.Float))).within_group(x)
    else:
        agg = sa.func.quantile_cont(x, sa.literal(qs, sa.ARRAY(sa.Float)))
    stmt = source._select(conn, [agg]).where(finite)
    if dialect == "duckdb":
        stmt = stmt.where(sa.not_(sa.func.isnan(col)))
    values = conn.execute(stmt).scalar()
    if values is None:
        return ()
    return tuple(np.unique(np.asarray(values, dtype=float)).tolist())


def _profile_categorical(source, conn, name, col, top_k) -> FeatureProfile:
    text = sa.cast(col, sa.String)
    n = sa.func.count().label("n")
    stmt = (
        source._select(conn, [text.label("v"), n])
        .where(col.is_not(None))
        .group_by(text)
        .order_by(n.desc(), text.asc())
        .limit(top_k)
    )
    top = conn.execute(stmt).all()
    total, missing = conn.execute(
        source._select(conn, [sa.func.count(), _count(col.is_(None))])
    ).one()
    cats = tuple(str(v) for v, _ in top)
    inside = [int(c) for _, c in top]
    other = int(total) - int(missing or 0) - sum(inside)
    return FeatureProfile(
        name, "categorical", (*inside, other, int(missing or 0)), categories=cats, source_type="sql"
    )
