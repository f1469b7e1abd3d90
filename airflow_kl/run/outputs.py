"""Where a run's results go, as one specification every entry point fills in.

>>> Outputs().wanted
False
>>> Outputs(report_path="report.json").wanted
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class History:
    """The results history a run records to: ``target`` is a SQLAlchemy URL,
    an engine or a SQLite path; rows are keyed by the partition and, for a
    scheduled task, its DAG and task (also what its trends are read by). A
    backtest written only to a report store names its task here with no
    ``target``."""

    target: Any = None
    """A SQLAlchemy URL or engine, or a SQLite file's path; None to record nowhere."""
    partition_key: str = ""
    """The partition checked (``"2013-09"``): one row per feature and partition."""
    dag_id: str = ""
    """The DAG of the task that ran the check (empty outside Airflow)."""
    task_id: str = ""
    """The task that ran the check (empty outside Airflow)."""


# Keeps a report and its HTML page somewhere (a report store); returns the URL
# that shows it, or None.
Store = Callable[[Any, str], "str | None"]


@dataclass(frozen=True)
class Outputs:
    """What a run writes besides returning its result; every part optional.

    ``report_path``: the report (or timeline) JSON. ``html_path``: its HTML
    page, titled ``title``. ``history``: the results history to record to; a
    check's page then shows each feature's KL trend from it. ``store``: called
    with the report and its page (see :data:`Store`).
    """

    report_path: Any = None
    """Where the report's JSON goes (a local path or an fsspec URI), or None."""
    html_path: Any = None
    """Where the report's HTML page goes, or None."""
    title: str = ""
    """The page's title (default: the data's name)."""
    history: History | None = None
    """The results history to record to, or None."""
    store: Store | None = None
    """Called with the report and its page to keep them (a report store), or None."""

    @property
    def wanted(self) -> bool:
        """True when anything is to be written."""
        return any(
            x is not None for x in (self.report_path, self.html_path, self.history, self.store)
        )


@dataclass(frozen=True)
class Written:
    """What a run wrote: the history rows recorded and where the page is shown
    (the store's URL, else the HTML file's)."""

    history_rows: int = 0
    page_url: str | None = None
