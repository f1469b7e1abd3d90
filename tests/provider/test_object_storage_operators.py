"""The operators on a real S3-protocol server, with credentials from an
Airflow connection only (no ``AWS_*`` variables), under dag.test()."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

import airflow_kl as ak
from tests.conftest import FLIGHT_FEATURES

from .test_operators import pull, run_dag

SEP = datetime(2013, 9, 1, tzinfo=UTC)


@pytest.fixture
def lake_connection(s3_server, s3_lake, monkeypatch):
    """An ``aws`` connection to the server; the process has no AWS_* variables."""
    from s3fs import S3FileSystem

    for name in s3_server.env():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_LAKE_S3", json.dumps(s3_server.airflow_connection()))
    S3FileSystem.clear_instance_cache()
    yield "lake_s3"
    S3FileSystem.clear_instance_cache()


def read_object(s3_server, key: str) -> bytes:
    return s3_server.client().get_object(Bucket="lake", Key=key)["Body"].read()


def test_profile_check_and_validation_on_s3_through_a_connection(
    lake_connection, s3_server, s3_lake, airflow_db
):
    from airflow.sdk import DAG

    from airflow_kl.provider import (
        BuildReferenceProfileOperator,
        GXValidationOperator,
        KLDriftCheckOperator,
    )

    month = "s3://lake/flights/month={{ logical_date.strftime('%m') }}/"
    with DAG("s3_checks", schedule=None, start_date=SEP) as dag:
        seed = BuildReferenceProfileOperator(
            task_id="seed",
            source="s3://lake/flights/month=01/",
            profile_path="s3://lake/ops/profile.json",
            features=FLIGHT_FEATURES,
            conn_id=lake_connection,
        )
        check = KLDriftCheckOperator(
            task_id="check",
            profile="s3://lake/ops/profile.json",
            source=month,
            report_path="s3://lake/ops/report-{{ ds }}.json",
            on_drift="warn",
            conn_id=lake_connection,
        )
        validate = GXValidationOperator(
            task_id="validate",
            source=month,
            profile="s3://lake/ops/profile.json",
            on_failure="warn",
            conn_id=lake_connection,
        )
        seed >> [check, validate]
    run = run_dag(dag, logical_date=SEP)
    states = {ti.task_id: str(ti.state) for ti in run.get_task_instances()}
    assert states == {"seed": "success", "check": "success", "validate": "success"}

    local = ak.build_profile(s3_lake / "flights" / "month=01", features=FLIGHT_FEATURES)
    expected = ak.check_drift(local, s3_lake / "flights" / "month=09")
    stored = json.loads(read_object(s3_server, "ops/report-2013-09-01.json"))
    assert stored["features"] == expected.to_dict()["features"]
    assert stored["drifted_features"] == ["arr_delay"]
    assert b"DRIFT in arr_delay" in read_object(s3_server, "ops/report-2013-09-01.html")
    assert pull(run, "check")["source"] == "s3://lake/flights/month=09/"
    failed = [
        e["kwargs"]["column"] for e in pull(run, "validate")["expectations"] if not e["success"]
    ]
    assert failed == ["arr_delay"]


def test_a_connection_with_a_wrong_secret_fails_without_retry(
    lake_connection, s3_server, s3_lake, monkeypatch, airflow_db
):
    from datetime import timedelta

    from .test_operators import run_check

    profile = ak.build_profile(s3_lake / "flights" / "month=01", features=["dep_delay"])
    s3_server.client().put_object(Bucket="lake", Key="ops/bad-secret.json", Body=profile.to_json())

    bad = {
        "conn_type": "aws",
        "login": s3_server.key_id,
        "password": "not-the-secret",
        "extra": {"endpoint_url": s3_server.url, "region_name": "us-east-1"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_LAKE_S3_BAD", json.dumps(bad))
    _, ti, report = run_check(
        "s3_bad_secret",
        profile="s3://lake/ops/bad-secret.json",
        source="s3://lake/flights/month=09/",
        conn_id="lake_s3_bad",
        retries=2,
        retry_delay=timedelta(0),
    )
    assert str(ti.state) == "failed" and report is None
    assert ti.try_number == 1  # a refused credential is bad input, not worth a retry


def test_example_dag_runs_on_a_bucket_by_changing_one_setting(s3_server, tmp_path):
    """kl_drift_retrain with AIRFLOW_KL_DEMO_DIR=s3://lake/demo (and the connection
    that reaches it): partitions, profile, report and model all land in the bucket."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.conftest import ROOT

    airflow = str(Path(sys.executable).with_name("airflow"))
    connection = {
        "conn_type": "aws",
        "login": s3_server.key_id,
        "password": s3_server.secret,
        "extra": {"endpoint_url": s3_server.url, "region_name": "us-east-1"},
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "AWS_"))}
    env.update(
        AIRFLOW_HOME=str(tmp_path),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(ROOT / "dags"),
        AIRFLOW_CONN_LAKE_S3=json.dumps(connection),
        AIRFLOW_KL_DEMO_DIR="s3://lake/demo",  # the one setting
        AIRFLOW_KL_DEMO_CONN_ID="lake_s3",
    )
    for args in (["db", "migrate"], ["dags", "test", "kl_drift_retrain", "2013-09-01"]):
        done = subprocess.run([airflow, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "state=success" in done.stdout + done.stderr
    keys = {
        o["Key"]
        for o in s3_server.client().list_objects_v2(Bucket="lake", Prefix="demo/")["Contents"]
    }
    assert {
        "demo/flights/month=01/part-0.parquet",
        "demo/flights/month=09/part-0.parquet",
        "demo/reference/flights.json",
        "demo/reports/flights-2013-09-01.json",
        "demo/reports/flights-2013-09-01.html",
        "demo/models/arr_delay-2013-09-01.joblib",
    } <= keys
    report = json.loads(read_object(s3_server, "demo/reports/flights-2013-09-01.json"))
    assert report["drifted_features"] == ["arr_delay"]
    reference = ak.Profile.from_json(read_object(s3_server, "demo/reference/flights.json").decode())
    assert reference.features["arr_delay"].n == 27574  # refreshed to September after retraining
