"""KLDriftCheckOperator on Delta and Iceberg tables under dag.test(): since a
version, and ``since: "last"`` run on consecutive days, which judges each new
commit once (a failed check does not move the start on)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import airflow_kl as ak
from tests.conftest import FLIGHT_FEATURES
from tests.provider.test_operators import pull, run_dag, run_operator

from .conftest import month_table, write_delta, write_iceberg
from .test_appended import FORMATS, assert_same_report, since_august

DAY = datetime(2013, 10, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def january_profile(monthly, tmp_path_factory):
    path = tmp_path_factory.mktemp("operator") / "january.json"
    ak.build_profile(monthly["january"], features=FLIGHT_FEATURES).save(path)
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_operator_judges_september_alone(fmt, monthly, january_profile, airflow_db):
    from airflow_kl.provider.operators import KLDriftCheckOperator

    since = since_august(monthly, fmt)
    run, ti, result = run_operator(
        f"lakehouse_since_{fmt}",
        KLDriftCheckOperator,
        "check",
        profile=str(january_profile),
        source={fmt: monthly[fmt], "since": since},
        on_drift="warn",
    )
    assert str(ti.state) == "success"
    expected = ak.check_drift(ak.Profile.load(january_profile), monthly["september"]).to_dict()
    assert_same_report(result, expected)
    assert result["data_version"]["appended"] == [monthly["versions"][fmt][8]]
    assert result["source"] == f"{fmt}:{monthly[fmt]} since {since}"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_daily_check_judges_each_commit_once(
    fmt, flights, january_profile, iceberg_catalog, airflow_db, tmp_path, monkeypatch
):
    from airflow.sdk import DAG

    from airflow_kl.provider.operators import KLDriftCheckOperator

    monkeypatch.setenv("AIRFLOW__AIRFLOW_KL__STORE", str(tmp_path / "store.db"))
    months = {m: month_table(flights, m) for m in (1, 2, 3, 4)}
    if fmt == "delta":
        table = str(tmp_path / "daily")
        write_delta(table, [months[1], months[2]])

        def commit(month):
            write_delta(table, [months[month]])
    else:
        table = f"iceberg://lake/daily.flights_{tmp_path.name[-8:]}"
        name = table.removeprefix("iceberg://lake/")
        write_iceberg(iceberg_catalog, name, [months[1], months[2]])

        def commit(month):
            iceberg_catalog.load_table(name).append(months[month])

    with DAG(f"lakehouse_daily_{fmt}", schedule=None, start_date=DAY) as dag:
        KLDriftCheckOperator(
            task_id="check",
            profile=str(january_profile),
            source={fmt: table, "since": "last"},
            on_drift="warn",
            on_insufficient_data="warn",
        )

    def day(n):
        run = run_dag(dag, logical_date=DAY + timedelta(days=n))
        return run, pull(run, "check")

    def rows(*ms):
        return sum(months[m].num_rows for m in ms)

    run, first = day(0)  # nothing stored yet: the whole table
    assert "since" not in first["data_version"]
    assert first["features"]["carrier"]["n_current"] == rows(1, 2)
    commit(3)
    _, second = day(1)
    assert second["features"]["carrier"]["n_current"] == rows(3)
    assert len(second["data_version"]["appended"]) == 1
    _, third = day(2)  # no commit since: nothing to judge
    assert third["features"]["carrier"]["n_current"] == 0
    assert third["data_version"]["appended"] == []
    commit(4)
    january_profile.rename(january_profile.with_suffix(".moved"))
    try:
        failed, _ = day(3)  # the profile is missing: the check fails, nothing is stored
    finally:
        january_profile.with_suffix(".moved").rename(january_profile)
    assert str(failed.get_task_instances()[0].state) == "failed"
    _, fifth = day(4)  # April, judged by the next check that completes
    assert fifth["features"]["carrier"]["n_current"] == rows(4)
    assert fifth["data_version"]["since"] == third["data_version"].get(
        "version", third["data_version"].get("snapshot")
    )
