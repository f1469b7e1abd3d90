"""One way out: the same inputs through Python, the CLI, KLDriftCheckOperator
under dag.test() and GX validation give byte-identical report JSON, and HTML
pages with the same sections, each with the KL trends of its history."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.report.history import record
from airflow_kl.run.check import run_check
from airflow_kl.run.outputs import History, Outputs

from .test_operators import run_operator

KEY = "2013-09"


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """A segmented profile, last month's report (the history's first row) and
    this month's partition, whose delays moved."""
    folder = tmp_path_factory.mktemp("one_way_out")
    rng = np.random.default_rng(21)

    def month(shift: float) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "dep_delay": rng.normal(shift, 1.0, 4000),
                "carrier": rng.choice(["AA", "B6", "UA"], 4000, p=[0.5, 0.3, 0.2]),
                "origin": rng.choice(["JFK", "EWR", "LGA"], 4000),
            }
        )

    reference = month(0.0)
    profile = ak.build_profile(reference, bins=8, segment_by="origin")
    profile.save(folder / "profile.json")
    month(0.0).to_parquet(folder / "aug.parquet")
    month(0.8).to_parquet(folder / "sep.parquet")
    return folder, profile


def seeded(db: Path, inputs, dag_id: str = "", task_id: str = "") -> str:
    """A history database holding last month's check, as the task wrote it."""
    folder, profile = inputs
    url = f"sqlite:///{db}"
    august = ak.check_drift(profile, folder / "aug.parquet")
    record(url, august, partition_key="2013-08", dag_id=dag_id, task_id=task_id)
    return url


def sections(page: str) -> dict[str, list[str]]:
    """What a page shows, whoever wrote it: its headings, its features, and
    which of them have a trend chart."""
    features = re.findall(r'<section class="feature" id="[^"]+" data-feature="([^"]+)">', page)
    blocks = page.split('<section class="feature"')[1:]
    return {
        "headings": re.findall(r"<h2>(.*?)</h2>", page),
        "features": features,
        "trends": [f for f, b in zip(features, blocks, strict=True) if 'class="trend"' in b],
    }


def test_every_entry_point_writes_the_same_report(inputs, airflow_db, tmp_path):
    from airflow_kl.provider import GXValidationOperator, KLDriftCheckOperator

    folder, profile = inputs
    sep = str(folder / "sep.parquet")
    written = {}

    report, _ = run_check(
        profile,
        sep,
        outputs=Outputs(
            tmp_path / "python.json",
            tmp_path / "python.html",
            "python",
            History(seeded(tmp_path / "python.db", inputs), KEY),
        ),
    )
    assert report.drifted
    written["python"] = tmp_path / "python"

    cli = Path(sys.executable).with_name("airflow-kl")
    done = subprocess.run(
        [
            str(cli),
            "check",
            str(folder / "profile.json"),
            sep,
            "--report-path",
            str(tmp_path / "cli.json"),
            "--html-path",
            str(tmp_path / "cli.html"),
            "--history-db",
            seeded(tmp_path / "cli.db", inputs),
            "--partition-key",
            KEY,
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr  # drift
    written["cli"] = tmp_path / "cli"

    for name, operator, extra in (
        ("operator", KLDriftCheckOperator, {"on_drift": "warn"}),
        ("gx", GXValidationOperator, {"on_failure": "warn"}),
    ):
        dag_id = f"one_way_out_{name}"
        run, ti, _ = run_operator(
            dag_id,
            operator,
            "gate",
            profile=str(folder / "profile.json"),
            source=sep,
            report_path=str(tmp_path / f"{name}.json"),
            html_path=str(tmp_path / f"{name}.html"),
            history_db=seeded(tmp_path / f"{name}.db", inputs, dag_id, "gate"),
            partition_key=KEY,
            **extra,
        )
        assert str(ti.state) == "success"
        written[name] = tmp_path / name

    expected = report.to_json().encode()
    for name, stem in written.items():
        assert stem.with_suffix(".json").read_bytes() == expected, name
    pages = {n: sections(stem.with_suffix(".html").read_text()) for n, stem in written.items()}
    assert pages["python"]["trends"] == list(profile.features)  # every feature has its trend
    assert "Segments by origin" in pages["python"]["headings"]
    for name, page in pages.items():
        assert page == pages["python"], name
    assert "<title>cli" not in written["python"].with_suffix(".html").read_text()


def test_the_backtest_writes_what_its_command_writes(inputs, airflow_db, tmp_path):
    """``airflow-kl backtest --report-path`` as ``check`` takes it, and the
    operator's timeline JSON carries the suggested thresholds as the CLI's does."""
    from airflow_kl.provider import KLBacktestOperator

    folder, profile = inputs
    year = pd.concat(
        [
            pd.read_parquet(folder / "aug.parquet").assign(month=8),
            pd.read_parquet(folder / "sep.parquet").assign(month=9),
        ]
    )
    year.to_parquet(tmp_path / "year.parquet")
    cli = Path(sys.executable).with_name("airflow-kl")
    done = subprocess.run(
        [
            str(cli),
            "backtest",
            str(folder / "profile.json"),
            str(tmp_path / "year.parquet"),
            "--partition-by",
            "month",
            "--normal",
            "8",
            "--report-path",
            str(tmp_path / "cli.json"),
            "--html-path",
            str(tmp_path / "cli.html"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    run, ti, pushed = run_operator(
        "one_way_out_backtest",
        KLBacktestOperator,
        "backtest",
        profile=str(folder / "profile.json"),
        source=str(tmp_path / "year.parquet"),
        partition_by="month",
        normal="8",
        report_path=str(tmp_path / "operator.json"),
        html_path=str(tmp_path / "operator.html"),
    )
    assert str(ti.state) == "success"
    cli_json = (tmp_path / "cli.json").read_bytes()
    assert (tmp_path / "operator.json").read_bytes() == cli_json
    assert b'"suggested_thresholds"' in cli_json
    assert (
        pushed["threshold"]
        == ak.backtest(profile, year, "month").suggest_thresholds(["8"]).threshold
    )
