"""Every engine x every kind of partition column: one grouped pass gives each
partition the counts pandas gives its rows alone, under a label computed
here independently (Python's own dates, not the package's), or every engine
refuses the column with the same kind of error."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.core.binning import MISSING
from airflow_kl.core.errors import SchemaError
from airflow_kl.core.profile_forms import profile_subset
from airflow_kl.sources.spark import SparkSource

from .engines import BUILDERS, DATETIMES, accepted

BY_VALUE = ["str", "cat", "int", "bigint", "bool", "nbool"]
EVERY = ["day", "week", "month"]
FRACTIONAL = ["float", "dec"]  # numbers that are not whole: no partition is named so


def utc_date(value) -> dt.date | None:
    """The UTC date of a date, a naive (UTC) or a zoned timestamp."""
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_convert("UTC") if value.tzinfo else value
        return stamp.date()
    return value


def expected_label(value, kind: str, every: str | None) -> str:
    if kind in DATETIMES:
        date = utc_date(value)
        if date is None:
            return MISSING
        if every == "month":
            return f"{date.year}-{date.month:02d}"
        if every == "week":
            iso = date.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        return date.isoformat()
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return MISSING
    if kind in ("int", "bigint"):
        return str(int(value))
    return str(value)


def expected(frame: pd.DataFrame, profile, kind: str, every: str | None):
    labels = pd.Series([expected_label(v, kind, every) for v in frame[kind]], index=frame.index)
    return {
        label: {n: c.tolist() for n, c in ak.count_bins(profile, frame[labels == label]).items()}
        for label in labels.unique()
    }


CASES = [(e, k, None) for e in BUILDERS for k in BY_VALUE if k in accepted(e)] + [
    (e, k, every)
    for e in BUILDERS
    for k in sorted(DATETIMES)
    if k in accepted(e)
    for every in EVERY
]


@pytest.fixture(scope="module")
def pandas_profile(frame):
    return ak.build_profile(frame, features=["int", "float", "str", "date", "bool"])


@pytest.mark.parametrize(("engine", "kind", "every"), CASES)
def test_each_partition_counts_as_its_rows_alone(
    engine, kind, every, stores, frame, pandas_profile
):
    features = [n for n in pandas_profile.features if n in accepted(engine)]
    profile = profile_subset(pandas_profile, features)
    found = ak.count_partition_bins(profile.features, stores[engine], kind, every=every)
    got = {label: {n: c.tolist() for n, c in groups[0].items()} for label, groups in found.items()}
    want = expected(frame, profile, kind, every)
    assert sorted(got) == sorted(want)
    assert got == want
    if kind in ("int", "bigint"):  # in the order of the numbers, not of their text
        assert list(got) == [str(v) for v in sorted(int(x) for x in frame[kind].unique())]


@pytest.mark.parametrize(
    ("engine", "kind"), [(e, k) for e in BUILDERS for k in FRACTIONAL if k in accepted(e)]
)
def test_numbers_that_are_not_whole_name_no_partition(engine, kind, stores, pandas_profile):
    features = [n for n in pandas_profile.features if n in accepted(engine)]
    profile = profile_subset(pandas_profile, features)
    with pytest.raises(SchemaError, match=f"partition column '{kind}' holds .*not a whole number"):
        ak.count_partition_bins(profile.features, stores[engine], kind)


@pytest.mark.parametrize(
    ("kind", "every"), [("str", None), ("bigint", None), ("nbool", None), ("tstz", "week")]
)
def test_spark_aggregates_group_the_same_partitions(kind, every, stores, frame, pandas_profile):
    """Without Python on the executors, the tallies grouped by partition agree too."""
    source = SparkSource(stores["spark"], kernel="aggregates")
    found = ak.count_partition_bins(pandas_profile.features, source, kind, every=every)
    got = {label: {n: c.tolist() for n, c in groups[0].items()} for label, groups in found.items()}
    assert got == expected(frame, pandas_profile, kind, every)
    with pytest.raises(SchemaError, match="partition column 'float' holds"):
        ak.count_partition_bins(pandas_profile.features, source, "float")


HIVE_MONTHS = ["01", "02", "10"]  # as hive folder names spell them: month=01


@pytest.fixture(scope="module")
def month_sources(tmp_path_factory, postgres_url, spark):
    """The same rows partitioned by a month spelled ``01``: as hive folders
    (Arrow and Spark infer integers), and as text in tables (DuckDB reading
    the folders without casting, SQLite, PostgreSQL) and in a frame."""
    d = tmp_path_factory.mktemp("months")
    rows = pd.DataFrame(
        {"x": (np.arange(90) % 7).astype(float), "month": np.repeat(HIVE_MONTHS, 30)}
    )
    rows = rows.iloc[: 30 + 30 + 17]  # months of 30, 30 and 17 rows
    for month in HIVE_MONTHS:
        (d / "hive" / f"month={month}").mkdir(parents=True)
        part = rows[rows.month == month][["x"]]
        part.to_parquet(d / "hive" / f"month={month}" / "part-0.parquet", index=False)
    duck = sa.create_engine(f"duckdb:///{d}/months.duckdb")
    with duck.begin() as conn:
        conn.exec_driver_sql(
            f"CREATE TABLE months AS SELECT * FROM read_parquet('{d}/hive/*/*.parquet', "
            "hive_partitioning = true, hive_types_autocast = false)"
        )
    sqlite = sa.create_engine(f"sqlite:///{d}/months.db")
    postgres = sa.create_engine(postgres_url)
    for engine in (sqlite, postgres):
        rows.to_sql("months", engine, index=False, if_exists="replace")
    return rows, {
        "pandas": rows,
        "files": str(d / "hive"),
        "spark": spark.read.parquet(str(d / "hive")),
        "duckdb": ak.sql(duck, table="months"),
        "sqlite": ak.sql(sqlite, table="months"),
        "postgresql": ak.sql(postgres, table="months"),
    }


def test_a_month_spelled_01_has_one_label_on_every_engine(month_sources):
    """One label rule: digits alone are labelled as the number (1, 2, 10, in
    that order) whether the engine read them as integers or as text."""
    rows, sources = month_sources
    profile = ak.build_profile(rows[["x"]], bins=3)
    want = {
        str(int(m)): ak.count_bins(profile, rows[rows.month == m][["x"]])["x"].tolist()
        for m in HIVE_MONTHS
    }
    assert list(want) == ["1", "2", "10"]
    for name, source in sources.items():
        found = ak.count_partition_bins(profile.features, source, "month")
        got = {label: groups[0]["x"].tolist() for label, groups in found.items()}
        assert list(got) == ["1", "2", "10"], name
        assert got == want, name
    timeline = ak.backtest(profile, sources["duckdb"], "month")
    assert timeline.partitions == ["1", "2", "10"]
