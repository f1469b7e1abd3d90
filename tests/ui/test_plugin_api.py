"""The plugin's routes on a real API server: the extra link, the report, and
who may read it."""

from __future__ import annotations

import shutil
from urllib.parse import quote

import httpx
import pytest

import airflow_kl as ak

REPORT = "/airflow-kl/reports/kl_drift_retrain/{run}/check_drift"
REPORT_JSON = "/airflow-kl/api/reports/kl_drift_retrain/{run}/check_drift"


def get(deployment, path, token=None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.get(f"{deployment.url}{path}", headers=headers, timeout=60, **kwargs)


def sep_run(deployment) -> str:
    return quote(deployment.runs["2013-09-01"], safe="")


def test_extra_link_is_the_servers_report_page(deployment):
    token = deployment.token("admin")
    links = get(
        deployment,
        f"/api/v2/dags/kl_drift_retrain/dagRuns/{sep_run(deployment)}"
        "/taskInstances/check_drift/links",
        token,
    ).json()["extra_links"]
    link = links["Drift report"]
    assert link == deployment.url + REPORT.format(run=sep_run(deployment))
    page = httpx.get(link, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert "DRIFT in arr_delay" in page.text and "<script" not in page.text


def test_report_json_holds_the_numbers_of_an_independent_check(deployment, flights):
    """The stored report (written by the worker, read by the server) equals a
    check of the same months run here: January reference, September partition."""
    body = get(deployment, REPORT_JSON.format(run=sep_run(deployment)), deployment.token("admin"))
    assert body.status_code == 200
    stored = body.json()
    assert stored["partition_key"] == "2013-09-01" and stored["status"] == "drift"
    assert stored["run_id"] == deployment.runs["2013-09-01"]
    report = stored["report"]
    features = list(report["features"])
    profile = ak.build_profile(flights[flights.month == 1], features=features)
    expected = ak.check_drift(profile, flights[flights.month == 9], threshold=0.1)
    assert report["drifted_features"] == expected.drifted_features == ["arr_delay"]
    for name, f in expected.features.items():
        assert report["features"][name]["kl"] == pytest.approx(f.kl, rel=1e-12), name
        assert report["features"][name]["n_current"] == f.n_current
    feb = get(
        deployment,
        REPORT_JSON.format(run=quote(deployment.runs["2013-02-01"], safe="")),
        deployment.token("admin"),
    ).json()
    assert feb["status"] == "ok" and feb["partition_key"] == "2013-02-01"


@pytest.mark.parametrize("path", [REPORT, REPORT_JSON, "/airflow-kl/dashboard"])
def test_every_route_needs_a_logged_in_user(deployment, path):
    path = path.format(run=sep_run(deployment))
    assert get(deployment, path).status_code == 401
    assert get(deployment, path, token="not-a-token").status_code == 403


def test_a_user_who_may_not_read_the_dag_is_refused(deployment):
    token = deployment.token("outsider")
    for path in (REPORT, REPORT_JSON):
        answer = get(deployment, path.format(run=sep_run(deployment)), token)
        assert answer.status_code == 403, path
        assert "arr_delay" not in answer.text
    dashboard = get(deployment, "/airflow-kl/dashboard", token)
    assert dashboard.status_code == 200  # but it lists none of the DAGs they may not read
    assert "kl_drift_retrain" not in dashboard.text and 'id="empty"' in dashboard.text
    admin = get(deployment, "/airflow-kl/dashboard", deployment.token("admin"))
    assert 'data-dag="kl_drift_retrain"' in admin.text


def test_ids_are_validated_and_a_missing_report_is_404(deployment):
    token = deployment.token("admin")
    bad_run = get(deployment, REPORT_JSON.format(run="run%20with%20spaces"), token)
    assert bad_run.status_code == 400 and "run_id" in bad_run.json()["detail"]
    bad_index = get(
        deployment, REPORT_JSON.format(run=sep_run(deployment)), token, params={"map_index": "two"}
    )
    assert bad_index.status_code == 400 and "'two'" in bad_index.json()["detail"]
    huge = get(
        deployment,
        REPORT_JSON.format(run=sep_run(deployment)),
        token,
        params={"map_index": "99999999999999999999999"},
    )
    assert huge.status_code == 400 and "map_index must be an integer from -1" in huge.text
    for who in (None, token):  # no schema of the plugin's routes, to anyone
        assert get(deployment, "/airflow-kl/openapi.json", who).status_code in (401, 403, 404)
    missing = get(
        deployment, REPORT_JSON.format(run=sep_run(deployment)), token, params={"map_index": "3"}
    )
    assert missing.status_code == 404 and "map index 3" in missing.json()["detail"]
    other_task = get(
        deployment,
        f"/airflow-kl/reports/kl_drift_retrain/{sep_run(deployment)}/retrain",
        token,
    )
    assert other_task.status_code == 404 and "no drift report" in other_task.text


def test_the_report_reaches_the_server_without_the_workers_files(deployment):
    """Workers and server share no disk: with the worker's report files gone,
    the server still shows the report, from the store."""
    reports = deployment.worker_home / "demo" / "reports"
    assert (reports / "flights-2013-09-01.html").stat().st_size > 0
    shutil.rmtree(reports)
    page = get(deployment, REPORT.format(run=sep_run(deployment)), deployment.token("admin"))
    assert page.status_code == 200 and "DRIFT in arr_delay" in page.text
