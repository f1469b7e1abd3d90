"""A real Airflow deployment for the UI plugin's tests, started here.

Workers and API server share no folder: each has its own ``AIRFLOW_HOME``;
they share the metadata database (SQLite) and the airflow-kl report store (a
database of the session's real PostgreSQL server), as a deployment shares
its databases. ``airflow dags test`` (the worker) runs ``kl_drift_retrain``
for February and September 2013; ``airflow api-server`` serves the UI, the
REST API and the plugin on a loopback port.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from ..airflow_versions import DAGS_TEST
from ..conftest import ROOT, stop_group
from ..servers import free_port

AIRFLOW = str(Path(sys.executable).with_name("airflow"))
PASSWORDS = {"admin": "admin-pass", "outsider": "outsider-pass"}
MONTHS = ("2013-02-01", "2013-09-01")


@dataclass(frozen=True)
class Deployment:
    url: str
    runs: dict[str, str]  # logical date -> run id of kl_drift_retrain
    worker_home: Path
    store_url: str

    def token(self, user: str) -> str:
        answer = httpx.post(
            f"{self.url}/auth/token",
            json={"username": user, "password": PASSWORDS[user]},
            timeout=30,
        )
        answer.raise_for_status()
        return answer.json()["access_token"]


def _store_database(postgres_url: str) -> str:
    """A database of its own for the report store, on the session's server."""
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text("DROP DATABASE IF EXISTS airflow_kl_store"))
        conn.execute(sa.text("CREATE DATABASE airflow_kl_store"))
    admin.dispose()
    return postgres_url.rsplit("/", 1)[0] + "/airflow_kl_store"


def _env(home: Path, shared: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(shared, AIRFLOW_HOME=str(home), PYTHONPATH=str(ROOT))
    home.mkdir(parents=True, exist_ok=True)
    return env


def _run(cmd: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("w") as out:
        done = subprocess.run(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)} failed:\n{log.read_text()[-3000:]}"


def _wait_healthy(url: str, server: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"airflow api-server exited:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v2/monitor/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"airflow api-server not healthy after {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def deployment(tmp_path_factory, postgres_url):
    root = tmp_path_factory.mktemp("deployment")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    store_url = _store_database(postgres_url)
    passwords = root / "passwords.json"
    passwords.write_text(json.dumps(PASSWORDS))
    shared = {
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{root / 'metadata.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__AUTH_MANAGER": "tests.ui.auth_manager.OneDagViewerAuthManager",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin,outsider:viewer",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
        "AIRFLOW__API__BASE_URL": url,
        "AIRFLOW__API_AUTH__JWT_SECRET": "airflow-kl-ui-tests",
        "AIRFLOW__AIRFLOW_KL__STORE": store_url,
    }
    worker_home, server_home = root / "worker", root / "server"
    worker = _env(worker_home, {**shared, "AIRFLOW_KL_DEMO_DIR": str(worker_home / "demo")})
    server = _env(server_home, shared)
    _run([AIRFLOW, "db", "migrate"], worker, root / "migrate.log")
    server_log = root / "api-server.log"
    with server_log.open("w") as out:
        process = subprocess.Popen(
            [AIRFLOW, "api-server", "--host", "127.0.0.1", "--port", str(port)],
            env=server,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        for month in MONTHS:  # the worker runs while the server starts
            _run([*DAGS_TEST, "kl_drift_retrain", month], worker, root / f"{month}.log")
        _wait_healthy(url, process, server_log)
        deployed = Deployment(url, {}, worker_home, store_url)
        runs = httpx.get(
            f"{url}/api/v2/dags/kl_drift_retrain/dagRuns",
            headers={"Authorization": f"Bearer {deployed.token('admin')}"},
            timeout=30,
        ).json()["dag_runs"]
        deployed.runs.update({r["logical_date"][:10]: r["dag_run_id"] for r in runs})
        assert sorted(deployed.runs) == list(MONTHS)
        yield deployed
    finally:
        stop_group(process)
