"""The store's schema revisions: a store written by 0.5.0 (before revisions)
upgrades keeping every row, the migrated tables are exactly the ones the
code declares, and concurrent starts migrate once."""

from __future__ import annotations

import math
import shutil
import threading
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import airflow_kl as ak
from airflow_kl.report.history import METADATA, trend
from airflow_kl.report.migrations import HEAD, VERSION_TABLE, current_revision, upgrade
from airflow_kl.report.store import ReportStore, TaskInstanceRef

from .stores import emptied

STORE_0_5_0 = Path(__file__).parent / "data" / "store-0.5.0.sqlite"  # scripts/store_0_5_0.py
TABLES = ("airflow_kl_reports", "airflow_kl_history", "airflow_kl_segment_history")


def is_ours(table: str) -> bool:
    return table.startswith("airflow_kl_")


def rows(engine: sa.Engine, table: str) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {table}"))]


@pytest.fixture
def old_store(tmp_path):
    path = tmp_path / "store.sqlite"
    shutil.copy(STORE_0_5_0, path)
    return sa.create_engine(f"sqlite:///{path}")


def test_a_store_written_by_0_5_0_upgrades_with_every_row_kept(old_store):
    before = {t: rows(old_store, t) for t in TABLES}
    assert [len(before[t]) for t in TABLES] == [6, 13, 4]
    assert current_revision(old_store) is None  # written before revisions
    store = ReportStore(old_store)
    assert current_revision(old_store) == HEAD
    for table in TABLES:
        after = rows(old_store, table)
        assert [{k: r[k] for k in before[table][0]} for r in after] == before[table]
    history = rows(old_store, "airflow_kl_history")
    assert {r["measures"] for r in history} == {None}  # written before r0002
    # the old rows read back as they were written: reports, verdicts, trends
    stored = store.latest()
    assert [(s.dag_id, s.partition_key, s.status) for s in stored] == [
        ("by_origin", "2013-01", "ok"),
        ("flights", "2013-05", "drift"),
    ]
    moved = stored[1].report.features["x"]  # every row in the top decile, smoothing 0
    assert moved.kl == pytest.approx(math.log(10), rel=1e-12) and moved.psi == math.inf
    assert [s.partition_key for s in store.accepted("flights", "check", last=9)] == [
        "2013-01",
        "2013-02",
        "2013-04",
    ]
    points = store.trend("flights", "check", "x")
    assert [p["partition_key"] for p in points] == [f"2013-0{m}" for m in range(1, 6)]
    assert points[-1]["kl"] == pytest.approx(math.log(10)) and points[-1]["psi"] is None
    # and a new check goes in beside them, with every measure
    ref = pd.DataFrame({"x": range(100)})
    report = ak.check_drift(ak.build_profile(ref), ref)
    store.save(TaskInstanceRef("new", "r", "t"), report, html="", partition_key="p", source="s")
    (point,) = store.trend("new", "t", "x")
    assert point["measures"] == {"kl": 0.0, "js": 0.0, "psi": 0.0, "hellinger": 0.0, "tv": 0.0}
    assert len(rows(old_store, "airflow_kl_reports")) == 7


def test_a_history_written_alone_by_0_5_0_gains_the_report_table(tmp_path):
    """A database that only ever had ``record`` (no store) is adopted as it stands."""
    path = tmp_path / "history.sqlite"
    shutil.copy(STORE_0_5_0, path)
    engine = sa.create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE airflow_kl_reports"))
    assert len(trend(engine, "x", dag_id="nb")) == 1
    assert "airflow_kl_reports" in sa.inspect(engine).get_table_names()
    assert current_revision(engine) == HEAD


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_migrated_schema_is_the_declared_one(backend, tmp_path, request):
    """Alembic's own comparison: no table, column, type or constraint differs
    between the revisions applied and the tables the code reads and writes."""
    if backend == "sqlite":
        engines = [sa.create_engine(f"sqlite:///{tmp_path}/new.db")]
        old = tmp_path / "old.db"
        shutil.copy(STORE_0_5_0, old)
        engines.append(sa.create_engine(f"sqlite:///{old}"))
    else:
        engines = [emptied(sa.create_engine(request.getfixturevalue("postgres_url")))]
    for engine in engines:
        upgrade(engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    "version_table": VERSION_TABLE,
                    # the store's tables only: the database may hold others
                    "include_name": lambda name, kind, _: kind != "table" or is_ours(name),
                },
            )
            assert compare_metadata(context, METADATA) == []


def test_concurrent_starts_migrate_once(postgres_url):
    """Eight workers starting together on an empty PostgreSQL database: one
    migrates under the advisory lock, the others find it at head."""
    url = postgres_url
    emptied(sa.create_engine(url))
    errors: list[BaseException] = []

    def start():
        try:
            upgrade(sa.create_engine(url))
        except BaseException as exc:  # reported below, by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    engine = sa.create_engine(url)
    assert rows(engine, VERSION_TABLE) == [{"version_num": HEAD}]


def test_the_revision_table_is_not_alembics_default(tmp_path):
    """A store inside Airflow's metadata database leaves Airflow's
    ``alembic_version`` alone."""
    engine = sa.create_engine(f"sqlite:///{tmp_path}/airflow.db")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES ('airflow-head')"))
    upgrade(engine)
    assert rows(engine, "alembic_version") == [{"version_num": "airflow-head"}]
    assert rows(engine, VERSION_TABLE) == [{"version_num": HEAD}]
