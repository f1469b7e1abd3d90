"""The report store: each checked task instance's report (JSON and HTML) and
its history rows, in one database that workers write and the Airflow API
server reads, so a report never lives only on a worker's disk.

Reports are keyed by task instance (``dag_id``, ``run_id``, ``task_id``,
``map_index``): a retry of the same task instance replaces its report. The
history rows go in the same transaction (see :mod:`.history`), so the store
never holds a report without its trend points, or the other way round.

>>> import airflow_kl as ak, pandas as pd, sqlalchemy as sa
>>> store = ReportStore(sa.create_engine("sqlite://"))
>>> ref = pd.DataFrame({"x": range(200)})
>>> ti = TaskInstanceRef("flights", "manual__2013-09-01T00:00:00+00:00", "check")
>>> store.save(ti, ak.check_drift(ak.build_profile(ref), ref), html="<p>ok</p>",
...            partition_key="2013-09", source="flights.parquet")
>>> stored = store.get(ti)
>>> stored.status, stored.partition_key, stored.html
('ok', '2013-09', '<p>ok</p>')
>>> [(r.dag_id, r.task_id, r.status) for r in store.latest()]
[('flights', 'check', 'ok')]
>>> TaskInstanceRef("flights/../x", "r", "t")
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: dag_id must be 1 to 250 letters, ... got 'flights/../x'
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from ..core.errors import ConfigError
from ..core.results import DriftReport
from .database import plain_errors, writing
from .history import METADATA, migrated, pair_trend, store_engine, trend, upsert, write_history

REPORTS = sa.Table(
    "airflow_kl_reports",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dag_id", sa.String(250), nullable=False),
    sa.Column("run_id", sa.String(250), nullable=False),
    sa.Column("task_id", sa.String(250), nullable=False),
    sa.Column("map_index", sa.Integer, nullable=False),
    sa.Column("partition_key", sa.String(250), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("drifted_features", sa.Text, nullable=False),
    sa.Column("report_json", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("dag_id", "run_id", "task_id", "map_index", name="uq_airflow_kl_report"),
)
REPORT_KEY = ("dag_id", "run_id", "task_id", "map_index")

# Airflow's own rules: ids of DAGs and tasks (KEY_REGEX), and the characters of
# the run ids it generates and accepts by default ([scheduler] allowed_run_id_pattern).
_ID = re.compile(r"[\w.-]{1,250}", re.ASCII)
_RUN_ID = re.compile(r"[A-Za-z0-9_.~:+-]{1,250}")
MAP_INDEX_LIMIT = 2**31  # Airflow keeps map_index in a 32-bit integer column


@dataclass(frozen=True)
class TaskInstanceRef:
    """One task instance, validated: the store's key and the plugin's route."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int = -1

    def __post_init__(self) -> None:
        for name in ("dag_id", "task_id"):
            value = getattr(self, name)
            if not (isinstance(value, str) and _ID.fullmatch(value)):
                raise ConfigError(
                    f"{name} must be 1 to 250 letters, digits, '_', '.' or '-', got {value!r}"
                )
        if not (isinstance(self.run_id, str) and _RUN_ID.fullmatch(self.run_id)):
            raise ConfigError(
                f"run_id must be 1 to 250 letters, digits or any of '_.~:+-', got {self.run_id!r}"
            )
        if type(self.map_index) is not int or not -1 <= self.map_index < MAP_INDEX_LIMIT:
            raise ConfigError(
                f"map_index must be an integer from -1 to {MAP_INDEX_LIMIT - 1}, "
                f"got {self.map_index!r}"
            )

    @property
    def route(self) -> str:
        """Its report page relative to the plugin's prefix.

        >>> TaskInstanceRef("d", "manual__2013-09-01T00:00:00+00:00", "check", 3).route
        'reports/d/manual__2013-09-01T00%3A00%3A00%2B00%3A00/check?map_index=3'
        """
        parts = "/".join(quote(p, safe="") for p in (self.dag_id, self.run_id, self.task_id))
        return f"reports/{parts}" + (f"?map_index={self.map_index}" if self.map_index >= 0 else "")


@dataclass(frozen=True)
class StoredReport:
    """A stored report row; ``report`` and ``html`` as written by the check."""

    dag_id: str
    run_id: str
    task_id: str
    map_index: int
    partition_key: str
    source: str
    status: str
    drifted_features: list[str]
    report_json: str
    html: str
    checked_at: datetime

    @cached_property
    def report(self) -> DriftReport:
        """The report, parsed once (filtering by bins and merging both read it)."""
        return DriftReport.from_dict(json.loads(self.report_json))

    @property
    def page(self) -> str:
        """The report's HTML page: as written by the check, or, for a report
        stored without one (a backtest's), rendered now from its JSON."""
        if self.html:
            return self.html
        from ..core.text import page_title
        from .html import render_html

        return render_html(self.report, title=f"{self.partition_key} ({page_title(self.source)})")


class ReportStore:
    """Reports and history in one SQLite or PostgreSQL database.

    ``target``: an Engine, a SQLAlchemy URL or a SQLite file path.
    """

    @plain_errors
    def __init__(self, target: Any) -> None:
        self.engine = migrated(store_engine(target))

    def save(
        self,
        ti: TaskInstanceRef,
        report: DriftReport,
        *,
        html: str,
        partition_key: str,
        source: str,
        checked_at: datetime | None = None,
    ) -> None:
        """Write the report and its history rows in one transaction."""
        now = checked_at or datetime.now(UTC)
        self.save_all([(ti, report, html, partition_key, now)], source=source)

    @plain_errors
    def save_all(
        self,
        entries: Sequence[tuple[TaskInstanceRef, DriftReport, str, str, datetime]],
        *,
        source: str,
    ) -> None:
        """Write several ``(task instance, report, html, partition key, check
        time)`` and their history rows in one transaction: all of them, or none."""
        with self.engine.connect() as conn, writing(conn):
            for ti, report, html, partition_key, now in entries:
                where = {"partition_key": partition_key, "dag_id": ti.dag_id, "task_id": ti.task_id}
                row = {
                    "dag_id": ti.dag_id,
                    "run_id": ti.run_id,
                    "task_id": ti.task_id,
                    "map_index": ti.map_index,
                    "partition_key": str(partition_key),
                    "source": source,
                    "status": report.status,
                    "drifted_features": json.dumps(report.drifted_features),
                    "report_json": report.to_json(),
                    "html": html,
                    "checked_at": now,
                }
                write_history(conn, report, **where, checked_at=now)
                upsert(conn, REPORTS, [row], REPORT_KEY)

    @plain_errors
    def get(self, ti: TaskInstanceRef) -> StoredReport | None:
        """The report of one task instance, or None when it has none."""
        query = sa.select(REPORTS).where(
            *(REPORTS.c[name] == getattr(ti, name) for name in REPORT_KEY)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return None if row is None else _stored(row)

    @plain_errors
    def latest(self, dag_ids: Collection[str] | None = None) -> list[StoredReport]:
        """The newest report of every (DAG, task), optionally of the given DAGs only,
        ordered by DAG and task."""
        newest = (
            sa.select(
                REPORTS.c.dag_id,
                REPORTS.c.task_id,
                sa.func.max(REPORTS.c.checked_at).label("checked_at"),
            )
            .group_by(REPORTS.c.dag_id, REPORTS.c.task_id)
            .subquery()
        )
        query = (
            sa.select(REPORTS)
            .join(
                newest,
                sa.and_(
                    REPORTS.c.dag_id == newest.c.dag_id,
                    REPORTS.c.task_id == newest.c.task_id,
                    REPORTS.c.checked_at == newest.c.checked_at,
                ),
            )
            .order_by(REPORTS.c.dag_id, REPORTS.c.task_id, REPORTS.c.map_index)
        )
        if dag_ids is not None:
            query = query.where(REPORTS.c.dag_id.in_(sorted(dag_ids)))
        with self.engine.connect() as conn:
            return [_stored(row) for row in conn.execute(query)]

    @plain_errors
    def last_data_version(self, dag_id: str, task_id: str, table: str) -> dict[str, Any] | None:
        """The ``data_version`` of the task's newest report that read ``table`` (a
        Delta or Iceberg table's URI), or None when it has none: where a check of
        only the appended rows starts next."""
        query = (
            sa.select(REPORTS)
            .where(REPORTS.c.dag_id == dag_id, REPORTS.c.task_id == task_id)
            .order_by(REPORTS.c.checked_at.desc())
        )
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                read = _stored(row).report.data_version
                if read.get("table") == table:
                    return read
        return None

    @plain_errors
    def accepted(
        self,
        dag_id: str,
        task_id: str,
        last: int,
        before: str | None = None,
        bins_checksum: str | None = None,
    ) -> list[StoredReport]:
        """The ``last`` reports of a task whose dataset verdict was ``ok``, oldest
        first by partition key (partitions before ``before`` only, and counted
        in the given bins only, when given): the parts of a rolling reference.
        A partition checked more than once counts once, by its newest check."""
        if isinstance(last, bool) or not isinstance(last, int) or last < 1:
            raise ConfigError(f"last must be an integer >= 1, got {last!r}")
        query = sa.select(REPORTS).where(
            REPORTS.c.dag_id == dag_id, REPORTS.c.task_id == task_id, REPORTS.c.status == "ok"
        )
        if before is not None:
            query = query.where(REPORTS.c.partition_key < before)
        query = query.order_by(REPORTS.c.partition_key.desc(), REPORTS.c.checked_at.desc())
        chosen: dict[str, StoredReport] = {}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                stored = _stored(row)
                if stored.partition_key in chosen:
                    continue
                if bins_checksum and stored.report.bins_checksum != bins_checksum:
                    continue
                chosen[stored.partition_key] = stored
                if len(chosen) == last:
                    break
        return sorted(chosen.values(), key=lambda r: r.partition_key)

    @plain_errors
    def trend(
        self, dag_id: str, task_id: str, feature: str, segment: str | None = None
    ) -> list[dict[str, Any]]:
        """A feature's history rows for one task (in one segment, when given),
        ordered by partition."""
        return trend(self.engine, feature, dag_id=dag_id, task_id=task_id, segment=segment)

    def pair_trend(self, dag_id: str, task_id: str, pair: tuple[str, str]) -> list[dict[str, Any]]:
        """A pair's history rows for one task, ordered by partition."""
        return pair_trend(self.engine, pair, dag_id=dag_id, task_id=task_id)


def _stored(row: Any) -> StoredReport:
    values = dict(row._mapping)
    values.pop("id")
    values["drifted_features"] = json.loads(values["drifted_features"])
    return StoredReport(**values)
