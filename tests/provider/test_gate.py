"""The two gates on one base: a partition a GX suite passed and one a KL check
passed are stored alike and make one rolling reference, in one DAG under
dag.test() with the report store Airflow is configured with."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.options import DEFAULTS
from airflow_kl.provider.gate import DriftGateOperator
from airflow_kl.provider.gx_validation import GXValidationOperator
from airflow_kl.provider.operators import KLDriftCheckOperator

from .test_operators import pull, run_dag


@pytest.fixture
def months(tmp_path):
    rng = np.random.default_rng(27)

    def month(n):
        return pd.DataFrame({"x": rng.normal(size=n), "c": rng.choice(["a", "b", "c"], n)})

    ak.build_profile(month(3000)).save(tmp_path / "january.json")
    month(1500).to_parquet(tmp_path / "february.parquet")
    month(2500).to_parquet(tmp_path / "march.parquet")
    return tmp_path


def test_both_gates_feed_one_rolling_reference(months, airflow_db):
    from airflow.sdk import DAG, task

    january = str(months / "january.json")
    rolling = months / "rolling.json"

    @task
    def rolling_reference(dag=None, ds=None):
        from airflow_kl.config import configured_store

        base = ak.Profile.load(january)
        store = configured_store()
        parts = [
            store.accepted(dag.dag_id, task_id, 3, bins_checksum=base.bins_checksum)
            for task_id in ("validate", "check")
        ]
        chosen = [stored for part in parts for stored in part]
        names = [f"{s.task_id}:{s.partition_key}" for s in chosen]
        ak.reference_from_reports(base, [s.report for s in chosen], names).save(rolling)
        return names

    options = {"threshold": "0.5", "correction": "holm"}  # templated, read as a number
    with DAG("two_gates", schedule=None, start_date=pd.Timestamp("2024-03-01", tz="UTC")) as dag:
        validated = GXValidationOperator(
            task_id="validate",
            source=str(months / "february.parquet"),
            profile=january,
            **options,
        )
        checked = KLDriftCheckOperator(
            task_id="check", source=str(months / "march.parquet"), profile=january, **options
        )
        [validated, checked] >> rolling_reference()
    run = run_dag(dag)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {"validate": "success", "check": "success", "rolling_reference": "success"}
    assert pull(run, "rolling_reference") == ["validate:2024-03-01", "check:2024-03-01"]
    both = pd.concat(
        [pd.read_parquet(months / f"{m}.parquet") for m in ("february", "march")],
        ignore_index=True,
    )
    expected = ak.count_profile(ak.Profile.load(january), both)
    merged = ak.Profile.load(rolling)
    assert {n: f.counts for n, f in merged.features.items()} == {
        n: f.counts for n, f in expected.features.items()
    }
    assert sum(merged.features["x"].counts) == 4000


def test_the_gates_share_one_base_and_one_set_of_defaults():
    """Options not given are CheckSettings' defaults on both; given ones are kept."""
    gx = GXValidationOperator(task_id="v", source="s", profile="p", threshold=0.3)
    kl = KLDriftCheckOperator(task_id="k", source="s", profile="p", threshold=0.3)
    assert isinstance(gx, DriftGateOperator) and isinstance(kl, DriftGateOperator)
    assert gx.check_options() == kl.check_options() == {**DEFAULTS, "threshold": 0.3}
    assert DEFAULTS["correction"] == "holm"
