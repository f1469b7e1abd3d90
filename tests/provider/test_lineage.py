"""OpenLineage events of real dag.test() runs, captured by the provider's file
transport: the checked partition is an input dataset with one drift assertion
per feature and the rows it counted."""

from __future__ import annotations

import json

import attrs
import pytest
from openlineage.client.facet_v2 import data_quality_assertions_dataset as dq

import airflow_kl as ak
from airflow_kl.provider.lineage import named_assertions
from tests.conftest import FLIGHT_FEATURES

NAMED = named_assertions(dq)  # Assertion has name, expected, actual (openlineage-python >= 1.49)

RUNS = """
import sys
from datetime import UTC, datetime

from airflow.sdk import DAG

from airflow_kl.provider import GXValidationOperator, KLDriftCheckOperator
from tests.airflow_versions import reuse_in_process_api
from tests.provider.test_operators import run_dag

reuse_in_process_api()

profile, lake = sys.argv[1], sys.argv[2]
for month in (2, 9):
    partition = f"{lake}/flights/month={month:02d}"
    start = datetime(2013, 1, 1, tzinfo=UTC)
    with DAG(f"lineage_{month:02d}", schedule=None, start_date=start) as dag:
        KLDriftCheckOperator(task_id="check", profile=profile, source=partition, on_drift="warn")
        GXValidationOperator(
            task_id="validate", profile=profile, source=partition, on_failure="warn"
        )
    run_dag(dag, logical_date=datetime(2013, month, 1, tzinfo=UTC))
"""


@pytest.fixture(scope="module")
def events(s3_lake, airflow_db, tmp_path_factory):
    """Runs for February and September in a process that starts with the
    OpenLineage provider on (it decides at start), writing events to a file."""
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    folder = tmp_path_factory.mktemp("lineage")
    log = folder / "openlineage"
    profile = ak.build_profile(s3_lake / "flights" / "month=01", features=FLIGHT_FEATURES)
    profile.save(folder / "profile.json")
    transport = {"type": "file", "log_file_path": str(log), "append": True}
    env = {
        **os.environ,
        "AIRFLOW__OPENLINEAGE__TRANSPORT": json.dumps(transport),
        "AIRFLOW__OPENLINEAGE__DISABLED": "False",
        "PYTHONPATH": str(ROOT),
    }
    script = folder / "lineage_runs.py"  # a file: Airflow serialises a DAG with its source
    script.write_text(RUNS)
    done = subprocess.run(
        [sys.executable, str(script), str(folder / "profile.json"), str(s3_lake)],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = [json.loads(line) for line in log.read_text().splitlines()]

    def read(job_suffix: str) -> list[dict]:
        return [e for e in found if e["job"]["name"].endswith(job_suffix)]

    return read, profile


def completed(events, job_suffix):
    done = [e for e in events(job_suffix) if e["eventType"] in ("COMPLETE", "FAIL")]
    assert done, f"no COMPLETE/FAIL event of {job_suffix}"
    return done[-1]


@pytest.mark.parametrize("month,drifted", [(2, []), (9, ["arr_delay"])])
def test_check_reports_assertions_and_metrics(events, s3_lake, month, drifted):
    """One assertion per feature with the KL and verdict of an independent check
    (Holm for the check operator, Bonferroni for the GX suite, each's default)."""
    from airflow_kl.sources.files import read_table

    events, profile = events
    partition = s3_lake / "flights" / f"month={month:02d}"
    dag_id = f"lineage_{month:02d}"
    expected = ak.check_drift(profile, partition)
    assert expected.drifted_features == drifted

    for task, correction in (("check", "holm"), ("validate", "bonferroni")):
        event = completed(events, f"{dag_id}.{task}")
        (dataset,) = event["inputs"]
        assert (dataset["namespace"], dataset["name"]) == ("file", str(partition))
        assertions = dataset["facets"]["dataQualityAssertions"]["assertions"]
        by_column = {a["column"]: a for a in assertions}
        assert set(by_column) == set(FLIGHT_FEATURES)
        truth = ak.check_drift(profile, partition, correction=correction)
        for name, f in truth.features.items():
            a = by_column[name]
            assert a["success"] is (f.status == "ok"), name
            if "severity" in attrs.fields_dict(dq.Assertion):
                assert a["severity"] == "warn"
            if NAMED:
                assert a["assertion"] == "binned_kl_below_threshold"
                assert a["name"] == f"binned KL of {name}"
                assert float(a["actual"]) == pytest.approx(f.kl, rel=1e-12)
            else:  # an older client: the name stands in the assertion field
                assert a["assertion"] == f"binned KL of {name}"
        metrics = dataset["inputFacets"]["dataQualityMetrics"]
        assert metrics["rowCount"] == len(read_table(partition, ["dep_delay"]))
        dep = metrics["columnMetrics"]["dep_delay"]
        column = read_table(partition, ["dep_delay"]).column("dep_delay")
        assert dep["nullCount"] == column.null_count and dep["count"] == len(column)


def test_a_segmented_check_asserts_each_segment_and_feature():
    """One assertion per feature over all rows, and one per (segment, feature),
    each with its own verdict."""
    import numpy as np
    import pandas as pd

    from airflow_kl.provider.lineage import drift_facets

    rng = np.random.default_rng(2)
    ref = pd.DataFrame({"x": rng.normal(size=2000), "store": ["a", "b"] * 1000})
    profile = ak.build_profile(ref, segment_by="store")
    report = ak.check_drift(profile, ref.assign(x=np.where(ref.store == "b", ref.x + 1, ref.x)))
    dataset, _ = drift_facets(report, "error")
    found = {
        (a.name if NAMED else a.assertion): a.success
        for a in dataset["dataQualityAssertions"].assertions
    }
    assert found == {
        "binned KL of x": report.features["x"].status == "ok",
        "binned KL of store": True,
        "binned KL of x where store = a": True,
        "binned KL of x where store = b": False,
        "binned KL of x where store = OTHER": False,
    }


def test_a_check_with_pairs_asserts_each_pair_on_its_dependence_part():
    import numpy as np
    import pandas as pd

    from airflow_kl.provider.lineage import drift_facets

    rng = np.random.default_rng(3)

    def wings(rho):
        x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], 4000)
        return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})

    report = ak.check_drift(ak.build_profile(wings(0.6), pairs="a:b"), wings(-0.6))
    dataset, _ = drift_facets(report, "error")
    found = {
        (a.name if NAMED else a.assertion): a for a in dataset["dataQualityAssertions"].assertions
    }
    pair = found["dependence of a × b"]
    assert (pair.success, pair.column) == (False, "a,b")
    if NAMED:  # older clients (1.45 beside Airflow 3.1) have no name, expected or actual
        assert pair.actual == repr(report.pairs[("a", "b")].dependence)
    assert found["binned KL of a"].success and found["binned KL of b"].success
