"""The plugin's FastAPI app, mounted by the Airflow API server under ``/airflow-kl``.

A mounted app inherits no authentication, so every route depends on
Airflow's own security dependencies: the caller is the user of the bearer
token or of the UI's token cookie (so the pages work in the UI's iframes),
and must be allowed to read the DAG (401 without a user, 403 without the
right). Ids from the URL are validated by :class:`TaskInstanceRef` and are
only ever values in a parameterised query, never part of a path.

- ``GET /dashboard``: the latest verdict of every task the user may read, with
  KL trends (HTML);
- ``GET /reports/{dag_id}/{run_id}/{task_id}?map_index=N``: one task
  instance's report (HTML);
- ``GET /api/reports/{dag_id}/{run_id}/{task_id}?map_index=N``: the same
  report as JSON, with the task instance and partition it belongs to.
"""

from __future__ import annotations

import html
import json
from typing import Annotated, Any

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import GetUserDep, requires_access_dag
from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..config import configured_store
from ..core.errors import AirflowKLError, ConfigError, DatabaseUnavailable, StoreError
from ..report.dashboard import render_dashboard
from ..report.store import ReportStore, StoredReport, TaskInstanceRef

# Pages are framed by the Airflow UI only, and run nothing: inline styles and SVG.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-cache",
}
# The UI's task-instance tab leaves {MAP_INDEX} unreplaced for a task that is not mapped.
UNMAPPED = ("", "-1", "{MAP_INDEX}")

ReadTaskInstance = Depends(requires_access_dag("GET", DagAccessEntity.TASK_INSTANCE))


def _store() -> ReportStore:
    try:
        store = configured_store()
    except AirflowKLError as exc:
        raise HTTPException(500, f"airflow-kl report store: {exc}") from exc
    if store is None:
        raise HTTPException(404, "the airflow-kl report store is off ([airflow_kl] store = none)")
    return store


def _task_instance(
    dag_id: str, run_id: str, task_id: str, map_index: str | None
) -> TaskInstanceRef:
    try:
        index = -1 if (map_index or "") in UNMAPPED else int(map_index)
    except ValueError:
        raise HTTPException(400, f"map_index must be an integer, got {map_index!r}") from None
    try:
        return TaskInstanceRef(dag_id, run_id, task_id, index)
    except ConfigError as exc:
        raise HTTPException(400, str(exc)) from exc


def _stored(ti: TaskInstanceRef) -> StoredReport:
    stored = _store().get(ti)
    if stored is None:
        raise HTTPException(
            404,
            f"no drift report for task {ti.task_id!r} of DAG {ti.dag_id!r}, run {ti.run_id!r}"
            + (f", map index {ti.map_index}" if ti.map_index >= 0 else ""),
        )
    return stored


def create_app() -> FastAPI:
    app = FastAPI(
        title="airflow-kl",
        description="Drift reports and history of airflow-kl checks.",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # no schema route: every route must need a user, and it would not
    )

    @app.exception_handler(DatabaseUnavailable)
    @app.exception_handler(StoreError)
    async def store_error(request: Any, exc: Exception) -> Any:
        """A store out of reach (503, worth a retry) or unusable (500), in one line."""
        status = 503 if isinstance(exc, DatabaseUnavailable) else 500
        return await page_error(request, StarletteHTTPException(status, f"report store: {exc}"))

    @app.exception_handler(StarletteHTTPException)
    async def page_error(request: Any, exc: StarletteHTTPException) -> Any:
        """Errors as JSON for the API, and as a short page for a person in the UI."""
        if "/api/reports/" in request.url.path:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        body = f"<!DOCTYPE html><title>airflow-kl</title><p>{_escape(exc.detail)}</p>"
        return HTMLResponse(body, exc.status_code, headers={**PAGE_HEADERS, **(exc.headers or {})})

    @app.get(
        "/dashboard",
        response_class=HTMLResponse,
        dependencies=[Depends(requires_access_dag("GET"))],
    )
    def dashboard(user: GetUserDep) -> HTMLResponse:
        from airflow.api_fastapi.app import get_auth_manager

        readable = get_auth_manager().get_authorized_dag_ids(user=user, method="GET")
        return HTMLResponse(render_dashboard(_store(), readable), headers=PAGE_HEADERS)

    @app.get(
        "/reports/{dag_id}/{run_id}/{task_id}",
        response_class=HTMLResponse,
        dependencies=[ReadTaskInstance],
    )
    def report_page(
        dag_id: str,
        run_id: str,
        task_id: str,
        map_index: Annotated[str | None, Query()] = None,
    ) -> HTMLResponse:
        stored = _stored(_task_instance(dag_id, run_id, task_id, map_index))
        return HTMLResponse(stored.page, headers=PAGE_HEADERS)

    @app.get("/api/reports/{dag_id}/{run_id}/{task_id}", dependencies=[ReadTaskInstance])
    def report_json(
        dag_id: str,
        run_id: str,
        task_id: str,
        map_index: Annotated[str | None, Query()] = None,
    ) -> JSONResponse:
        stored = _stored(_task_instance(dag_id, run_id, task_id, map_index))
        body = {
            "dag_id": stored.dag_id,
            "run_id": stored.run_id,
            "task_id": stored.task_id,
            "map_index": stored.map_index,
            "partition_key": stored.partition_key,
            "source": stored.source,
            "status": stored.status,
            "checked_at": stored.checked_at.isoformat(),
            "report": json.loads(stored.report_json),
        }
        return JSONResponse(body, headers={"Cache-Control": "private, no-cache"})

    return app


def _escape(text: Any) -> str:
    return html.escape(str(text))
