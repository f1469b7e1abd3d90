"""The report store on SQLite and a real PostgreSQL: what workers write is
what the API server reads, whole or not at all."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.report.charts import trend_svg
from airflow_kl.report.dashboard import render_dashboard
from airflow_kl.report.history import HISTORY, SEGMENT_HISTORY
from airflow_kl.report.store import REPORTS, ReportStore, TaskInstanceRef

from .stores import emptied

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def reports():
    rng = np.random.default_rng(21)
    ref = pd.DataFrame({"x": rng.normal(size=2000), "c": rng.choice(list("ab"), 2000)})
    profile = ak.build_profile(ref)
    return ak.check_drift(profile, ref), ak.check_drift(profile, ref.assign(x=ref.x + 1))


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        return ReportStore(f"sqlite:///{tmp_path}/store.db")
    return ReportStore(emptied(sa.create_engine(request.getfixturevalue("postgres_url"))))


def rows(store, table):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_saved_report_reads_back_with_its_numbers(store, reports):
    stable, drifted = reports
    ti = TaskInstanceRef("flights", "scheduled__2013-09-01T00:00:00+00:00", "check", 2)
    store.save(ti, drifted, html="<p>page</p>", partition_key="2013-09", source="s3://b/k")
    got = store.get(ti)
    assert (got.status, got.partition_key, got.source, got.html, got.map_index) == (
        "drift",
        "2013-09",
        "s3://b/k",
        "<p>page</p>",
        2,
    )
    assert got.drifted_features == ["x"]
    for name, f in drifted.features.items():
        assert got.report.features[name].kl == f.kl  # JSON keeps every digit
        assert got.report.features[name].bins == f.bins
    assert store.get(TaskInstanceRef("flights", ti.run_id, "check")) is None  # map index -1
    assert [r["status"] for r in store.trend("flights", "check", "x")] == ["drift"]


def test_a_retry_replaces_its_report_and_history(store, reports):
    stable, drifted = reports
    ti = TaskInstanceRef("d", "r", "t")
    store.save(ti, drifted, html="first", partition_key="p", source="s", checked_at=T0)
    store.save(ti, stable, html="second", partition_key="p", source="s", checked_at=T0)
    assert rows(store, REPORTS) == 1 and rows(store, HISTORY) == 2
    assert store.get(ti).html == "second" and store.get(ti).status == "ok"


def test_latest_is_the_newest_check_per_task_of_the_readable_dags(store, reports):
    stable, drifted = reports
    for i, (dag, task, report) in enumerate(
        [("a", "t", drifted), ("a", "t", stable), ("a", "u", drifted), ("b", "t", drifted)]
    ):
        store.save(
            TaskInstanceRef(dag, f"run{i}", task),
            report,
            html="",
            partition_key=f"p{i}",
            source="s",
            checked_at=T0 + timedelta(days=i),
        )
    assert [(r.dag_id, r.task_id, r.run_id, r.status) for r in store.latest()] == [
        ("a", "t", "run1", "ok"),
        ("a", "u", "run2", "drift"),
        ("b", "t", "run3", "drift"),
    ]
    assert [r.dag_id for r in store.latest({"b"})] == ["b"]
    assert store.latest(set()) == []
    page = render_dashboard(store, {"a"})
    assert 'data-dag="a"' in page and 'data-dag="b"' not in page
    assert "1 drift,\n1 ok" in page


def test_a_failed_write_leaves_nothing_half_written(tmp_path, postgres_url, reports):
    """History rows and report go in one transaction: PostgreSQL refuses a NUL
    in text, after the history rows were sent, and none of them remain."""
    engine = emptied(sa.create_engine(postgres_url))
    store = ReportStore(engine)
    ti = TaskInstanceRef("d", "r", "t")
    store.save(ti, reports[0], html="kept", partition_key="p1", source="s")
    with pytest.raises(ValueError, match="NUL"):
        store.save(ti, reports[1], html="bad\x00page", partition_key="p2", source="s")
    assert rows(store, HISTORY) == 2 and rows(store, REPORTS) == 1
    assert store.get(ti).html == "kept"


@pytest.mark.parametrize(
    "fields,message",
    [
        (("", "r", "t"), "dag_id"),
        (("d/../x", "r", "t"), "dag_id"),
        (("d", "r", "t\n"), "task_id"),
        (("d", "run with spaces", "t"), "run_id"),
        (("d", "r" * 251, "t"), "run_id"),
        (("d", "r", "t", -2), "map_index"),
        (("d", "r", "t", "1"), "map_index"),
        (("d", "r", "t", True), "map_index"),
    ],
)
def test_task_instance_ids_are_validated(fields, message):
    with pytest.raises(ak.ConfigError, match=message):
        TaskInstanceRef(*fields)


def test_trend_marks_each_drifted_partition_once():
    def row(key, kl, status, day):
        return {"partition_key": key, "kl": kl, "status": status, "checked_at": T0 + day}

    history = [
        row("2013-02", 0.01, "ok", timedelta(0)),
        row("2013-09", 0.30, "drift", timedelta(1)),
        row("2013-09", 0.20, "drift", timedelta(2)),  # a rerun: the latest check counts
        row("2013-10", 0.02, "ok", timedelta(3)),
    ]
    svg = trend_svg(history, threshold=0.1, gid="g")
    kl = re.search(r'<g id="g-kl">(.*?)</g>\s*<g id', svg, re.S).group(1)
    drift = re.search(r'<g id="g-drift">(.*?)</g>\s*</g>', svg, re.S).group(1)
    assert kl.count("<use") == 3 and drift.count("<use") == 1
    assert 'id="g-threshold"' in svg
    assert [t for t in ("2013-02", "2013-09", "2013-10") if f">{t}<" in svg] == [
        "2013-02",
        "2013-09",
        "2013-10",
    ]


def test_a_failed_write_leaves_no_segment_rows(postgres_url):
    """The segment rows are in the same transaction as the report."""
    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.normal(size=600), "s": ["a", "b"] * 300})
    report = ak.check_drift(ak.build_profile(ref, features=["x"], segment_by="s"), ref)
    engine = emptied(sa.create_engine(postgres_url))
    store = ReportStore(engine)
    ti = TaskInstanceRef("d", "r2", "t")
    with pytest.raises(ValueError, match="NUL"):
        store.save(ti, report, html="bad\x00page", partition_key="p1", source="s")
    assert rows(store, SEGMENT_HISTORY) == rows(store, HISTORY) == rows(store, REPORTS) == 0
    store.save(ti, report, html="ok", partition_key="p1", source="s")
    assert rows(store, SEGMENT_HISTORY) == 3 and store.get(ti).report.segment_by == ("s",)


def _write_reports(url: str, writer: int, count: int) -> None:
    """One worker process: ``count`` reports of its own task instances."""
    ref = pd.DataFrame({"x": np.arange(200.0)})
    report = ak.check_drift(ak.build_profile(ref), ref)
    store = ReportStore(url)
    for i in range(count):
        ti = TaskInstanceRef("flights", f"run_{writer}_{i}", "check")
        store.save(ti, report, html="<p/>", partition_key=f"{writer}-{i}", source="s")


@pytest.mark.parametrize("trial", range(3))
def test_processes_writing_to_a_new_sqlite_store_lose_nothing(tmp_path, trial):
    """Four processes start on a store that does not exist yet and write 20
    reports each: one migrates while the others wait (BEGIN IMMEDIATE), and
    every write waits its turn; all 80 reports and their history rows are kept."""
    import multiprocessing

    url = f"sqlite:///{tmp_path}/store.db"
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_write_reports, args=(url, w, 20)) for w in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(REPORTS)).scalar() == 80
        assert conn.execute(sa.select(sa.func.count()).select_from(HISTORY)).scalar() == 80
    engine.dispose()
