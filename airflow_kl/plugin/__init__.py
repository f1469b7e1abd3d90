"""The Airflow UI plugin: drift reports and the dashboard, behind Airflow's login.

Loaded by Airflow through the ``airflow.plugins`` entry point. It mounts the
FastAPI app of :mod:`.app` on the API server under ``/airflow-kl`` and adds two
pages to the UI, both shown inside Airflow (``url_route``):

- "Drift" in the navigation: the dashboard;
- "Drift report", a tab on every task instance: that task instance's report.

The app is built when the API server asks for it, so workers that load the
plugin import nothing of the API server.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from airflow.plugins_manager import AirflowPlugin

from ..config import URL_PREFIX

# Filled in by the UI for the task instance whose tab is open.
TASK_INSTANCE = "{DAG_ID}/{RUN_ID}/{TASK_ID}?map_index={MAP_INDEX}"


def _base_path() -> str:
    """The path of ``[api] base_url`` ('' at the root), for links the UI follows."""
    from urllib.parse import urlsplit

    from ..config import base_path

    return urlsplit(base_path()).path.rstrip("/")


class AirflowKLPlugin(AirflowPlugin):
    name = "airflow_kl"

    @cached_property
    def fastapi_apps(self) -> list[dict[str, Any]]:  # type: ignore[override]
        from .app import create_app

        return [{"name": "airflow-kl", "app": create_app(), "url_prefix": URL_PREFIX}]

    @cached_property
    def external_views(self) -> list[dict[str, Any]]:  # type: ignore[override]
        prefix = f"{_base_path()}{URL_PREFIX}"
        return [
            {
                "name": "Drift",
                "href": f"{prefix}/dashboard",
                "destination": "nav",
                "category": "browse",
                "url_route": "airflow-kl-drift",
            },
            {
                "name": "Drift report",
                "href": f"{prefix}/reports/{TASK_INSTANCE}",
                "destination": "task_instance",
                "url_route": "airflow-kl-report",
            },
        ]
