"""Only what a commit appended: January's profile checked since the August
commit judges September alone, and gives the Parquet check's report, from
Python, the command line and KLDriftCheckOperator, on Delta and Iceberg."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import airflow_kl as ak
from tests.conftest import FLIGHT_FEATURES

FORMATS = ["delta", "iceberg"]
AIRFLOW_KL = str(Path(sys.executable).with_name("airflow-kl"))


@pytest.fixture(scope="module")
def january(monthly, tmp_path_factory):
    path = tmp_path_factory.mktemp("profile") / "january.json"
    ak.build_profile(monthly["january"], features=FLIGHT_FEATURES).save(path)
    return path


@pytest.fixture(scope="module")
def september_report(monthly, january):
    """The Parquet check of September alone: what every path below must give."""
    return ak.check_drift(ak.Profile.load(january), monthly["september"]).to_dict()


def since_august(monthly, fmt: str):
    return monthly["versions"][fmt][7]


def assert_same_report(got: dict, expected: dict) -> None:
    assert got["drifted"] == expected["drifted"]
    for name, want in expected["features"].items():
        feature = got["features"][name]
        assert feature["status"] == want["status"], name
        assert (feature["n_current"], feature["n_reference"]) == (
            want["n_current"],
            want["n_reference"],
        ), name
        assert feature["kl"] == pytest.approx(want["kl"], abs=1e-12), name
        counts = [b["current_count"] for b in feature["bins"]]
        assert counts == [b["current_count"] for b in want["bins"]], name


def table_of(monthly, fmt: str) -> str:
    return monthly[fmt]


@pytest.mark.parametrize("fmt", FORMATS)
def test_since_august_judges_september_alone_from_python(fmt, monthly, january, september_report):
    since = since_august(monthly, fmt)
    source = (
        ak.delta(monthly[fmt], since=since)
        if fmt == "delta"
        else ak.iceberg(monthly[fmt], since=since)
    )
    report = ak.check_drift(ak.Profile.load(january), source)
    assert_same_report(report.to_dict(), september_report)
    read = report.data_version
    assert (read["format"], read["since"]) == (fmt, since)
    assert read["appended"] == [monthly["versions"][fmt][8]]  # the September commit alone
    assert report.features["carrier"].n_current == 27574  # September's flights


@pytest.mark.parametrize("fmt", FORMATS)
def test_since_august_from_the_command_line(fmt, monthly, january, september_report, tmp_path):
    out = tmp_path / "report.json"
    done = subprocess.run(
        [
            AIRFLOW_KL,
            "check",
            str(january),
            monthly[fmt],
            "--since",
            str(since_august(monthly, fmt)),
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == (1 if september_report["drifted"] else 0), done.stderr
    got = json.loads(out.read_text())
    assert_same_report(got, september_report)
    assert got["data_version"]["appended"] == [monthly["versions"][fmt][8]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_parquet_folder_has_no_versions_to_start_after(fmt, monthly, january):
    done = subprocess.run(
        [AIRFLOW_KL, "check", str(january), monthly["september"], "--since", "3"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "is not a Delta or Iceberg table" in done.stderr
