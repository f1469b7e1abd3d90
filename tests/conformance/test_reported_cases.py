"""The ten cross-engine disagreements reported against 0.1, each pinned."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.gx import build_suite, validate
from airflow_kl.sources.frame import epoch_ns
from airflow_kl.sources.sql import SqlSource


@pytest.fixture(params=["sqlite", "duckdb", "postgresql"])
def sql_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/t.db"
    if request.param == "duckdb":
        return f"duckdb:///{tmp_path}/t.duckdb"
    url = request.getfixturevalue("postgres_url")
    with sa.create_engine(url).begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS t"))
    return url


def table(url: str, frame: pd.DataFrame, dtype=None) -> SqlSource:
    engine = sa.create_engine(url)
    frame.to_sql("t", engine, index=False, if_exists="replace", dtype=dtype)
    return SqlSource(engine, table="t")


def assert_same_counts(profile, data):
    counts = ak.count_bins(profile, data)
    for name, fp in profile.features.items():
        assert counts[name].tolist() == list(fp.counts), name


BOOLS = pd.DataFrame({"b": [True, False, True, True] * 50})


def test_1_booleans_are_true_false_in_every_sql_engine(sql_url):
    source = table(sql_url, BOOLS)
    profile = ak.build_profile(BOOLS)
    report = ak.check_drift(profile, source)
    assert report.features["b"].kl == 0.0 and not report.drifted
    in_db = ak.build_profile(source).features["b"]
    assert (in_db.value, in_db.categories, in_db.counts) == (
        "boolean",
        ("True", "False"),
        (150, 50, 0, 0),
    )


def test_1_booleans_are_true_false_in_spark(spark):
    frame = spark.createDataFrame([(bool(v),) for v in BOOLS.b], "b boolean")
    profile = ak.build_profile(BOOLS)
    assert ak.check_drift(profile, frame).features["b"].kl == 0.0
    assert ak.build_profile(frame).features["b"].categories == ("True", "False")


def test_2_a_csv_checked_against_itself_never_drifts(tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(
        "flag,x\n" + "".join(f"{'true' if i % 3 else 'false'},{i}\n" for i in range(300))
    )
    assert main(["profile", str(path), "-o", str(tmp_path / "p.json")]) == 0
    assert main(["check", str(tmp_path / "p.json"), str(path)]) == 0
    profile = ak.Profile.load(tmp_path / "p.json")
    assert profile.features["flag"].categories == ("True", "False")
    assert "0.0000" in capsys.readouterr().out


def test_3_duckdb_quantiles_and_casts_are_64_bit(tmp_path):
    values = np.array([0.1, 0.2, 0.3, 1e8 + 1, 1e8 + 3, 1e300, 5e299] * 30)
    frame = pd.DataFrame({"x": values})
    source = table(f"duckdb:///{tmp_path}/t.duckdb", frame)
    pushed = ak.build_profile(source).features["x"]
    local = ak.build_profile(frame)
    assert pushed.edges == local.features["x"].edges  # numpy's linear quantiles, exactly
    assert 0.1 in pushed.edges and 1e8 + 1 in pushed.edges
    assert_same_counts(local, source)


STAMPS = pd.DataFrame(
    {
        "t": pd.to_datetime(
            ["2013-01-01 05:00", "2013-06-01 12:30:00.25", None] * 60, format="ISO8601"
        )
    }
)


def test_4_sqlite_dates_are_refused_not_counted_as_text(tmp_path):
    source = table(f"sqlite:///{tmp_path}/t.db", STAMPS)
    profile = ak.build_profile(STAMPS, features=["t"])
    with pytest.raises(ak.SchemaError, match="'t' has the SQLite type .*no date type.*datetime"):
        ak.count_bins(profile, source)
    with pytest.raises(ak.SchemaError, match="'t' has the SQLite type"):
        ak.build_profile(source, features=["t"])


@pytest.mark.parametrize("dialect", ["duckdb", "postgresql"])
def test_4_duckdb_and_postgresql_count_timestamps_as_epoch_ns(dialect, request, tmp_path):
    if dialect == "duckdb":
        url = f"duckdb:///{tmp_path}/t.duckdb"
    else:
        url = request.getfixturevalue("postgres_url")
    source = table(url, STAMPS)
    profile = ak.build_profile(STAMPS, features=["t"])
    assert_same_counts(profile, source)
    assert (
        ak.build_profile(source, features=["t"]).features["t"].edges == profile.features["t"].edges
    )


def test_5_mixed_objects_group_by_str_whatever_the_row_order():
    mixed = pd.Series([1, 1.0, True, "1", None, 2] * 40, dtype=object)
    fp = ak.build_profile(pd.DataFrame({"m": mixed})).features["m"]
    assert dict(zip(fp.categories, fp.counts, strict=False)) == {
        "1": 80,
        "1.0": 40,
        "2": 40,
        "True": 40,
    }
    shuffled = mixed.sample(frac=1.0, random_state=3).reset_index(drop=True)
    again = ak.build_profile(pd.DataFrame({"m": shuffled})).features["m"]
    assert (again.categories, again.counts) == (fp.categories, fp.counts)


def test_6_a_gx_suite_corrects_over_judged_features_only():
    rng = np.random.default_rng(1)
    ref = pd.DataFrame({"a": rng.normal(size=400), "b": rng.normal(size=400)})
    small = ak.build_profile(pd.DataFrame({"c": rng.normal(size=50)}))
    big = ak.build_profile(ref, bins=5)
    profile = ak.Profile({**big.features, **small.features})
    cur = pd.DataFrame(
        {"a": rng.normal(0.25, size=400), "b": rng.normal(0.2, size=400), "c": rng.normal(size=400)}
    )
    expected = ak.check_drift(profile, cur, correction="bonferroni")
    assert expected.features["c"].status == "insufficient_data"
    raw = [expected.features[n].p_value_raw for n in ("a", "b")]
    result = validate(build_suite(profile), cur)
    for r in result.results:
        name = r.expectation_config.kwargs["column"]
        details = r.result["details"]
        assert details["status"] == expected.features[name].status
        assert details["p_value"] == pytest.approx(expected.features[name].p_value, rel=1e-12)
    by_name = {r.expectation_config.kwargs["column"]: r.result["details"] for r in result.results}
    # family of two judged features: p * 2, not p * 3
    assert by_name["a"]["p_value"] == pytest.approx(min(1.0, 2 * raw[0]), rel=1e-12)
    holm = validate(build_suite(profile, correction="holm"), cur)
    holm_expected = ak.check_drift(profile, cur)
    for r in holm.results:
        name = r.expectation_config.kwargs["column"]
        want = holm_expected.features[name].p_value
        assert r.result["details"]["p_value"] == pytest.approx(want, rel=1e-12)


def test_7_sql_uniform_bins_ignore_infinities(sql_url):
    values = np.concatenate([np.arange(100.0), [np.inf, -np.inf]])
    frame = pd.DataFrame({"x": values})
    source = table(sql_url, frame)
    pushed = ak.build_profile(source, binning="uniform").features["x"]
    local = ak.build_profile(frame, binning="uniform").features["x"]
    assert len(pushed.edges) == 9 and pushed.edges == local.edges
    assert pushed.counts == local.counts


def test_8_sql_kinds_come_from_the_schema_not_the_first_rows(sql_url):
    frame = pd.DataFrame({"x": [None] * 10_050 + [1.5, 2.5] * 100})
    source = table(sql_url, frame, dtype={"x": sa.Float})
    fp = ak.build_profile(source).features["x"]
    assert (fp.value, fp.kind) == ("number", "numeric")
    assert_same_counts(ak.build_profile(frame), source)


def test_9_int64_above_2_53_rounds_to_float64_in_sqlite_too(tmp_path):
    ints = (2**53 + np.arange(-20, 200)).astype("int64")
    frame = pd.DataFrame({"n": ints})
    source = table(f"sqlite:///{tmp_path}/t.db", frame)
    profile = ak.build_profile(frame, bins=20)
    assert_same_counts(profile, source)
    pushed = ak.build_profile(source, bins=20).features["n"]
    assert (pushed.edges, pushed.counts) == (
        profile.features["n"].edges,
        profile.features["n"].counts,
    )


def test_10_date_objects_are_dates_as_in_parquet(tmp_path):
    days = [dt.date(2020, 1, 1) + dt.timedelta(days=i % 50) for i in range(200)]
    frame = pd.DataFrame({"d": pd.Series(days, dtype=object), "x": np.arange(200.0)})
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "d.parquet")
    assert list(ak.build_profile(frame).features) == ["x"]  # datetimes only when named
    from_pandas = ak.build_profile(frame, features=["d"])
    from_parquet = ak.build_profile(str(tmp_path / "d.parquet"), features=["d"])
    assert from_pandas.features["d"].value == "datetime"
    assert from_pandas.features["d"].edges == from_parquet.features["d"].edges
    assert_same_counts(from_pandas, str(tmp_path / "d.parquet"))
    assert_same_counts(from_parquet, frame)


@pytest.mark.parametrize(
    "column,type_name",
    [
        (pd.Series(pd.to_timedelta([1, 2], unit="s")), "timedelta64"),
        (pd.Series([b"a", b"b"], dtype=object), "binary"),
        (pd.Series([[1], [2]], dtype=object), "list"),
        (pd.Series([1 + 2j, 3j]), "complex"),
    ],
)
def test_types_no_value_type_holds_are_refused_by_name(column, type_name):
    frame = pd.DataFrame({"odd": column, "x": [1.0, 2.0]})
    with pytest.raises(ak.SchemaError, match=rf"'odd' has the pandas type .*{type_name}"):
        ak.build_profile(frame, features=["odd"])
    assert list(ak.build_profile(frame).features) == ["x"]  # left out by default
    profile = ak.build_profile(frame.assign(odd=["a", "b"]))
    with pytest.raises(ak.SchemaError, match=r"'odd' .*profile has it as string"):
        ak.count_bins(profile, frame)


def test_a_broken_sql_query_is_a_source_error_not_a_driver_exception(tmp_path):
    source = SqlSource(f"duckdb:///{tmp_path}/t.duckdb", query="SELECT nope FROM nowhere")
    profile = ak.build_profile(pd.DataFrame({"nope": [1.0, 2.0]}))
    with pytest.raises(ak.SourceError, match="SQL query failed"):
        ak.count_bins(profile, source)


def test_dates_and_timestamps_past_2262_stay_exact_everywhere(tmp_path, postgres_url, spark):
    """Past 2262-04-11 epoch nanoseconds overflow int64: every engine multiplies
    the count in its own unit, as a double, by the nanoseconds per unit."""
    moments = [
        dt.datetime(1900, 1, 1),
        dt.datetime(2013, 1, 1, 5, 0, 0, 500000),
        dt.datetime(2500, 6, 1, 12, 0, 0, 1),
    ]
    stamps = pd.Series(moments * 40, dtype="datetime64[us]")
    frame = pd.DataFrame({"t": stamps, "d": [dt.date(9999, 12, 31), dt.date(1, 1, 1), None] * 40})
    profile = ak.build_profile(frame, features=["t", "d"], bins=3)
    exact_ns = (moments[2] - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1) * 1000
    assert epoch_ns(pa.array(stamps)).max() == float(exact_ns)  # Python ints: no overflow
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp_path / "t.parquet")
    dtype = {"t": sa.DateTime, "d": sa.Date}
    for data in (
        str(tmp_path / "t.parquet"),
        table(f"duckdb:///{tmp_path}/t.duckdb", frame, dtype),
        table(postgres_url, frame, dtype),
        spark.createDataFrame(
            [(t.to_pydatetime(), d) for t, d in zip(frame.t, frame.d, strict=True)],
            "t timestamp_ntz, d date",
        ),
    ):
        assert_same_counts(profile, data)


@pytest.mark.parametrize("duck_type", ["TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP", "TIMESTAMP_NS"])
def test_every_duckdb_timestamp_precision_counts_like_pandas(duck_type, tmp_path):
    unit = {"TIMESTAMP_S": "s", "TIMESTAMP_MS": "ms", "TIMESTAMP": "us", "TIMESTAMP_NS": "ns"}
    stamps = pd.Series(
        pd.to_datetime(["2013-01-01 05:00:01.123456789", "2020-02-29 23:59:59.5", None] * 70)
    ).dt.floor(unit[duck_type])
    frame = pd.DataFrame({"t": stamps.astype(f"datetime64[{unit[duck_type]}]")})
    engine = sa.create_engine(f"duckdb:///{tmp_path}/t.duckdb")
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE t (t {duck_type})"))
        conn.execute(
            sa.text("INSERT INTO t VALUES (CAST(:t AS VARCHAR)::" + duck_type + ")"),
            [{"t": None if pd.isna(v) else str(v)} for v in frame.t],
        )
    profile = ak.build_profile(frame, features=["t"], bins=4)
    assert_same_counts(profile, SqlSource(engine, table="t"))
