"""GXValidationOperator under a real Airflow metadata DB, run with dag.test()."""

from __future__ import annotations

import json
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.config import configured_store
from airflow_kl.provider.links import DriftReportLink
from airflow_kl.report.store import TaskInstanceRef

from .test_operators import pull, run_operator


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(11)
    ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(["a", "b"], 2000)})
    ak.build_profile(ref).save(tmp_path / "profile.json")
    ref.to_parquet(tmp_path / "same.parquet")
    ref.assign(x=ref.x + 1).to_parquet(tmp_path / "shifted.parquet")
    return tmp_path


def not_null_c(context):
    import great_expectations as gx

    return gx.ExpectationSuite(
        name="team", expectations=[gx.expectations.ExpectColumnValuesToNotBeNull(column="c")]
    )


def run_validation(dag_id, **op_kwargs):
    from airflow_kl.provider import GXValidationOperator

    return run_operator(dag_id, GXValidationOperator, "validate", **op_kwargs)


def test_passing_and_failing_validation(files, airflow_db):
    run, ti, result = run_validation(
        "gxv_pass",
        source=str(files / "same.parquet"),
        suite=not_null_c,
        profile=str(files / "profile.json"),
    )
    assert ti.state == "success" and result["success"] is True
    assert len(result["expectations"]) == 3
    run, ti, result = run_validation(
        "gxv_fail",
        source=str(files / "shifted.parquet"),
        suite=not_null_c,
        profile=str(files / "profile.json"),
    )
    assert ti.state == "failed" and ti.try_number == 1  # ValidationFailed is not retried
    failing = [e["kwargs"]["column"] for e in result["expectations"] if not e["success"]]
    assert failing == ["x"]  # the result was pushed before the failure
    drift = next(e for e in result["expectations"] if e["kwargs"]["column"] == "x")
    expected = ak.check_drift(
        ak.Profile.load(files / "profile.json"),
        str(files / "shifted.parquet"),
        correction="bonferroni",
    ).features["x"]
    assert drift["result"]["observed_value"] == pytest.approx(expected.kl, rel=1e-12)
    # the drift expectations' results are a report in the store, the task's "Drift report"
    stored = configured_store().get(TaskInstanceRef("gxv_fail", run.run_id, "validate"))
    assert stored.status == "drift" and stored.drifted_features == ["x"]
    assert set(stored.report.features) == {"x", "c"}
    assert stored.report.features["x"].kl == pytest.approx(expected.kl, rel=1e-12)
    assert "DRIFT in x" in stored.html
    page = f"/airflow-kl/reports/gxv_fail/{quote(run.run_id, safe='')}/validate"
    assert pull(run, "validate", DriftReportLink().xcom_key) == page


@pytest.mark.parametrize("on_failure,state", [("warn", "success"), ("skip", "skipped")])
def test_on_failure_policies(files, airflow_db, on_failure, state):
    run, ti, result = run_validation(
        f"gxv_{on_failure}",
        source=str(files / "shifted.parquet"),
        profile=str(files / "profile.json"),
        on_failure=on_failure,
    )
    assert ti.state == state and result["success"] is False


def test_suite_file_and_templated_options(files, airflow_db):
    import great_expectations as gx

    from airflow_kl.gx import build_suite

    gx.get_context(mode="ephemeral")
    suite = build_suite(ak.Profile.load(files / "profile.json"), threshold=5.0)
    (files / "suite.json").write_text(json.dumps(suite.to_json_dict()))
    run, ti, result = run_validation(
        "gxv_file", source=str(files / "shifted.parquet"), suite_path=str(files / "suite.json")
    )
    assert ti.state == "success" and result["success"] is True  # threshold 5 from the file
    run, ti, result = run_validation(
        "gxv_templated",
        source=str(files / "shifted.parquet"),
        profile=str(files / "profile.json"),
        threshold="{{ 5 }}",
        alpha="{{ 'none' }}",
    )
    assert ti.state == "success" and result["success"] is True


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(suite_path="{d}/not_a_suite.json"), "is not a GX expectation suite"),
        (dict(profile="{d}/corrupt.json"), "profile is not valid JSON"),
        (dict(profile="{d}/profile.json", suite=lambda ctx: "nope"), "must return a GX"),
        (dict(suite=lambda ctx: _missing_column_suite()), "lacks column"),
    ],
)
def test_bad_input_is_one_non_retryable_error(files, airflow_db, kwargs, message, caplog):
    (files / "not_a_suite.json").write_text(json.dumps({"foo": 1}))
    (files / "corrupt.json").write_text('{"format": "airflow-kl/profile", ')
    kwargs = {k: v.format(d=files) if isinstance(v, str) else v for k, v in kwargs.items()}
    name = f"gxv_bad_{abs(hash(message)) % 10_000}"
    run, ti, result = run_validation(name, source=str(files / "same.parquet"), **kwargs)
    assert ti.state == "failed" and ti.try_number == 1
    assert result is None  # nothing was validated, so nothing is claimed


def _missing_column_suite():
    import great_expectations as gx

    return gx.ExpectationSuite(
        name="m", expectations=[gx.expectations.ExpectColumnValuesToNotBeNull(column="nope")]
    )


def test_sql_source_through_an_airflow_connection(files, airflow_db, postgres_url, monkeypatch):
    frame = pd.read_parquet(files / "shifted.parquet").assign(day=[1, 2] * 1000)
    engine = sa.create_engine(postgres_url)
    frame.to_sql("gxv_flights", engine, index=False, if_exists="replace")
    monkeypatch.setenv("AIRFLOW_CONN_GXV_PG", postgres_url.replace("+psycopg2", ""))
    run, ti, result = run_validation(
        "gxv_sql",
        source={
            "conn_id": "gxv_pg",
            "table": "gxv_flights",
            "where": "day = :d",
            "parameters": {"d": 1},
        },
        profile=str(files / "profile.json"),
        on_failure="warn",
    )
    assert ti.state == "success" and result["success"] is False
    drift = next(e for e in result["expectations"] if e["kwargs"]["column"] == "x")
    half = frame[frame.day == 1]
    expected = ak.check_drift(
        ak.Profile.load(files / "profile.json"), half, correction="bonferroni"
    ).features["x"]
    assert drift["result"]["observed_value"] == pytest.approx(expected.kl, rel=1e-12)
    assert drift["result"]["details"]["n_current"] == 1000
