"""Write the report store that tests/report/test_migrations.py upgrades: a
SQLite file as airflow-kl 0.5.0 wrote it (no schema revision).

Run with 0.5.0 on the path, from a checkout of that release:

    git worktree add /tmp/ak-0.5.0 be09448
    PYTHONPATH=/tmp/ak-0.5.0 .venv/bin/python scripts/store_0_5_0.py \
        tests/report/data/store-0.5.0.sqlite

Four partitions of one task (one with an infinite KL, one drifted), a
segmented check, and history rows recorded without a report.
"""

import sys
from datetime import UTC, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.report.history import record
from airflow_kl.report.store import ReportStore, TaskInstanceRef


def main(path: str) -> None:
    rng = np.random.default_rng(5)
    reference = pd.DataFrame(
        {
            "x": rng.normal(0, 1, 2000),
            "origin": rng.choice(["EWR", "JFK", "LGA"], 2000),
        }
    )
    flat = ak.build_profile(reference, features=["x", "origin"])
    by_origin = ak.build_profile(reference, features=["x"], segment_by="origin")
    store = ReportStore(sa.create_engine(f"sqlite:///{path}"))
    for month, shift in enumerate([0.0, 0.05, 1.5, 0.0], start=1):
        current = reference.assign(x=reference.x + shift)
        report = ak.check_drift(flat, current)
        ti = TaskInstanceRef("flights", f"scheduled__2013-0{month}-01T00:00:00+00:00", "check")
        at = datetime(2013, month, 2, tzinfo=UTC)
        store.save(
            ti,
            report,
            html=f"<p>{month}</p>",
            partition_key=f"2013-0{month}",
            source=f"flights/{month}.parquet",
            checked_at=at,
        )
    empty_bin = reference.assign(x=1e9)
    ti = TaskInstanceRef("flights", "manual__2013-05-01T00:00:00+00:00", "check")
    store.save(
        ti,
        ak.check_drift(flat, empty_bin, smoothing=0),
        html="<p>inf</p>",
        partition_key="2013-05",
        source="flights/5.parquet",
        checked_at=datetime(2013, 5, 2, tzinfo=UTC),
    )
    ti = TaskInstanceRef("by_origin", "scheduled__2013-01-01T00:00:00+00:00", "check", 2)
    store.save(
        ti,
        ak.check_drift(by_origin, reference),
        html="<p>seg</p>",
        partition_key="2013-01",
        source="flights/1.parquet",
        checked_at=datetime(2013, 1, 3, tzinfo=UTC),
    )
    record(store.engine, ak.check_drift(flat, reference), partition_key="adhoc", dag_id="nb")


if __name__ == "__main__":
    main(sys.argv[1])
