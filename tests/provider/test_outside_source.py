"""A source from another package: one module and an entry point, installed as
a distribution on the path, then read by every way in (the Python API, the
CLI, ``KLDriftCheckOperator`` under dag.test(), the backtest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.sources import resolve as resolver

from .test_operators import run_check

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "guides" / "writing-a-source.md"


def guide_blocks(language: str) -> list[str]:
    """The guide's code blocks in ``language``: the package is what it shows."""
    from markdown_it import MarkdownIt

    fences = MarkdownIt("commonmark").parse(GUIDE.read_text())
    return [t.content for t in fences if t.type == "fence" and t.info.strip() == language]


@pytest.fixture(scope="module")
def jsonl_package(tmp_path_factory):
    """The guide's package as pip leaves it: its module, and its dist-info with
    the entry point of its ``pyproject.toml``."""
    import tomllib

    site = tmp_path_factory.mktemp("site")
    (site / "my_package").mkdir()
    (site / "my_package" / "__init__.py").write_text("")
    (site / "my_package" / "jsonl_source.py").write_text(guide_blocks("python")[0])
    points = tomllib.loads(guide_blocks("toml")[0])["project"]["entry-points"]
    info = site / "my_package-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-package\nVersion: 0.1\n")
    group = "airflow_kl.sources"
    lines = [f"[{group}]", *(f"{k} = {v}" for k, v in points[group].items())]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    (info / "RECORD").write_text("")
    return site


@pytest.fixture
def installed(jsonl_package, monkeypatch):
    monkeypatch.syspath_prepend(str(jsonl_package))
    resolver._from_entry_points.cache_clear()
    yield jsonl_package
    resolver._from_entry_points.cache_clear()


@pytest.fixture(scope="module")
def months(tmp_path_factory):
    """Three months of rows as JSON Lines, the third shifted."""
    folder = tmp_path_factory.mktemp("jsonl")
    rng = np.random.default_rng(8)
    month = np.repeat([1, 2, 3], 1200)
    frame = pd.DataFrame(
        {
            "month": month,
            # three decimals: written and read back exactly
            "delay": (rng.normal(size=3600) + (month == 3)).round(3),
            "origin": rng.choice(["JFK", "EWR", "LGA"], 3600),
        }
    )
    for month in (1, 2, 3):
        rows = frame[frame.month == month]
        rows.to_json(folder / f"{month}.jsonl", orient="records", lines=True)
    frame.to_json(folder / "year.jsonl", orient="records", lines=True)
    return folder, frame


def url(folder: Path, name: str) -> str:
    return f"jsonl://{folder / name}"


def test_the_source_reads_as_its_rows_do_in_pandas(installed, months):
    folder, frame = months
    jan, mar = frame[frame.month == 1], frame[frame.month == 3]
    profile = ak.build_profile(url(folder, "1.jsonl"), features=["delay", "origin"], bins=6)
    in_pandas = ak.build_profile(jan, features=["delay", "origin"], bins=6)
    for name, fp in profile.features.items():  # (the type names differ: double, float64)
        same = in_pandas.features[name]
        assert (fp.counts, fp.edges, fp.categories) == (same.counts, same.edges, same.categories)
    assert profile.features["delay"].source_type == "double"
    report = ak.check_drift(profile, url(folder, "3.jsonl"))
    assert report.to_dict()["features"] == ak.check_drift(profile, mar).to_dict()["features"]
    assert report.features["delay"].status == "drift"
    assert report.features["origin"].status == "ok"


def test_the_cli_reads_it(installed, months, tmp_path):
    folder, _ = months
    env = {**os.environ, "PYTHONPATH": str(installed)}
    cli = [str(Path(sys.executable).with_name("airflow-kl"))]
    made = subprocess.run(
        [*cli, "profile", url(folder, "1.jsonl"), "-o", str(tmp_path / "p.json"), "--bins", "6"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    checks = {}
    for month in (2, 3):
        done = subprocess.run(
            [*cli, "check", str(tmp_path / "p.json"), url(folder, f"{month}.jsonl")],
            capture_output=True,
            text=True,
            env=env,
        )
        checks[month] = done.returncode
    assert checks == {2: 0, 3: 1}  # 0: no drift, 1: drift


def test_the_operator_reads_it_under_dag_test(installed, months, airflow_db, tmp_path):
    folder, frame = months
    ak.build_profile(frame[frame.month == 1], bins=6).save(tmp_path / "p.json")
    run, ti, report = run_check(
        "outside_source",
        profile=str(tmp_path / "p.json"),
        source=url(folder, "{{ '3' }}.jsonl"),  # templated like any path
        on_drift="warn",
    )
    assert str(ti.state) == "success"
    expected = ak.check_drift(ak.Profile.load(tmp_path / "p.json"), frame[frame.month == 3])
    assert report["drifted"] is True
    assert {n: f["kl"] for n, f in report["features"].items()} == {
        n: f.kl for n, f in expected.features.items()
    }
    assert json.dumps(report["source"]).count("jsonl://") == 1


def test_the_backtest_reads_it(installed, months):
    folder, frame = months
    profile = ak.build_profile(frame[frame.month == 1], bins=6, segment_by="origin")
    timeline = ak.backtest(profile, url(folder, "year.jsonl"), "month")
    assert timeline.drifted == ["3"]
    expected = ak.backtest(profile, frame, "month")
    assert {p: r.to_dict() for p, r in timeline.reports.items()} == {
        p: r.to_dict() for p, r in expected.reports.items()
    }
