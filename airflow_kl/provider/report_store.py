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


def task_store(operator: Any, context: Any, source: str) -> Any:
    """The configured report store as the run layer's ``store`` (see
    :class:`airflow_kl.run.outputs.Outputs`): it keeps a report and its page as
    this task instance's and returns the URL that shows it; None when no store
    is configured."""
    try:
        store = configured_store()
    except AirflowKLError as exc:  # a bad setting, or a store that cannot be used
        raise InvalidDriftInput(str(exc)) from exc
    if store is None:
        return None
    ti = task_instance_ref(context)
    partition_key = str(getattr(operator, "partition_key", None) or context["ds"])

    def keep(report: Any, html: str) -> str:
        store.save(ti, report, html=html, partition_key=partition_key, source=source)
        operator.log.info("stored the drift report of %s in the report store", ti)
        return report_url(ti)

    return keep
