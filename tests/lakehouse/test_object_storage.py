"""A Delta table in object storage, against the local S3 server: delta-rs reads
the same AWS variables as the other object-storage paths, a bucket folder
holding a _delta_log is read as the table (never as loose Parquet), and a
wrong secret is one clear error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import deltalake
import pytest

import airflow_kl as ak
from airflow_kl.sources.delta import default_storage_options
from tests.conftest import FLIGHT_FEATURES

from .conftest import month_table


@pytest.fixture(scope="module")
def s3_table(s3_server, flights):
    """August, then September, as two commits of ``s3://lake/delta/flights``; then
    August's rows deleted, so the bucket still holds a file the table removed."""
    uri = "s3://lake/delta/flights"
    options = {
        "AWS_ENDPOINT_URL": s3_server.url,
        "AWS_ACCESS_KEY_ID": s3_server.key_id,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret,
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
        "conditional_put": "etag",
    }
    for month in (8, 9):
        deltalake.write_deltalake(
            uri,
            month_table(flights, month),
            mode="append",
            partition_by=["month"],
            storage_options=options,
        )
    deltalake.DeltaTable(uri, storage_options=options).delete("month = 8")
    return uri


@pytest.fixture(scope="module")
def profile(flights):
    return ak.build_profile(flights[flights.month == 1], features=FLIGHT_FEATURES)


def counts(report) -> dict:
    return {n: [b.current_count for b in f.bins] for n, f in report.features.items()}


def test_a_bucket_folder_with_a_delta_log_is_the_table(s3_table, aws_env, profile, flights):
    september = ak.check_drift(profile, flights[flights.month == 9])
    whole = ak.check_drift(profile, s3_table + "/")  # August's file is still in the bucket
    assert whole.data_version["format"] == "delta"
    assert counts(whole) == counts(september)
    appended = ak.check_drift(profile, ak.delta(s3_table, since=0, version=1))
    assert counts(appended) == counts(september)
    assert appended.data_version["appended"] == [1]


def test_since_from_the_command_line_on_s3(s3_table, aws_env, profile, flights, tmp_path):
    profile.save(tmp_path / "january.json")
    done = subprocess.run(
        [
            str(Path(sys.executable).with_name("airflow-kl")),
            "check",
            str(tmp_path / "january.json"),
            s3_table,
            "--since",
            "0",
            "--table-version",
            "1",
            "--json",
            str(tmp_path / "r.json"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    report = ak.DriftReport.from_dict(json.loads((tmp_path / "r.json").read_text()))
    assert counts(report) == counts(ak.check_drift(profile, flights[flights.month == 9]))


def test_a_wrong_secret_is_one_clear_error(s3_table, s3_server, monkeypatch, profile):
    for name, value in s3_server.env(AWS_SECRET_ACCESS_KEY="wrong").items():
        monkeypatch.setenv(name, value)
    assert default_storage_options(s3_table)["AWS_ALLOW_HTTP"] == "true"
    with pytest.raises(ak.SourceError, match=r"cannot open Delta table 's3://lake/delta/flights'"):
        ak.check_drift(profile, ak.delta(s3_table))


def test_the_operator_reads_the_table_with_a_connections_credentials(
    s3_table, s3_server, monkeypatch, profile, flights, tmp_path, airflow_db
):
    """No AWS_* variables: the operator's conn_id (an ``aws`` connection) gives
    delta-rs its keys, region and endpoint, as it gives fsspec's."""
    from airflow_kl.provider.operators import KLDriftCheckOperator
    from tests.provider.test_operators import run_operator

    for name in s3_server.env():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AIRFLOW_CONN_LAKE_DELTA", json.dumps(s3_server.airflow_connection()))
    profile.save(tmp_path / "january.json")
    september = counts(ak.check_drift(profile, flights[flights.month == 9]))
    for source in (s3_table + "/", {"delta": s3_table, "since": 0, "version": 1}):
        _, ti, result = run_operator(
            "lakehouse_s3_connection",
            KLDriftCheckOperator,
            "check",
            profile=str(tmp_path / "january.json"),
            source=source,
            conn_id="lake_delta",
            on_drift="warn",
        )
        assert str(ti.state) == "success"
        report = ak.DriftReport.from_dict(result)
        assert counts(report) == september
        assert report.data_version["format"] == "delta"
