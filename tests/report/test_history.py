import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.report.history import HISTORY, SEGMENT_HISTORY, record, trend

from .stores import emptied


@pytest.fixture(scope="module")
def reports():
    rng = np.random.default_rng(9)
    ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(list("ab"), 2000)})
    profile = ak.build_profile(ref)
    return (ak.check_drift(profile, ref), ak.check_drift(profile, ref.assign(x=ref.x + 1)))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        return sa.create_engine(f"sqlite:///{tmp_path}/history.db")
    return emptied(sa.create_engine(request.getfixturevalue("postgres_url")))


def count(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(HISTORY)).scalar()


def test_rerun_upserts_instead_of_duplicating(engine, reports):
    stable, drifted = reports
    key = dict(dag_id="d", task_id="t")
    record(engine, stable, partition_key="2013-01", **key)
    assert count(engine) == 2
    record(engine, drifted, partition_key="2013-01", **key)  # same key: replaced
    assert count(engine) == 2
    rows = trend(engine, "x", dag_id="d")
    assert len(rows) == 1 and rows[0]["status"] == "drift"
    assert rows[0]["kl"] == pytest.approx(drifted.features["x"].kl, rel=1e-12)
    record(engine, stable, partition_key="2013-02", **key)
    assert [r["partition_key"] for r in trend(engine, "x")] == ["2013-01", "2013-02"]
    assert count(engine) == 4


def test_keys_stored_before_the_label_rule_read_as_it_spells_them(engine, reports):
    """History a DuckDB backtest wrote as 01, 02 before the label rule, and a
    check since that recorded 1: one point per month, the later row for 1."""
    stable, drifted = reports
    key = dict(dag_id="d", task_id="t")
    record(engine, stable, partition_key="01", **key)
    record(engine, stable, partition_key="02", **key)
    record(engine, drifted, partition_key="1", **key)
    assert count(engine) == 6  # nothing rewritten: the rows stay as stored
    rows = trend(engine, "x", dag_id="d")
    assert [(r["partition_key"], r["status"]) for r in rows] == [("1", "drift"), ("2", "ok")]
    record(engine, stable, partition_key="2013-01", **key)  # not digits alone: as written
    assert [r["partition_key"] for r in trend(engine, "x")] == ["1", "2", "2013-01"]


def test_empty_partition_key_is_rejected(engine, reports):
    with pytest.raises(ak.ConfigError, match="partition_key"):
        record(engine, reports[0], partition_key="")


@pytest.fixture(scope="module")
def segmented_reports():
    rng = np.random.default_rng(10)
    ref = pd.DataFrame(
        {"x": rng.normal(size=3000), "c": rng.choice(list("ab"), 3000), "s": ["n", "s", "e"] * 1000}
    )
    profile = ak.build_profile(ref, features=["x", "c"], segment_by="s")
    moved = ref.assign(x=np.where(ref.s == "n", ref.x + 1, ref.x))
    return ak.check_drift(profile, ref), ak.check_drift(profile, moved)


def test_segment_rows_upsert_beside_the_feature_rows(engine, segmented_reports):
    """One row per (segment, feature) in their own table; a rerun replaces them."""
    stable, drifted = segmented_reports
    assert drifted.drifted_segments == ["n"]
    record(engine, stable, partition_key="2013-01", dag_id="d", task_id="t")
    record(engine, drifted, partition_key="2013-01", dag_id="d", task_id="t")
    with engine.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(SEGMENT_HISTORY)).scalar()
    assert n == 4 * 2  # e, n, s and OTHER, times x and c
    rows = trend(engine, "x", dag_id="d", segment="n")
    assert [(r["partition_key"], r["status"]) for r in rows] == [("2013-01", "drift")]
    n_x = next(s for s in drifted.segments if s.label == "n").features["x"]
    assert rows[0]["kl"] == pytest.approx(n_x.kl, rel=1e-12)
    assert rows[0]["n_current"] == n_x.n_current == 1000
    assert [r["status"] for r in trend(engine, "x", dag_id="d", segment="s")] == ["ok"]
    assert trend(engine, "x", segment="nowhere") == []
