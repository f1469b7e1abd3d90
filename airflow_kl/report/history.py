"""Results history: one row per feature per check, in any SQLAlchemy database;
a checked segment's features go to a table of their own, keyed by the segment
too (so databases written before segments need no migration).

A pair's rows go to a third table, keyed by its two features. Rows are
keyed by (dag_id, task_id, partition_key, feature, profile_checksum)
under a unique constraint and written with an upsert, so a rerun of the same
task and partition replaces its rows instead of adding new ones. SQLite is the
default (a file); PostgreSQL works the same through an Airflow connection.

>>> import airflow_kl as ak, pandas as pd, sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> ref = pd.DataFrame({"x": range(200)})
>>> report = ak.check_drift(ak.build_profile(ref), ref)
>>> record(engine, report, partition_key="2013-01")
1
>>> record(engine, report, partition_key="2013-01")  # a rerun replaces its row
1
>>> [(r["partition_key"], r["status"]) for r in trend(engine, "x")]
[('2013-01', 'ok')]
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..core.errors import ConfigError, StoreError
from ..core.pair_results import PAIR_NUMBERS
from ..core.partitions import natural_order, partition_label
from ..core.results import DriftReport, json_number, parse_number
from ..core.text import first_line
from .database import plain_errors, writing
from .migrations import upgrade

METADATA = sa.MetaData()


def _result_columns() -> list[sa.Column]:
    """The columns of a feature's result (new objects: a column has one table)."""
    return [
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250), nullable=False),
        sa.Column("partition_key", sa.String(250), nullable=False),
        sa.Column("feature", sa.String(250), nullable=False),
        sa.Column("profile_checksum", sa.String(80), nullable=False),
        sa.Column("kl", sa.Float, nullable=True),
        sa.Column("kl_infinite", sa.Boolean, nullable=False, default=False),
        sa.Column("js", sa.Float),
        sa.Column("psi", sa.Float),
        sa.Column("p_value", sa.Float),
        sa.Column("measures", sa.Text, nullable=True),  # JSON: every measure (revision r0002)
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("n_reference", sa.BigInteger),
        sa.Column("n_current", sa.BigInteger),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    ]


KEY = ("dag_id", "task_id", "partition_key", "feature", "profile_checksum")
HISTORY = sa.Table(
    "airflow_kl_history",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    *_result_columns(),
    sa.UniqueConstraint(*KEY, name="uq_airflow_kl_history_key"),
)
SEGMENT_HISTORY = sa.Table(
    "airflow_kl_segment_history",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("segment", sa.String(500), nullable=False),
    *_result_columns(),
    sa.UniqueConstraint(
        "dag_id",
        "task_id",
        "partition_key",
        "segment",
        "feature",
        "profile_checksum",
        name="uq_airflow_kl_segment_history_key",
    ),
)
SEGMENT_KEY = ("dag_id", "task_id", "partition_key", "segment", "feature", "profile_checksum")
PAIR_KEY = ("dag_id", "task_id", "partition_key", "feature_a", "feature_b", "profile_checksum")
PAIR_HISTORY = sa.Table(
    "airflow_kl_pair_history",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(250), nullable=False),
    sa.Column("task_id", sa.String(250), nullable=False),
    sa.Column("partition_key", sa.String(250), nullable=False),
    sa.Column("feature_a", sa.String(250), nullable=False),
    sa.Column("feature_b", sa.String(250), nullable=False),
    sa.Column("profile_checksum", sa.String(80), nullable=False),
    sa.Column("dependence", sa.Float, nullable=True),
    sa.Column("dependence_infinite", sa.Boolean, nullable=False, default=False),
    sa.Column("p_value", sa.Float),
    sa.Column("measures", sa.Text, nullable=False),  # JSON: every number of the pair
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("n_reference", sa.BigInteger),
    sa.Column("n_current", sa.BigInteger),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint(*PAIR_KEY, name="uq_airflow_kl_pair_history_key"),
)
# a pair's numbers kept in its row's measures (its dependence part also as a column)
PAIR_MEASURES = (*PAIR_NUMBERS, "df")


def store_engine(target: Any) -> sa.Engine:
    """The engine of a history or report store: an Engine as it is, a SQLAlchemy
    URL or a bare path (a SQLite file), one pooled engine per URL for the life
    of the process (a source's engine, :func:`airflow_kl.sources.sql.source_engine`,
    holds no connection between uses instead)."""
    if isinstance(target, sa.Engine):
        return target
    text = str(target)
    return _engine(text if "://" in text else f"sqlite:///{text}")


@cache
def _engine(url: str) -> sa.Engine:
    """One engine (and connection pool) per URL for the life of the process."""
    try:
        return sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError, ValueError) as exc:
        raise StoreError(
            f"not a database URL SQLAlchemy can open: {first_line(exc)} "
            "(dialect+driver://user@host/database, with its driver installed)"
        ) from None


@cache
def migrated(engine: sa.Engine) -> sa.Engine:
    """The engine, its store tables brought to the newest schema revision
    (once per engine and process)."""
    upgrade(engine)
    return engine


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def history_rows(
    report: DriftReport, *, partition_key: str, dag_id: str, task_id: str, checked_at: datetime
) -> list[dict[str, Any]]:
    """The history rows of one report: one per feature."""
    if not partition_key:
        raise ConfigError("partition_key must be a non-empty string, got ''")
    return _rows(report.features, report, partition_key, dag_id, task_id, checked_at)


def segment_history_rows(
    report: DriftReport, *, partition_key: str, dag_id: str, task_id: str, checked_at: datetime
) -> list[dict[str, Any]]:
    """One row per (segment, feature) of a report judged per segment."""
    return [
        {"segment": segment.label, **row}
        for segment in report.segments
        for row in _rows(segment.features, report, partition_key, dag_id, task_id, checked_at)
    ]


def pair_history_rows(
    report: DriftReport, *, partition_key: str, dag_id: str, task_id: str, checked_at: datetime
) -> list[dict[str, Any]]:
    """One row per pair of a report: its dependence part, p-value and verdict,
    and every number of it in ``measures``."""
    return [
        {
            "dag_id": dag_id,
            "task_id": task_id,
            "partition_key": str(partition_key),
            "feature_a": a,
            "feature_b": b,
            "profile_checksum": report.profile_checksum,
            "dependence": _finite(pair.dependence),
            "dependence_infinite": math.isinf(pair.dependence),
            "p_value": pair.p_value,
            "measures": json.dumps({m: json_number(getattr(pair, m)) for m in PAIR_MEASURES}),
            "status": pair.status,
            "n_reference": pair.n_reference,
            "n_current": pair.n_current,
            "checked_at": checked_at,
        }
        for (a, b), pair in report.pairs.items()
    ]


def _rows(features, report, partition_key, dag_id, task_id, checked_at) -> list[dict[str, Any]]:
    return [
        {
            "dag_id": dag_id,
            "task_id": task_id,
            "partition_key": str(partition_key),
            "feature": name,
            "profile_checksum": report.profile_checksum,
            "kl": _finite(f.kl),
            "kl_infinite": math.isinf(f.kl),
            "js": f.js,
            "psi": _finite(f.psi),
            "measures": json.dumps({m: json_number(v) for m, v in f.measures.items()}),
            "p_value": f.p_value,
            "status": f.status,
            "n_reference": f.n_reference,
            "n_current": f.n_current,
            "checked_at": checked_at,
        }
        for name, f in features.items()
    ]


def upsert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]], key: tuple) -> None:
    """Insert ``rows``, replacing the rows that share their ``key`` columns."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(table)
    elif dialect == "sqlite":
        insert = sqlite.insert(table)
    else:
        raise ConfigError(f"history supports sqlite and postgresql, got {dialect!r}")
    updates = {c: insert.excluded[c] for c in rows[0] if c not in key}
    conn.execute(insert.on_conflict_do_update(index_elements=list(key), set_=updates), rows)


@plain_errors
def record(
    target: Any, report: DriftReport, *, partition_key: str, dag_id: str = "", task_id: str = ""
) -> int:
    """Upsert one row per feature (and per segment and feature, in the segment
    table, in the same transaction); returns how many feature rows the report has."""
    return record_all(target, {partition_key: report}, dag_id=dag_id, task_id=task_id)


@plain_errors
def record_all(
    target: Any, reports: Mapping[str, DriftReport], *, dag_id: str = "", task_id: str = ""
) -> int:
    """Upsert the rows of several reports (``{partition key: report}``) in one
    transaction; returns how many feature rows they have."""
    now = datetime.now(UTC)
    engine = migrated(store_engine(target))
    with engine.connect() as conn, writing(conn):
        return sum(
            write_history(conn, r, partition_key=k, dag_id=dag_id, task_id=task_id, checked_at=now)
            for k, r in reports.items()
        )


def write_history(conn: sa.Connection, report: DriftReport, **where: Any) -> int:
    """Upsert a report's feature, segment and pair rows on ``conn``; ``where`` is
    the partition key, DAG, task and check time. Returns the feature rows."""
    rows = history_rows(report, **where)
    segment_rows = segment_history_rows(report, **where)
    pair_rows = pair_history_rows(report, **where)
    if rows:
        upsert(conn, HISTORY, rows, KEY)
    if segment_rows:
        upsert(conn, SEGMENT_HISTORY, segment_rows, SEGMENT_KEY)
    if pair_rows:
        upsert(conn, PAIR_HISTORY, pair_rows, PAIR_KEY)
    return len(rows)


@plain_errors
def trend(
    target: Any,
    feature: str,
    dag_id: str | None = None,
    task_id: str | None = None,
    segment: str | None = None,
) -> list[dict[str, Any]]:
    """A feature's rows ordered by partition key as a person reads it (``2``
    before ``10``: :func:`~airflow_kl.core.partitions.natural_order`), then by
    check time; with ``segment`` (its label, e.g. ``JFK``), that segment's rows.
    Keys are read as the partition label rule spells them
    (:func:`~airflow_kl.core.partitions.partition_label`: ``01`` is ``1``)."""
    table = HISTORY if segment is None else SEGMENT_HISTORY
    query = sa.select(table).where(table.c.feature == feature)
    if segment is not None:
        query = query.where(table.c.segment == segment)
    return _in_partition_order(target, table, query, dag_id, task_id)


@plain_errors
def pair_trend(
    target: Any, pair: tuple[str, str], dag_id: str | None = None, task_id: str | None = None
) -> list[dict[str, Any]]:
    """A pair's rows (``(a, b)`` as its profile names them), ordered as
    :func:`trend` orders a feature's; each row's ``measures`` holds its numbers.

    >>> import airflow_kl as ak, numpy as np, pandas as pd, sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> x = np.random.default_rng(0).normal(size=(300, 2))
    >>> ref = pd.DataFrame({"a": x[:, 0], "b": x[:, 0] + x[:, 1]})
    >>> report = ak.check_drift(ak.build_profile(ref, pairs="a:b"), ref)
    >>> record(engine, report, partition_key="2013-01")
    2
    >>> [(r["partition_key"], r["status"], r["dependence"]) for r in pair_trend(engine, ("a", "b"))]
    [('2013-01', 'ok', 0.0)]
    """
    a, b = pair
    table = PAIR_HISTORY
    query = sa.select(table).where(table.c.feature_a == a, table.c.feature_b == b)
    return _in_partition_order(target, table, query, dag_id, task_id)


def _in_partition_order(target, table, query, dag_id, task_id) -> list[dict[str, Any]]:
    """The rows ``query`` selects of ``table`` (of one DAG and task, when given)
    in partition order, a partition's latest check standing for it."""
    engine = migrated(store_engine(target))
    if dag_id is not None:
        query = query.where(table.c.dag_id == dag_id)
    if task_id is not None:
        query = query.where(table.c.task_id == task_id)
    query = query.order_by(table.c.checked_at)
    with engine.connect() as conn:
        rows = [_trend_row(r) for r in conn.execute(query)]
    # a key stored before the label rule (01) reads as the rule spells it (1); where a
    # partition was recorded under both, the later row stands for it
    latest = {}
    for row in rows:  # in check order
        row["partition_key"] = partition_label(row["partition_key"])
        latest[
            tuple(row[k] for k in ("dag_id", "task_id", "partition_key", "profile_checksum"))
        ] = row
    rows = list(latest.values())
    return sorted(rows, key=lambda r: natural_order(r["partition_key"]))  # stable: time kept


def _trend_row(row: Any) -> dict[str, Any]:
    """A history row; its ``measures`` parsed (None for rows written before r0002)."""
    out = dict(row._mapping)
    if out["measures"] is not None:
        out["measures"] = {m: parse_number(v) for m, v in json.loads(out["measures"]).items()}
    return out
