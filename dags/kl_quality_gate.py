"""
### Drift as a data-quality gate

`gate` fails the run with `DriftDetected` (no retries) when the month drifted
from January 2013; `publish` runs only when the gate passes, and `notify`
(`trigger_rule="one_failed"`) runs only when it fails. The drift report is in
the gate's XCom either way.
"""

from __future__ import annotations

from airflow.sdk import ObjectStoragePath, dag, task
from include.flights import CONN_ID, DATA, MONTHLY, PARTITION, PROFILE, land, seed_reference

from airflow_kl.provider import KLDriftCheckOperator


@dag(doc_md=__doc__, **MONTHLY)
def kl_quality_gate():
    seed = seed_reference()
    gate = KLDriftCheckOperator(
        task_id="gate", profile=PROFILE, source=PARTITION, on_drift="fail", conn_id=CONN_ID
    )

    @task
    def publish(partition: str, ds=None) -> str:
        source = ObjectStoragePath(partition, conn_id=CONN_ID)
        target = DATA / "published" / f"flights-{ds}"
        target.mkdir(parents=True, exist_ok=True)
        for part in source.iterdir():
            part.copy(target / part.name)
        return str(target)

    @task(trigger_rule="one_failed")
    def notify(ds=None) -> str:
        message = f"flights partition {ds} failed the drift gate; see the gate task's XCom"
        print(message)
        return message

    partition = land()
    partition >> seed >> gate
    gate >> publish(partition)
    gate >> notify()


kl_quality_gate()
