"""Write a backtest's reports where a DAG's checks write theirs, under their
partition keys, as if each partition had been checked by its own run: the
dashboard and ``airflow-kl history`` show the backfilled history at once.

>>> import airflow_kl as ak, pandas as pd, sqlalchemy as sa
>>> from airflow_kl.report.store import ReportStore
>>> year = pd.DataFrame({"month": [1] * 100 + [2] * 100, "x": list(range(200))})
>>> timeline = ak.backtest(ak.build_profile(year[year.month == 1], features=["x"]), year, "month")
>>> store = ReportStore(sa.create_engine("sqlite://"))
>>> [ti.run_id for ti in backfill_store(timeline, store, dag_id="d", task_id="check")]
['backtest__1', 'backtest__2']
>>> [r["partition_key"] for r in store.trend("d", "check", "x")]
['1', '2']
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from ..report.history import record_all
from ..report.store import ReportStore, TaskInstanceRef
from .timeline import Backtest

RUN_PREFIX = "backtest__"


def backfill_store(
    timeline: Backtest, store: Any, *, dag_id: str, task_id: str, source: str = "backtest"
) -> list[TaskInstanceRef]:
    """Every partition's report in the report store (``store``: a
    :class:`ReportStore`, URL or SQLite path), as the task instance
    ``(dag_id, "backtest__<partition>", task_id)``, in one transaction, each
    checked a microsecond after the one before (the last partition is the
    task's latest report). The report page is rendered when it is opened."""
    store = store if isinstance(store, ReportStore) else ReportStore(store)
    refs = [TaskInstanceRef(dag_id, RUN_PREFIX + p, task_id) for p in timeline.partitions]
    now, step = datetime.now(UTC), timedelta(microseconds=1)  # the last partition is the latest
    entries = [
        (ti, timeline.reports[p], "", p, now - step * (len(refs) - i))
        for i, (ti, p) in enumerate(zip(refs, timeline.partitions, strict=True))
    ]
    store.save_all(entries, source=source)
    return refs


def backfill_history(
    timeline: Backtest, target: Any, *, dag_id: str = "", task_id: str = ""
) -> int:
    """Every partition's rows in a results-history database, in one
    transaction; returns how many feature rows were written."""
    return record_all(target, timeline.reports, dag_id=dag_id, task_id=task_id)
