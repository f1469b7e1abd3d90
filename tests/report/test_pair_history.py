"""Pairs in the history and on the dashboard: a row per pair per check, with
every number of the pair, read back in partition order; the dashboard draws
each pair's dependence part by partition."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.report.dashboard import render_dashboard
from airflow_kl.report.history import PAIR_MEASURES, pair_trend, record, record_all
from airflow_kl.report.store import ReportStore, TaskInstanceRef


def month(m: int, n: int = 2000) -> pd.DataFrame:
    """Two correlated features; in month 7 the relation flips (a butterfly)."""
    rng = np.random.default_rng(m)
    rho = -0.6 if m == 7 else 0.6
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})


@pytest.fixture(scope="module")
def year():
    profile = ak.build_profile(month(1), pairs="a:b")
    return profile, {str(m): ak.check_drift(profile, month(m)) for m in range(1, 13)}


def test_a_year_of_pairs_reads_back_in_partition_order(year):
    profile, reports = year
    engine = sa.create_engine("sqlite://")
    assert record_all(engine, reports, dag_id="d", task_id="check") == 24  # feature rows
    rows = pair_trend(engine, ("a", "b"), dag_id="d", task_id="check")
    assert [r["partition_key"] for r in rows] == [str(m) for m in range(1, 13)]
    assert [r["status"] for r in rows] == ["drift" if m == 7 else "ok" for m in range(1, 13)]
    for row in rows:
        pair = reports[row["partition_key"]].pairs[("a", "b")]
        assert row["dependence"] == pair.dependence and row["p_value"] == pair.p_value
        assert row["measures"] == {m: getattr(pair, m) for m in PAIR_MEASURES}
        assert (row["n_reference"], row["n_current"]) == (2000, 2000)
    assert pair_trend(engine, ("b", "a")) == []  # as the profile names the pair


def test_a_rerun_replaces_its_row_and_an_infinite_part_is_kept():
    """With smoothing 0 a cell the reference never held makes the dependence
    part infinite: the column is null, the flag set, the measure "inf"."""
    x = np.random.default_rng(3).normal(size=2000)
    lockstep = pd.DataFrame({"a": x, "b": x})  # every row on the table's diagonal
    profile = ak.build_profile(lockstep, pairs="a:b")
    engine = sa.create_engine("sqlite://")
    record(engine, ak.check_drift(profile, lockstep), partition_key="7")
    swapped = pd.DataFrame({"a": x, "b": -x})  # the same marginals, off the diagonal
    corner = ak.check_drift(profile, swapped, smoothing=0)
    assert math.isinf(corner.pairs[("a", "b")].dependence)
    record(engine, corner, partition_key="7")
    (row,) = pair_trend(engine, ("a", "b"))
    assert row["dependence"] is None and row["dependence_infinite"] is True
    assert row["measures"]["dependence"] == math.inf and row["status"] == "drift"


def test_the_dashboard_draws_each_pairs_dependence_by_partition(year):
    profile, reports = year
    store = ReportStore(sa.create_engine("sqlite://"))
    for key, report in reports.items():
        run = TaskInstanceRef("flights", f"run-{int(key):02d}", "check")
        store.save(run, report, html="", partition_key=key, source="months")
    page = render_dashboard(store)
    (section,) = re.findall(r'data-pair="a × b">(.*?)</div>', page, flags=re.S)
    assert 'id="t0-p0-kl"' in section and 'id="t0-p0-threshold"' in section
    drift_marks = re.search(r'<g id="t0-p0-drift">(.*?)</g>\s*<g id', section, flags=re.S)
    assert drift_marks is not None and drift_marks.group(1).count("<use") == 1
    assert "dependence by partition" in section
