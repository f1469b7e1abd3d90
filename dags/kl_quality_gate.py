"""
### Drift as a data-quality gate

`gate` fails the run with `DriftDetected` (no retries) when the month drifted
from January 2013; `publish` runs only when the gate passes, and `notify`
(`trigger_rule="one_failed"`) runs only when it fails. The drift report is in
the gate's XCom either way.
"""

from __future__ import annotations

import shutil
from datetime import datetime

from airflow.sdk import dag, task
from include.flights import DATA, FEATURES, PARTITION, PROFILE, land_partition

from airflow_kl.provider import BuildReferenceProfileOperator, KLDriftCheckOperator


@dag(
    schedule="@monthly",
    start_date=datetime(2013, 2, 1),
    end_date=datetime(2013, 12, 31),
    catchup=False,
    doc_md=__doc__,
    tags=["airflow-kl", "example"],
)
def kl_quality_gate():
    @task
    def land(logical_date=None) -> str:
        land_partition(1)
        return land_partition(logical_date.month)

    seed_reference = BuildReferenceProfileOperator(
        task_id="seed_reference",
        source=str(DATA / "flights" / "month=01"),
        profile_path=PROFILE,
        features=FEATURES,
        if_exists="keep",
    )
    gate = KLDriftCheckOperator(task_id="gate", profile=PROFILE, source=PARTITION, on_drift="fail")

    @task
    def publish(partition: str, ds=None) -> str:
        target = DATA / "published" / f"flights-{ds}"
        shutil.copytree(partition, target, dirs_exist_ok=True)
        return str(target)

    @task(trigger_rule="one_failed")
    def notify(ds=None) -> str:
        message = f"flights partition {ds} failed the drift gate; see the gate task's XCom"
        print(message)
        return message

    partition = land()
    partition >> seed_reference >> gate
    gate >> publish(partition)
    gate >> notify()


kl_quality_gate()
