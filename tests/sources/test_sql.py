import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.sql import DatabaseUnavailable, SqlSource
from tests.conftest import FLIGHT_FEATURES


@pytest.fixture(scope="module")
def months(flights):
    cols = [*FLIGHT_FEATURES, "month"]
    return flights.loc[flights.month.isin([1, 9]), cols].reset_index(drop=True)


@pytest.fixture(scope="module", params=["sqlite", "duckdb", "postgresql"])
def engine(request, months, tmp_path_factory):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite')}/db.sqlite"
    elif request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('duck')}/db.duckdb"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = sa.create_engine(url)
    months.to_sql("flights", eng, index=False, if_exists="replace", chunksize=10_000)
    yield eng
    eng.dispose()


def test_pushdown_counts_equal_in_memory_counts(engine, months):
    jan, sep = months[months.month == 1], months[months.month == 9]
    profile = ak.build_profile(jan, features=FLIGHT_FEATURES)
    source = SqlSource(engine, table="flights", where="month = :m", parameters={"m": 9})
    got = source.count(profile.features).totals()
    want = ak.count_bins(profile, sep)
    for name in FLIGHT_FEATURES:
        assert got[name].tolist() == want[name].tolist(), name
    via_api = ak.check_drift(profile, source)
    in_memory = ak.check_drift(profile, sep)
    assert via_api.to_dict() == in_memory.to_dict()


def test_profile_in_database_matches_numpy(engine, months):
    jan = months[months.month == 1]
    source = SqlSource(engine, query="SELECT * FROM flights WHERE month = 1")
    pushed = source.profile(["dep_delay", "carrier"], 10, 5, "quantile").features
    local = ak.build_profile(jan, features=["dep_delay", "carrier"], top_k=5).features
    assert pushed["dep_delay"].edges == pytest.approx(local["dep_delay"].edges, rel=1e-12)
    assert pushed["dep_delay"].counts == local["dep_delay"].counts
    assert pushed["carrier"].categories == local["carrier"].categories
    assert pushed["carrier"].counts == local["carrier"].counts


@pytest.mark.parametrize(
    "kwargs,error,match",
    [
        (dict(table="flights; DROP TABLE flights"), ak.SchemaError, "does not exist"),
        (dict(table='flights" --'), ak.SchemaError, "does not exist"),
    ],
)
def test_hostile_table_names_are_rejected_and_data_kept(engine, kwargs, error, match, months):
    profile = ak.build_profile(months, features=["dep_delay"])
    with pytest.raises(error, match=match):
        SqlSource(engine, **kwargs).count(profile.features).totals()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM flights")).scalar() == len(months)


def test_hostile_column_name_and_bound_filter_value(engine, months):
    evil = "dep_delay) FROM flights; DROP TABLE flights; --"
    profile = ak.build_profile(months.rename(columns={"dep_delay": evil}), features=[evil])
    with pytest.raises(ak.SchemaError, match="lacks column"):
        SqlSource(engine, table="flights").count(profile.features).totals()
    ok = ak.build_profile(months, features=["carrier"])
    source = SqlSource(
        engine,
        table="flights",
        where="carrier = :c",
        parameters={"c": "UA'; DROP TABLE flights; --"},
    )
    assert source.count(ok.features).totals()["carrier"].sum() == 0
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM flights")).scalar() == len(months)


def test_unreachable_database_is_retryable():
    eng = sa.create_engine("postgresql+psycopg2://nobody@127.0.0.1:1/none")
    profile = ak.build_profile(pd.DataFrame({"x": np.arange(10.0)}))
    with pytest.raises(DatabaseUnavailable, match="cannot connect"):
        SqlSource(eng, table="t").count(profile.features).totals()


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_nan_stored_as_nan_is_missing_like_null(dialect, request, tmp_path):
    """NaN is a value distinct from NULL in DuckDB and PostgreSQL (to_sql would
    have turned it into NULL): both must land in MISSING, as in pandas."""
    if dialect == "duckdb":
        url = f"duckdb:///{tmp_path}/nan.duckdb"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    nan = "'NaN'::DOUBLE" if dialect == "duckdb" else "'NaN'::float8"
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS nan_vs_null"))
        conn.execute(sa.text("CREATE TABLE nan_vs_null (x DOUBLE PRECISION)"))
        conn.execute(
            sa.text(
                "INSERT INTO nan_vs_null SELECT CAST(g AS DOUBLE PRECISION) "
                "FROM generate_series(1, 200) AS s(g)"
            )
        )
        conn.execute(sa.text(f"INSERT INTO nan_vs_null VALUES ({nan}), ({nan}), (NULL)"))
        stored_nan = conn.execute(
            sa.text(f"SELECT COUNT(*) FROM nan_vs_null WHERE x IS NOT NULL AND x <> x OR x = {nan}")
        ).scalar()
    assert stored_nan == 2  # really NaN, not NULL
    frame = pd.DataFrame({"x": [*np.arange(1.0, 201.0), np.nan, np.nan, None]})
    profile = ak.build_profile(frame, bins=4)
    counts = SqlSource(engine, table="nan_vs_null").count(profile.features).totals()["x"]
    assert counts.tolist() == list(profile.features["x"].counts)
    assert counts[-1] == 3


def test_a_checked_duckdb_file_is_not_left_locked(tmp_path):
    """A source named by URL holds no connection after the check: another
    process (the CLI, a second task) can open the same DuckDB file at once,
    where a pooled connection kept DuckDB's lock on it."""
    import subprocess
    import sys

    import duckdb

    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as db:
        db.execute("CREATE TABLE t AS SELECT i::DOUBLE AS x FROM range(1000) r(i)")
    source = ak.sql(f"duckdb:///{path}", table="t")
    report = ak.check_drift(ak.build_profile(source), source)
    assert report.features["x"].status == "ok"
    opened = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}).close()"],
        capture_output=True,
        text=True,
    )
    assert opened.returncode == 0, opened.stderr


def test_a_column_with_one_finite_value_profiles_by_order_statistics(tmp_path):
    """SQLite has no quantile aggregate: the edges come from order statistics,
    and a column holding one finite value (beside NULL and infinities) has one."""
    frame = pd.DataFrame({"x": [5.0, None, np.inf, None, -np.inf, None]})
    engine = sa.create_engine(f"sqlite:///{tmp_path}/one.sqlite")
    frame.to_sql("t", engine, index=False)
    pushed = ak.build_profile(SqlSource(engine, table="t"), features=["x"])
    local = ak.build_profile(frame, features=["x"])
    assert pushed.features["x"].edges == local.features["x"].edges == (5.0,)
    assert pushed.features["x"].counts == local.features["x"].counts == (1, 2, 3)
    engine.dispose()
