"""Odd data gets a clear error naming the problem, or the documented verdict."""

import json
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.sql import SqlColumn, SqlSource, Tallies

N = 500


def check(ref: pd.DataFrame, cur: pd.DataFrame, **options):
    return ak.check_drift(ak.build_profile(ref), cur, **options)


def test_all_null_columns():
    ref = pd.DataFrame({"x": [np.nan] * N, "c": pd.Series([None] * N, dtype=object)})
    profile = ak.build_profile(ref)
    assert profile.features["x"].counts == (0, N)  # no edges: one value bin + MISSING
    assert profile.features["c"].counts == (0, N)  # no categories: OTHER + MISSING
    report = ak.check_drift(profile, ref)
    assert {f.status for f in report.features.values()} == {"ok"}
    assert report.features["x"].kl == 0.0


def test_mixed_missing_markers_and_infinities():
    values = [1.0, np.nan, None, pd.NA, np.inf, -np.inf] * 100
    ref = pd.DataFrame({"x": pd.array(values, dtype="Float64")})
    fp = ak.build_profile(ref).features["x"]
    assert fp.counts[-1] == 300  # nan, None, pd.NA
    assert fp.counts[0] == 100 and sum(fp.counts[1:-1]) == 200  # -inf low tail; 1.0 and +inf
    times = pd.Series(pd.to_datetime(["2024-01-01", None] * 100))
    tfp = ak.build_profile(pd.DataFrame({"t": times}), features=["t"]).features["t"]
    assert tfp.counts[-1] == 100  # NaT is missing


def test_constant_and_heavily_tied_columns():
    ref = pd.DataFrame({"k": [7.0] * N, "tied": [0.0] * (N - 5) + [1.0] * 5})
    profile = ak.build_profile(ref)
    assert profile.features["k"].edges == (7.0,)
    assert len(profile.features["tied"].edges) < 10
    assert not ak.check_drift(profile, ref).drifted
    # a constant reference has one edge, so bins "< 7" and ">= 7": a move down
    # shows, a move up stays in the open upper bin (the price of quantile bins)
    assert ak.check_drift(profile, ref.assign(k=6.0)).features["k"].status == "drift"
    assert ak.check_drift(profile, ref.assign(k=8.0)).features["k"].status == "ok"


def test_extra_columns_ignored_unseen_categories_go_to_other():
    ref = pd.DataFrame({"c": ["a", "b"] * (N // 2)})
    cur = pd.DataFrame({"c": ["a", "zzz"] * (N // 2), "extra": 1})
    f = check(ref, cur).features["c"]
    assert [(b.label, b.current_count) for b in f.bins] == [
        ("a", N // 2),
        ("b", 0),
        ("OTHER", N // 2),
        ("MISSING", 0),
    ]
    assert f.status == "drift"


@pytest.mark.parametrize(
    "series,kind",
    [
        (pd.Series(np.arange(N) % 7, dtype="Int64"), "numeric"),
        (pd.Series([True, False, None] * (N // 3), dtype="boolean"), "categorical"),
        (pd.Series(["u", "v"] * (N // 2), dtype=pd.ArrowDtype(pa.string())), "categorical"),
        (pd.Series([Decimal("1.25"), Decimal("2.5"), None] * (N // 3), dtype=object), "numeric"),
        (pd.Series(pd.date_range("2024-01-01", periods=N, freq="h", tz="Europe/Paris")), "numeric"),
    ],
)
def test_types_round_trip(series, kind, tmp_path):
    frame = pd.DataFrame({"v": series})
    profile = ak.build_profile(frame, features=["v"])
    assert profile.features["v"].kind == kind
    profile.save(tmp_path / "p.json")
    report = ak.check_drift(ak.Profile.load(tmp_path / "p.json"), frame)
    assert report.features["v"].status == "ok" and report.features["v"].kl == 0.0
    json.dumps(report.to_dict(), allow_nan=False)


def test_high_cardinality_categorical_is_bounded(tmp_path):
    values = np.array([f"id-{i}" for i in range(100_000)], dtype=object)
    frame = pd.DataFrame({"id": values})
    profile = ak.build_profile(frame, top_k=20)
    assert len(profile.features["id"].categories) == 20
    assert len(profile.to_json()) < 5_000  # a profile's size is bounded by top_k
    # pushdown: the query's size is bounded by top_k, whatever the cardinality
    engine = sa.create_engine(f"sqlite:///{tmp_path}/ids.db")
    frame.to_sql("ids", engine, index=False)
    column = SqlColumn("id", "TEXT", "string", "sqlite", "SQLite")
    tallies = Tallies.of("sqlite", {"id": column}, profile.features)
    assert tallies.sizes == {"id": 21}  # missing and one per category
    (query,) = tallies.queries
    sql = str(query.compile(engine))
    assert len(sql) < 5_000
    counts = ak.count_bins(profile, SqlSource(engine, table="ids"))["id"]
    assert counts.tolist() == [1] * 20 + [100_000 - 20, 0]


@pytest.mark.parametrize(
    "options,match",
    [
        ({"threshold": -0.1}, "threshold must be a finite number >= 0, got -0.1"),
        ({"threshold": float("nan")}, "threshold must be"),
        ({"threshold": "high"}, "threshold must be a number, got 'high'"),
        ({"threshold": {"x": -1}}, r"threshold\['x'\] must be"),
        ({"alpha": 0}, "alpha must be in \\(0, 1\\) or None, got 0"),
        ({"alpha": 1.5}, "got 1.5"),
        ({"smoothing": -1}, "smoothing must be a finite number >= 0, got -1"),
        ({"min_rows": 0}, "min_rows must be an integer >= 1, got 0"),
        ({"min_rows": 2.5}, "got 2.5"),
        ({"correction": "fdr"}, "correction must be one of"),
        ({"drift_share": 0}, "drift_share must be in"),
        ({"direction": "up"}, "direction must be one of"),
    ],
)
def test_bad_options_name_the_value(options, match):
    frame = pd.DataFrame({"x": np.arange(200.0)})
    with pytest.raises(ak.ConfigError, match=match):
        check(frame, frame, **options)


@pytest.mark.parametrize("bins", [0, -1, 1.5, "10", None])
def test_bad_bins(bins):
    with pytest.raises(ak.ConfigError, match=f"bins must be an integer >= 1, got {bins!r}"):
        ak.build_profile(pd.DataFrame({"x": np.arange(10.0)}), bins=bins)
