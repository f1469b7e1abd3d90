"""
### Backtest the gate, then enable it

Before the monthly gate is trusted, `backtest` judges every month of 2013
against January's profile in one pass over the year's Parquet folders
(`flights/month=MM/`), exactly as each month's own check would, and
suggests per-feature thresholds at which none of February to August (the
months taken as normal) would have drifted. Its timeline page
(`reports/backtest.html`) shows the verdict of every month and each
feature's KL across the year.

The gate `check_drift` then judges the run's month with those thresholds
(`backtest.output["threshold"]`) and fails the run when the month drifts:
September's arrival delays still do.
"""

from __future__ import annotations

from airflow.sdk import dag
from include.flights import (
    CONN_ID,
    DATA,
    MONTHLY,
    PARTITION,
    PROFILE,
    land,
    land_year,
    seed_reference,
)

from airflow_kl.provider import KLBacktestOperator, KLDriftCheckOperator


@dag(doc_md=__doc__, **MONTHLY)
def kl_backtest_gate():
    history = land_year()
    seed = seed_reference()
    backtest = KLBacktestOperator(
        task_id="backtest",
        profile=PROFILE,
        source=str(DATA / "flights"),
        partition_by="month",
        normal="2..8",  # the months the team calls normal
        html_path=str(DATA / "reports" / "backtest.html"),
        backfill_dag_id="kl_backtest_gate",  # the gate's history, in the drift dashboard
        backfill_task_id="check_drift",
        conn_id=CONN_ID,
    )
    gate = KLDriftCheckOperator(
        task_id="check_drift",
        profile=PROFILE,
        source=PARTITION,
        threshold=backtest.output["threshold"],
        on_drift="fail",
        partition_key="{{ logical_date.month }}",  # the backtest's keys: the history continues
        conn_id=CONN_ID,
    )
    history >> seed >> backtest
    land() >> gate
    backtest >> gate


kl_backtest_gate()
