"""Operator behaviour under a real Airflow metadata DB, run with dag.test()."""

import json
import os
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak

DAY = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "c": rng.choice(["a", "b"], 3000)})
    ak.build_profile(ref).save(tmp_path / "profile.json")
    (tmp_path / "part=2024-03-01").mkdir()
    ref.assign(x=ref.x + 1).to_parquet(tmp_path / "part=2024-03-01" / "d.parquet")
    ref.to_parquet(tmp_path / "same.parquet")
    ref.head(20).to_parquet(tmp_path / "tiny.parquet")
    return tmp_path


def run_dag(dag, logical_date=DAY):
    """dag.test() for a DAG defined in a test: register it in the metadata DB first
    (dag.test() only finds DAGs that a bundle's parse has serialised)."""
    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.collection import update_dag_parsing_results_in_db
    from airflow.serialization.serialized_objects import LazyDeserializedDAG
    from airflow.utils.session import create_session

    DagBundlesManager().sync_bundles_to_db()
    with create_session() as session:
        update_dag_parsing_results_in_db(
            "dags-folder",
            None,
            [LazyDeserializedDAG.from_dag(dag)],
            {},
            None,
            set(),
            session=session,
        )
    return dag.test(logical_date=logical_date)


def run_operator(dag_id, operator, task_id, **op_kwargs):
    """One operator in its own DAG under dag.test(): (run, task instance, its XCom)."""
    from airflow.sdk import DAG

    with DAG(dag_id, schedule=None, start_date=DAY) as dag:
        operator(task_id=task_id, **op_kwargs)
    run = run_dag(dag)
    ti = run.get_task_instances()[0]
    return run, ti, pull(run, task_id)


def run_check(dag_id, **op_kwargs):
    from airflow_kl.provider import KLDriftCheckOperator

    return run_operator(dag_id, KLDriftCheckOperator, "check", **op_kwargs)


def pull(run, task_id, key="return_value"):
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        row = (
            session.query(XComModel)
            .filter_by(dag_id=run.dag_id, run_id=run.run_id, task_id=task_id, key=key)
            .one_or_none()
        )
        return None if row is None else XComModel.deserialize_value(row)


@pytest.mark.parametrize(
    "on_drift,state", [("fail", "failed"), ("warn", "success"), ("skip", "skipped")]
)
def test_on_drift(files, airflow_db, on_drift, state):
    run, ti, report = run_check(
        f"drift_{on_drift}",
        profile=str(files / "profile.json"),
        source=str(files / "part={{ ds }}"),
        on_drift=on_drift,
    )
    assert str(ti.state) == state
    # the report reached XCom even when the task then failed or skipped
    assert report["drifted"] is True and report["drifted_features"] == ["x"]
    assert report["source"].endswith("part=2024-03-01")  # templated from ds
    assert report["features"]["x"]["kl"] > 0.1


@pytest.mark.parametrize(
    "policy,state", [("fail", "failed"), ("skip", "skipped"), ("warn", "success")]
)
def test_on_insufficient_data(files, airflow_db, policy, state):
    _, ti, report = run_check(
        f"insufficient_{policy}",
        profile=str(files / "profile.json"),
        source=str(files / "tiny.parquet"),
        on_insufficient_data=policy,
    )
    assert str(ti.state) == state
    assert {f["status"] for f in report["features"].values()} == {"insufficient_data"}


def test_no_drift_succeeds_and_rerun_is_identical(files, airflow_db):
    kwargs = dict(
        profile=str(files / "profile.json"),
        source=str(files / "same.parquet"),
        report_path=str(files / "report-{{ ds }}.json"),
    )
    _, ti, first = run_check("rerun_a", **kwargs)
    assert str(ti.state) == "success" and first["drifted"] is False
    written = (files / "report-2024-03-01.json").read_text()
    _, _, second = run_check("rerun_b", **kwargs)
    assert second == first
    assert (files / "report-2024-03-01.json").read_text() == written
    assert sorted(p.name for p in files.iterdir() if p.name.startswith(".")) == []


def test_bad_options_fail_without_retry(files, airflow_db):
    _, ti, report = run_check(
        "bad_alpha",
        profile=str(files / "profile.json"),
        source=str(files / "same.parquet"),
        alpha=5,
        retries=2,
        retry_delay=timedelta(0),  # a retryable error would be tried again at once
    )
    assert str(ti.state) == "failed" and report is None
    assert ti.try_number == 1  # InvalidDriftInput is an AirflowFailException: never retried


def test_build_profile_operator_rerun_writes_nothing(files, airflow_db):
    from airflow.sdk import DAG

    from airflow_kl.provider import BuildReferenceProfileOperator

    target = files / "built.json"
    with DAG("build_twice", schedule=None, start_date=DAY) as dag:
        BuildReferenceProfileOperator(
            task_id="build", source=str(files / "same.parquet"), profile_path=str(target)
        )
    run_dag(dag)
    first = target.read_text()
    mtime = os.stat(target).st_mtime_ns
    run = run_dag(dag)
    assert target.read_text() == first and os.stat(target).st_mtime_ns == mtime
    assert pull(run, "build")["checksum"] == json.loads(first)["checksum"]


def test_unreachable_database_is_retryable(files):
    from airflow_kl.provider import KLDriftCheckOperator
    from airflow_kl.provider.exceptions import InvalidDriftInput
    from airflow_kl.sources.sql import DatabaseUnavailable

    os.environ["AIRFLOW_CONN_DOWN_PG"] = "postgresql://nobody:s3cret@127.0.0.1:1/db"
    op = KLDriftCheckOperator(
        task_id="t",
        profile=str(files / "profile.json"),
        source={"conn_id": "down_pg", "table": "t"},
    )
    with pytest.raises(DatabaseUnavailable) as info:
        op.execute(context={})
    assert not isinstance(info.value, InvalidDriftInput)
    assert "s3cret" not in str(info.value)


def test_branch_helper_on_a_real_report(files):
    from airflow_kl.provider import drift_branch

    profile = ak.Profile.load(files / "profile.json")
    report = ak.check_drift(profile, files / "part=2024-03-01").to_dict()
    assert drift_branch(report, drift=["retrain"], ok="skip") == ["retrain"]
    same = ak.check_drift(profile, files / "same.parquet").to_dict()
    assert drift_branch(same, drift="retrain", ok="skip") == "skip"


def test_without_a_store_the_link_is_the_html_file(files, airflow_db, monkeypatch):
    from airflow_kl.provider.links import HTML_XCOM_KEY

    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE", "none")
    run, ti, _ = run_check(
        "html_no_store",
        profile=str(files / "profile.json"),
        source=str(files / "part={{ ds }}"),
        on_drift="warn",
        html_path=str(files / "no-store-{{ ds }}.html"),
    )
    assert str(ti.state) == "success"
    assert pull(run, "check", HTML_XCOM_KEY) == (files / "no-store-2024-03-01.html").as_uri()


def test_a_store_set_twice_is_refused_before_anything_is_written(files, airflow_db, monkeypatch):
    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE", "sqlite:///unused.db")
    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE_CONN_ID", "kl_store")
    run, ti, _ = run_check(
        "store_twice",
        profile=str(files / "profile.json"),
        source=str(files / "part={{ ds }}"),
        on_drift="warn",
    )
    assert str(ti.state) == "failed" and ti.try_number == 1  # not retried
    assert pull(run, "check") is None  # refused before the report was pushed


def test_html_report_link_and_history_without_duplicates(files, airflow_db):
    import sqlalchemy as sa

    from airflow_kl.config import configured_store
    from airflow_kl.provider.links import HTML_XCOM_KEY, DriftReportLink
    from airflow_kl.provider.operators import KLDriftCheckOperator
    from airflow_kl.report.store import TaskInstanceRef

    kwargs = dict(
        profile=str(files / "profile.json"),
        source=str(files / "part={{ ds }}"),
        on_drift="warn",
        report_path=str(files / "report-{{ ds }}.json"),
        history_db=str(files / "history.db"),
    )
    run, ti, report = run_check("html_history", **kwargs)
    assert str(ti.state) == "success"
    html = files / "report-2024-03-01.html"
    assert "DRIFT in x" in html.read_text()
    # the link is the plugin's page ([api] base_url is unset here: a path on the server)
    page = f"/airflow-kl/reports/html_history/{quote(run.run_id, safe='')}/check"
    assert pull(run, "check", HTML_XCOM_KEY) == page
    assert pull(run, "check", DriftReportLink().xcom_key) == page  # what the UI shows
    stored = configured_store().get(TaskInstanceRef("html_history", run.run_id, "check"))
    assert stored.html == html.read_text() and stored.status == "drift"
    assert stored.partition_key == "2024-03-01" and stored.drifted_features == ["x"]
    assert any(
        isinstance(link, DriftReportLink) for link in KLDriftCheckOperator.operator_extra_links
    )
    run_check("html_history", **kwargs)  # the same task and partition again
    engine = sa.create_engine(f"sqlite:///{files / 'history.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT dag_id, task_id, partition_key, feature, status FROM airflow_kl_history "
                "ORDER BY feature"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        ("html_history", "check", "2024-03-01", "c", "ok"),
        ("html_history", "check", "2024-03-01", "x", "drift"),
    ]


def test_mapped_checks_store_a_report_per_map_index(files, airflow_db):
    from airflow.models.xcom import XComModel
    from airflow.sdk import DAG
    from airflow.utils.session import create_session

    from airflow_kl.config import configured_store
    from airflow_kl.provider import KLDriftCheckOperator
    from airflow_kl.provider.links import HTML_XCOM_KEY
    from airflow_kl.report.store import TaskInstanceRef

    with DAG("mapped_checks", schedule=None, start_date=DAY) as dag:
        KLDriftCheckOperator.partial(
            task_id="check", profile=str(files / "profile.json"), on_drift="warn"
        ).expand(source=[str(files / "same.parquet"), str(files / "part={{ ds }}")])
    run = run_dag(dag)
    store = configured_store()
    for index, status in enumerate(["ok", "drift"]):
        stored = store.get(TaskInstanceRef("mapped_checks", run.run_id, "check", index))
        assert stored.status == status
        with create_session() as session:
            row = (
                session.query(XComModel)
                .filter_by(run_id=run.run_id, task_id="check", key=HTML_XCOM_KEY, map_index=index)
                .one()
            )
        assert XComModel.deserialize_value(row).endswith(f"/check?map_index={index}")


def test_an_unreachable_store_is_retried(files, airflow_db, monkeypatch):
    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE", "postgresql://nobody:s3cret@127.0.0.1:1/db")
    _, ti, report = run_check(
        "store_down",
        profile=str(files / "profile.json"),
        source=str(files / "same.parquet"),
        retries=1,
        retry_delay=timedelta(0),
    )
    assert str(ti.state) == "failed" and report is None
    assert ti.try_number == 2  # a database that cannot be reached is worth another try


def test_a_store_set_twice_names_both_without_the_password(monkeypatch):
    from airflow_kl.config import store_setting

    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE", "postgresql://kl:s3cret@db/kl")
    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE_CONN_ID", "kl_store")
    with pytest.raises(ak.ConfigError, match="keep one") as info:
        store_setting()
    assert "kl_store" in str(info.value) and "db/kl" in str(info.value)
    assert "s3cret" not in str(info.value)
