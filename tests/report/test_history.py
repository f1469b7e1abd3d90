import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.report.history import HISTORY, record, trend


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
    eng = sa.create_engine(request.getfixturevalue("postgres_url"))
    HISTORY.drop(eng, checkfirst=True)
    return eng


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


def test_empty_partition_key_is_rejected(engine, reports):
    with pytest.raises(ak.ConfigError, match="partition_key"):
        record(engine, reports[0], partition_key="")
