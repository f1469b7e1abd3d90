"""Keeping a task's drift report: in the configured store (see
:mod:`airflow_kl.config`) and, when asked, as an HTML file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..config import (  # noqa: F401  (the names DAGs of 0.5 imported from here)
    SECTION,
    URL_PREFIX,
    base_path,
    configured_store,
    report_url,
    store_setting,
)
from ..core.errors import AirflowKLError
from .exceptions import InvalidDriftInput

if TYPE_CHECKING:
    from ..report.store import TaskInstanceRef


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
    from ..core.file_io import atomic_write_text, is_uri, local_path
    from ..report.html import render_html

    try:
        store = configured_store()
    except AirflowKLError as exc:  # a bad setting, or a store that cannot be used
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
    try:
        store.save(ti, report, html=html, partition_key=str(partition_key), source=source)
    except AirflowKLError as exc:
        raise InvalidDriftInput(str(exc)) from exc
    operator.log.info("stored the drift report of %s in the report store", ti)
    return report_url(ti)
