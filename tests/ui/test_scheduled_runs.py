"""An example DAG run as users run it: ``airflow scheduler`` with the
LocalExecutor, ``airflow dag-processor`` and ``airflow api-server`` (the Task
SDK's execution API), started here on one SQLite metadata database; runs
triggered through the REST API, not ``dag.test()``.

``kl_quality_gate`` for February 2013 passes the gate and publishes; for
September the gate fails with ``DriftDetected`` on its first and only try,
``notify`` runs and ``publish`` does not; both reports reach the store.
"""

from __future__ import annotations

import json
import subprocess
import time

import httpx
import pytest
import sqlalchemy as sa

from ..conftest import ROOT, stop_group
from ..servers import free_port
from .conftest import AIRFLOW, _env, _run, _wait_healthy

DAG = "kl_quality_gate"
RUNS = {"feb": "2013-02-01T00:00:00Z", "sep": "2013-09-01T00:00:00Z"}
FINISHED = {"success", "failed"}


@pytest.fixture(scope="module")
def scheduled(tmp_path_factory):
    root = tmp_path_factory.mktemp("scheduled")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = _env(
        root / "home",
        {
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{root / 'metadata.db'}",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{url}/execution/",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
            "AIRFLOW__API__BASE_URL": url,
            "AIRFLOW__API_AUTH__JWT_SECRET": "airflow-kl-scheduled-runs",
            "AIRFLOW__AIRFLOW_KL__STORE": f"sqlite:///{root / 'store.db'}",
            "AIRFLOW_KL_DEMO_DIR": str(root / "demo"),
        },
    )
    _run([AIRFLOW, "db", "migrate"], env, root / "migrate.log")
    processes = []
    for name, args in (
        ("api-server", ["api-server", "--host", "127.0.0.1", "--port", str(port)]),
        ("scheduler", ["scheduler"]),
        ("dag-processor", ["dag-processor"]),
    ):
        with (root / f"{name}.log").open("w") as out:
            processes.append(
                subprocess.Popen(
                    [AIRFLOW, *args],
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )
    try:
        _wait_healthy(url, processes[0], root / "api-server.log")
        token = httpx.get(f"{url}/auth/token", timeout=60).json()["access_token"]
        api = httpx.Client(
            base_url=f"{url}/api/v2", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        _wait_for(lambda: api.get(f"/dags/{DAG}").status_code == 200, "the DAG parsed", root)
        assert api.patch(f"/dags/{DAG}", json={"is_paused": False}).status_code == 200
        for run_id, logical_date in RUNS.items():
            answer = api.post(
                f"/dags/{DAG}/dagRuns", json={"dag_run_id": run_id, "logical_date": logical_date}
            )
            assert answer.status_code == 200, answer.text

        def finished() -> bool:
            found = [api.get(f"/dags/{DAG}/dagRuns/{r}").json()["state"] for r in RUNS]
            return all(state in FINISHED for state in found)

        _wait_for(finished, "both runs finished", root)
        yield api, root
        api.close()
    finally:
        for process in processes:
            stop_group(process)


def _wait_for(done, what: str, root, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if done():
            return
        time.sleep(2)
    logs = "\n".join(p.read_text()[-1500:] for p in sorted(root.glob("*.log")))
    pytest.fail(f"not {what} after {timeout} s:\n{logs}")


def states(api, run_id: str) -> dict[str, tuple[str, int]]:
    found = api.get(f"/dags/{DAG}/dagRuns/{run_id}/taskInstances").json()["task_instances"]
    return {t["task_id"]: (t["state"], t["try_number"]) for t in found}


def test_february_passes_the_gate_and_publishes(scheduled):
    api, _ = scheduled
    assert api.get(f"/dags/{DAG}/dagRuns/feb").json()["state"] == "success"
    got = states(api, "feb")
    assert got["gate"] == ("success", 1) and got["publish"] == ("success", 1)
    assert got["notify"][0] == "skipped"


def test_september_fails_the_gate_once_and_notifies(scheduled):
    api, _ = scheduled
    assert api.get(f"/dags/{DAG}/dagRuns/sep").json()["state"] == "failed"
    got = states(api, "sep")
    assert got["gate"] == ("failed", 1)  # DriftDetected is never retried
    assert got["notify"] == ("success", 1) and got["publish"][0] == "upstream_failed"
    log = api.get(
        f"/dags/{DAG}/dagRuns/sep/taskInstances/gate/logs/1",
        headers={"Accept": "application/json"},
    ).json()
    text = json.dumps(log)
    assert "DriftDetected" in text and "DRIFT in arr_delay" in text


def test_both_reports_reach_the_store(scheduled):
    _, root = scheduled
    store = sa.create_engine(f"sqlite:///{root / 'store.db'}")
    with store.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT run_id, status, drifted_features FROM airflow_kl_reports "
                "WHERE dag_id = :d AND task_id = 'gate' ORDER BY run_id"
            ),
            {"d": DAG},
        ).all()
    store.dispose()
    assert [(r.run_id, r.status) for r in rows] == [("feb", "ok"), ("sep", "drift")]
    assert json.loads(rows[1].drifted_features) == ["arr_delay"]
