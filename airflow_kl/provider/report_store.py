"""Where a deployment keeps its drift reports, and the URL that shows one.

One setting, read the same way by workers (which write) and by the API
server (whose plugin reads), in Airflow's configuration section ``[airflow_kl]``:

- ``store``: a SQLAlchemy URL (``postgresql://…`` for workers and server on
  different machines, ``sqlite:////path/file.db`` for one machine), or
  ``none`` to keep reports out of the store; empty (the default) means
  ``sqlite:///$AIRFLOW_HOME/airflow_kl.db``, which suits ``airflow standalone``;
- ``store_conn_id``: or an Airflow SQL connection to that database.

Environment variables follow Airflow's rule (``AIRFLOW__AIRFLOW_KL__STORE``).
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError

if TYPE_CHECKING:  # the store needs SQLAlchemy and the core: loaded when a report is kept
    from ..report.store import ReportStore, TaskInstanceRef

SECTION = "airflow_kl"
URL_PREFIX = "/airflow-kl"


def _conf() -> Any:
    from .compat import conf

    return conf


def store_setting() -> tuple[str, str] | None:
    """``("url", url)`` or ``("conn_id", id)`` from ``[airflow_kl]``; None when off."""
    conf = _conf()
    conn_id = (conf.get(SECTION, "store_conn_id", fallback="") or "").strip()
    url = (conf.get(SECTION, "store", fallback="") or "").strip()
    if conn_id and url:
        import sqlalchemy as sa

        shown = sa.make_url(url).render_as_string(hide_password=True) if "://" in url else url
        raise ConfigError(
            f"[{SECTION}] sets both store={shown!r} and store_conn_id={conn_id!r}; keep one"
        )
    if conn_id:
        return ("conn_id", conn_id)
    if url.lower() == "none":
        return None
    if url:
        return ("url", url)
    home = os.environ.get("AIRFLOW_HOME") or os.path.expanduser("~/airflow")
    return ("url", f"sqlite:///{os.path.join(home, 'airflow_kl.db')}")


def configured_store() -> ReportStore | None:
    """The configured store (one per setting for the life of the process: the API
    server asks on every request), or None when it is off."""
    setting = store_setting()
    return None if setting is None else _store(setting)


@cache
def _store(setting: tuple[str, str]) -> ReportStore:
    from ..report.store import ReportStore

    kind, value = setting
    if kind == "conn_id":
        from .source_args import sql_engine

        return ReportStore(sql_engine(value))
    return ReportStore(value)


def base_path() -> str:
    """``[api] base_url`` without its trailing slash ('' when unset)."""
    return (_conf().get("api", "base_url", fallback="") or "").rstrip("/")


def report_url(ti: TaskInstanceRef) -> str:
    """The plugin's page for one task instance's report, under ``[api] base_url``.

    >>> from airflow_kl.report.store import TaskInstanceRef
    >>> url = report_url(TaskInstanceRef("d", "manual__2013-09-01T00:00:00+00:00", "check", 3))
    >>> url[len(base_path()) :]
    '/airflow-kl/reports/d/manual__2013-09-01T00%3A00%3A00%2B00%3A00/check?map_index=3'
    """
    return f"{base_path()}{URL_PREFIX}/{ti.route}"


def task_instance_ref(context: Any) -> TaskInstanceRef:
    """The running task instance, from an Airflow task context."""
    from ..report.store import TaskInstanceRef

    ti = context["ti"]
    map_index = getattr(ti, "map_index", None)
    return TaskInstanceRef(
        ti.dag_id, ti.run_id, ti.task_id, -1 if map_index is None else int(map_index)
    )


def store_report(
    operator: Any, report: Any, context: Any, *, source: str, html_path: str | None = None
) -> str | None:
    """Render the report's HTML once, write it to ``html_path`` (if given) and
    the report to the configured store; the URL that shows it (the plugin's
    route, else the file's URI), or None when it is nowhere."""
    from ..core.storage import atomic_write_text, is_uri, local_path
    from ..report.html import render_html

    try:
        store = configured_store()
    except ConfigError as exc:
        from .exceptions import InvalidDriftInput

        raise InvalidDriftInput(str(exc)) from exc
    if store is None and html_path is None:
        return None
    html = render_html(report, title=source)
    if html_path:
        atomic_write_text(html_path, html)
    if store is None:
        return str(html_path) if is_uri(html_path) else local_path(html_path).resolve().as_uri()
    ti = task_instance_ref(context)
    partition_key = getattr(operator, "partition_key", None) or context["ds"]
    store.save(ti, report, html=html, partition_key=str(partition_key), source=source)
    operator.log.info("stored the drift report of %s in the report store", ti)
    return report_url(ti)
