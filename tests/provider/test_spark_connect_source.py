"""A partition on a Spark Connect server, named by an Airflow connection:
the check runs there (this worker needs no JVM) and gives the in-memory numbers."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak


@pytest.fixture
def remote_connection(spark_connect, monkeypatch):
    host, port = spark_connect.removeprefix("sc://").rsplit(":", 1)
    conn = {"conn_type": "spark_connect", "host": host, "port": int(port)}
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_REMOTE", json.dumps(conn))
    return "spark_remote"


RUN = """
import json, sys
from airflow_kl.provider import KLDriftCheckOperator
from tests.provider.test_operators import run_operator

profile, query = sys.argv[1], sys.argv[2]
source = {"spark_conn_id": "spark_remote", "sql": query}
_, ti, report = run_operator(
    "spark_connect_check", KLDriftCheckOperator, "check",
    profile=profile, source=source, on_drift="warn",
)
print(json.dumps({"state": str(ti.state), "report": report}))
"""


def test_check_operator_counts_on_the_server(remote_connection, tmp_path, airflow_db):
    """Under dag.test() in a worker process of its own (pyspark allows one kind of
    session per process; this one holds the classic session of other tests)."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    rng = np.random.default_rng(17)
    ref = pd.DataFrame({"x": rng.normal(size=4000), "c": rng.choice(list("abcd"), 4000)})
    cur = ref.assign(x=ref.x + 0.5)
    cur.to_parquet(tmp_path / "cur.parquet")  # a path the server reads
    profile = ak.build_profile(ref)
    profile.save(tmp_path / "profile.json")
    script = tmp_path / "run_check.py"  # a file: Airflow serialises a DAG with its source
    script.write_text(RUN)
    query = f"SELECT * FROM parquet.`{tmp_path}/cur.parquet`"
    done = subprocess.run(
        [sys.executable, str(script), str(tmp_path / "profile.json"), query],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["state"] == "success"
    report = result["report"]
    expected = ak.check_drift(profile, cur)
    assert report["source"] == "spark:spark_remote/query"
    assert report["drifted_features"] == expected.drifted_features == ["x"]
    for name, f in expected.features.items():
        assert report["features"][name]["kl"] == pytest.approx(f.kl, rel=1e-12)
        assert report["features"][name]["n_current"] == f.n_current


@pytest.mark.parametrize(
    "source,message",
    [
        ({"spark_conn_id": "spark_remote"}, "one of table or sql"),
        ({"spark_conn_id": "spark_remote", "table": "t", "where": "x > 1"}, "'where'"),
    ],
)
def test_bad_spark_connect_sources_are_refused(remote_connection, source, message):
    from airflow_kl.provider.source_args import resolve_source

    with pytest.raises(ak.ConfigError, match=message):
        resolve_source(source)


def test_connection_url_carries_token_and_ssl(monkeypatch):
    from airflow_kl.provider.source_args import spark_connect_url

    conn = {
        "conn_type": "spark_connect",
        "host": "sc://spark.internal",
        "port": 443,
        "extra": {"token": "t0k", "use_ssl": "true"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_SPARK_TLS", json.dumps(conn))
    assert spark_connect_url("spark_tls") == "sc://spark.internal:443/;token=t0k;use_ssl=true"
