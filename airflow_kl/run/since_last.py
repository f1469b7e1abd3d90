"""A scheduled check of only what was appended: ``{"delta": ..., "since":
"last"}`` (or ``"iceberg"``) starts after the version its task last checked,
read from the report store, so a daily DAG judges each commit once. A check
that completed (drift or not) was stored and moves the start on; a check
that failed was not, so its commits are judged again by the next run. The
first run, with nothing stored, reads the whole table.

>>> with_last_checked({"delta": "/data/t", "since": 3}, None, "d", "t")
{'delta': '/data/t', 'since': 3}
>>> with_last_checked({"delta": "/data/t", "since": "last"}, None, "d", "t")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: since='last' starts after the version ...
"""

from __future__ import annotations

from typing import Any

from ..core.errors import ConfigError
from ..sources.lakehouse import is_table_mapping, table_source

LAST = "last"


def with_last_checked(source: Any, store: Any, dag_id: str, task_id: str) -> Any:
    """``source``, its ``since: "last"`` replaced by the Delta version or Iceberg
    snapshot that the task's newest stored report read (dropped when there is
    none); any other source as it is."""
    if not is_table_mapping(source) or source.get("since") != LAST:
        return source
    if store is None:
        raise ConfigError(
            "since='last' starts after the version this task last checked, which the "
            "report store keeps: configure one ([airflow_kl] store)"
        )
    rest = {k: v for k, v in source.items() if k != "since"}
    last = store.last_data_version(dag_id, task_id, str(table_source(rest)))
    if last is None:
        return rest
    return {**rest, "since": last["version"] if "version" in last else last["snapshot"]}
