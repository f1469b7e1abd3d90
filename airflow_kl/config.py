"""airflow-kl's settings in Airflow's configuration: where a deployment keeps
its drift reports, and the URL that shows one. Read the same way by workers
(which write) and by the API server's plugin (which reads), without loading
the operators.

Section ``[airflow_kl]``:

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

from .core.errors import ConfigError

if TYPE_CHECKING:  # the store needs SQLAlchemy and the core: loaded when a report is kept
    from .report.store import ReportStore, TaskInstanceRef

SECTION = "airflow_kl"
URL_PREFIX = "/airflow-kl"


def _conf() -> Any:
    """Airflow's configuration, from where the running minor keeps it."""
    from airflow.providers.common.compat.sdk import conf

    return conf


def store_setting() -> tuple[str, str] | None:
    """``("url", url)`` or ``("conn_id", id)`` from ``[airflow_kl]``; None when off."""
    conf = _conf()
    conn_id = (conf.get(SECTION, "store_conn_id", fallback="") or "").strip()
    url = (conf.get(SECTION, "store", fallback="") or "").strip()
    if conn_id and url:
        from .core.text import masked

        raise ConfigError(
            f"[{SECTION}] sets both store={masked(url)!r} and store_conn_id={conn_id!r}; keep one"
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
    from .report.store import ReportStore

    kind, value = setting
    if kind == "conn_id":
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


def sql_engine(conn_id: str) -> Any:
    """A SQLAlchemy engine for an Airflow connection (via its common.sql hook)."""
    from airflow.sdk import BaseHook

    hook = BaseHook.get_connection(conn_id).get_hook()
    if not hasattr(hook, "get_sqlalchemy_engine"):
        raise ConfigError(f"connection {conn_id!r} is not a SQL connection ({type(hook).__name__})")
    return hook.get_sqlalchemy_engine()
