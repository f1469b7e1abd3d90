"""The test deployment's auth manager: Airflow's SimpleAuthManager with one
per-DAG policy, as a team's auth manager (FAB, Keycloak, ...) would have.

The user ``outsider`` is a viewer who may read only ``kl_quality_gate``; every
other decision is SimpleAuthManager's own.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

OUTSIDER = "outsider"
OUTSIDER_DAGS = {"kl_quality_gate"}


class OneDagViewerAuthManager(SimpleAuthManager):
    def is_authorized_dag(self, *, method, user, access_entity=None, details=None):
        dag_id = details.id if details is not None else None
        if user.username == OUTSIDER and dag_id is not None and dag_id not in OUTSIDER_DAGS:
            return False
        return super().is_authorized_dag(
            method=method, user=user, access_entity=access_entity, details=details
        )
