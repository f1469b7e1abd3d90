"""The list of measures: every measure is computed, reported, rendered and
recorded from :data:`airflow_kl.core.measures.MEASURES` alone, so a new one
is one entry there."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from scipy.spatial.distance import jensenshannon
from scipy.stats import entropy

import airflow_kl as ak
from airflow_kl.core.measures import MEASURES, Measure
from airflow_kl.core.results import DriftReport
from airflow_kl.report.history import record, trend
from airflow_kl.report.html import render_html


def bhattacharyya(p: np.ndarray, q: np.ndarray) -> float:
    return -np.log(np.sqrt(p * q).sum(axis=-1))  # per row of shares, as every measure


@pytest.fixture
def registered():
    """One more entry in the list (the Bhattacharyya distance), taken out after."""
    MEASURES.append(Measure("bc", "BC", bhattacharyya))
    yield
    MEASURES.pop()


@pytest.fixture
def report():
    ref = pd.DataFrame({"c": ["a"] * 30 + ["b"] * 70})
    cur = pd.DataFrame({"c": ["a"] * 50 + ["b"] * 50})
    return ak.check_drift(ak.build_profile(ref), cur, smoothing=0)


def test_the_listed_measures_agree_with_scipy(report):
    """p = (.5, .5), q = (.3, .7) with smoothing 0 (MISSING empty on both sides)."""
    f = report.features["c"]
    p, q = np.array([0.5, 0.5]), np.array([0.3, 0.7])
    assert f.kl == pytest.approx(entropy(p, q), rel=1e-12)
    assert f.js == pytest.approx(jensenshannon(p, q) ** 2, rel=1e-12)
    assert f.psi == pytest.approx(0.2 * math.log(0.5 / 0.3) + 0.2 * math.log(0.7 / 0.5))
    assert f.hellinger == pytest.approx(math.sqrt(1 - (math.sqrt(0.15) + math.sqrt(0.35))))
    assert f.tv == pytest.approx(0.2)
    assert list(f.measures) == [m.name for m in MEASURES]


def test_a_registered_measure_reaches_every_output(registered, report, tmp_path):
    fresh = ak.check_drift(
        ak.build_profile(pd.DataFrame({"c": ["a"] * 30 + ["b"] * 70})),
        pd.DataFrame({"c": ["a"] * 50 + ["b"] * 50}),
        smoothing=0,
    )
    expected = -math.log(math.sqrt(0.5 * 0.3) + math.sqrt(0.5 * 0.7))
    f = fresh.features["c"]
    assert f.bc == pytest.approx(expected, rel=1e-12)  # computed, an attribute
    data = json.loads(fresh.to_json())
    assert data["features"]["c"]["bc"] == pytest.approx(expected, rel=1e-12)  # in the JSON
    assert DriftReport.from_dict(data).features["c"].bc == f.bc  # read back
    assert "BC" in fresh.table().splitlines()[0].split()  # a column of the text table
    page = render_html(fresh)
    assert "<th>BC</th>" in page and f"<td>{expected:.4f}</td>" in page  # and of the page
    engine = sa.create_engine(f"sqlite:///{tmp_path}/h.db")
    record(engine, fresh, partition_key="p")
    (row,) = trend(engine, "c")
    assert row["measures"]["bc"] == pytest.approx(expected, rel=1e-12)  # and of the history
    # a report written before the measure existed still loads and renders
    old = json.loads(report.to_json())
    del old["features"]["c"]["bc"]
    loaded = DriftReport.from_dict(old)
    assert loaded.features["c"].bc is None
    assert "<th>BC</th>" in render_html(loaded)
    assert loaded.table().splitlines()[1].split()[5] == "-"


def test_a_measure_not_in_the_list_is_no_attribute(report):
    with pytest.raises(AttributeError, match="bc"):
        _ = report.features["c"].bc
