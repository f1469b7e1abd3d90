"""KLBacktestOperator under dag.test(): templated partitions and options, the
timeline in XCom with the thresholds under their own key, the timeline
files written, and bad input failing once, never retried."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak

from .test_operators import pull, run_operator


@pytest.fixture
def year(tmp_path):
    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"week": np.repeat([1, 2, 3, 4], 1500), "x": rng.normal(size=6000)})
    frame.loc[frame.week == 4, "x"] += 0.8
    ak.build_profile(frame[frame.week == 1], features=["x"]).save(tmp_path / "profile.json")
    frame.to_parquet(tmp_path / "year.parquet", index=False)
    return tmp_path, frame


def test_the_timeline_and_thresholds_reach_xcom_and_files(year, airflow_db):
    from airflow_kl.provider import KLBacktestOperator

    folder, frame = year
    run, ti, pushed = run_operator(
        "backtest_op",
        KLBacktestOperator,
        "backtest",
        profile=str(folder / "profile.json"),
        source=str(folder / "year.parquet"),
        partition_by="{{ 'week' }}",  # templated
        normal="2..3",
        threshold="{{ 0.05 }}",
        report_path=str(folder / "timeline.json"),
        html_path=str(folder / "timeline.html"),
    )
    assert str(ti.state) == "success"
    expected = ak.backtest(ak.Profile.load(folder / "profile.json"), frame, "week", threshold=0.05)
    assert pushed["partitions"] == ["1", "2", "3", "4"] and pushed["drifted"] == ["4"]
    assert pushed["drifted"] == expected.drifted
    assert pushed["threshold"] == expected.suggest_thresholds("2..3").threshold
    assert pull(run, "backtest", key="threshold") == pushed["threshold"]
    written = ak.Backtest.from_dict(json.loads((folder / "timeline.json").read_text()))
    assert {p: r.to_dict() for p, r in written.reports.items()} == {
        p: r.to_dict() for p, r in expected.reports.items()
    }
    assert 'data-partition="4"' in (folder / "timeline.html").read_text()


def test_a_column_that_names_no_partition_fails_once(year, airflow_db):
    from airflow_kl.provider import KLBacktestOperator

    folder, _ = year
    _, ti, pushed = run_operator(
        "backtest_bad",
        KLBacktestOperator,
        "backtest",
        profile=str(folder / "profile.json"),
        source=str(folder / "year.parquet"),
        partition_by="x",
        retries=2,
        retry_delay=timedelta(0),
    )
    assert str(ti.state) == "failed" and pushed is None
    assert ti.try_number == 1  # InvalidDriftInput: not retried
