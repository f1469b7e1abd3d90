import json

import numpy as np
import pandas as pd
import pytest

from airflow_kl.cli import main
from tests.conftest import FLIGHT_FEATURES
from tests.independent import categorical_bins, holm, kl_and_g, numeric_bins


@pytest.fixture(scope="module")
def files(tmp_path_factory, flights):
    d = tmp_path_factory.mktemp("cli")
    flights[flights.month == 1].to_parquet(d / "jan.parquet")
    flights[flights.month == 2].to_csv(d / "feb.csv", index=False)
    flights[flights.month == 9].to_parquet(d / "sep.parquet")
    flights[flights.month == 9].head(50).to_parquet(d / "tiny.parquet")
    code = main(
        [
            "profile",
            str(d / "jan.parquet"),
            "-o",
            str(d / "p.json"),
            "--features",
            ",".join(FLIGHT_FEATURES),
        ]
    )
    assert code == 0
    return d


def test_exit_0_no_drift(files, capsys):
    assert main(["check", str(files / "p.json"), str(files / "feb.csv")]) == 0
    out = capsys.readouterr().out
    assert "dataset: no drift" in out and "dep_delay" in out


def test_exit_1_drift(files, capsys):
    assert main(["check", str(files / "p.json"), str(files / "sep.parquet")]) == 1
    assert "dataset: DRIFT in arr_delay" in capsys.readouterr().out


def test_exit_3_insufficient(files, capsys):
    assert main(["check", str(files / "p.json"), str(files / "tiny.parquet")]) == 3
    assert capsys.readouterr().out.count("insufficient_data") == len(FLIGHT_FEATURES)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["check", "{d}/p.json", "{d}/nope.parquet"], "no such file or folder"),
        (["check", "{d}/p.json", "{d}/feb.csv", "--alpha", "2"], "alpha must be in (0, 1)"),
        (["check", "{d}/p.json", "{d}/feb.csv", "--threshold", "-1"], "threshold must be"),
        (["check", "{d}/p.json", "{d}/feb.csv", "--smoothing", "nan"], "smoothing must be"),
        (["check", "{d}/p.json", "{d}/feb.csv", "--correction", "x"], "correction must be one of"),
        (["check", "{d}/p.json"], "required: current"),
        (["check", "{d}/feb.csv", "{d}/feb.csv"], "not valid JSON"),
        (["profile", "{d}/jan.parquet", "-o", "{d}/q.json", "--bins", "0"], "bins must be"),
        (["profile", "{d}/jan.parquet", "-o", "{d}/q.json", "--features", "nope"], "'nope'"),
        (["profile", "{d}/jan.parquet", "-o", "{d}/no/dir/q.json"], "does not exist"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_exit_2_is_one_line_on_stderr(files, capsys, argv, message):
    assert main([a.format(d=files) for a in argv]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and message in captured.err
    assert "Traceback" not in captured.err


def test_failed_check_keeps_existing_json(files, capsys):
    out = files / "keep.json"
    out.write_text('{"old": true}')
    assert main(["check", str(files / "p.json"), str(files / "nope.csv"), "--json", str(out)]) == 2
    assert out.read_text() == '{"old": true}'


def test_json_agrees_with_independent_implementation(files, flights, tmp_path):
    """`check --json` equals a separate pandas/scipy implementation of docs/statistics.md."""
    out = tmp_path / "r.json"
    assert (
        main(["check", str(files / "p.json"), str(files / "sep.parquet"), "--json", str(out)]) == 1
    )
    report = json.loads(out.read_text())
    assert set(report) >= {"drifted", "features", "settings"} and report["drifted"] is True
    ref, cur = flights[flights.month == 1], flights[flights.month == 9]
    raw_p, expected = {}, {}
    for name in FLIGHT_FEATURES:
        if pd.api.types.is_numeric_dtype(ref[name]):
            rc, cc = numeric_bins(ref[name], cur[name])
        else:
            rc, cc = categorical_bins(ref[name], cur[name])
        expected[name] = (rc, cc, *kl_and_g(rc, cc))
        raw_p[name] = expected[name][3]
    corrected = holm(raw_p)
    for name, (rc, cc, kl, p_raw) in expected.items():
        got = report["features"][name]
        assert [b["reference_count"] for b in got["bins"]] == rc.tolist()
        assert [b["current_count"] for b in got["bins"]] == cc.tolist()
        assert got["n_reference"] == len(ref) and got["n_current"] == len(cur)
        assert got["kl"] == pytest.approx(kl, rel=1e-9)
        assert got["p_value_raw"] == pytest.approx(p_raw, rel=1e-9, abs=1e-300)
        assert got["p_value"] == pytest.approx(corrected[name], rel=1e-9, abs=1e-300)
        assert sum(b["contribution"] for b in got["bins"]) == pytest.approx(kl, rel=1e-9)
        drift = got["kl"] >= 0.1 and got["p_value"] < 0.01
        assert got["status"] == ("drift" if drift else "ok")
    assert report["features"]["arr_delay"]["status"] == "drift"
    assert np.isfinite(report["features"]["arr_delay"]["kl"])


def test_history_report_and_html(files, tmp_path, capsys):
    db = tmp_path / "history.db"
    for name, key in (
        ("feb.csv", "2013-02"),
        ("sep.parquet", "2013-09"),
        ("sep.parquet", "2013-09"),
    ):
        main(
            [
                "check",
                str(files / "p.json"),
                str(files / name),
                "--history",
                str(db),
                "--partition",
                key,
                "--json",
                str(tmp_path / f"{key}.json"),
            ]
        )
    capsys.readouterr()
    assert main(["history", "--db", str(db), "--feature", "arr_delay"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split()[0] for line in lines[1:]] == ["2013-02", "2013-09"]  # rerun upserted
    assert lines[2].split()[-1] == "drift"
    out = tmp_path / "r.html"
    assert (
        main(["report", str(tmp_path / "2013-09.json"), "-o", str(out), "--history", str(db)]) == 0
    )
    page = out.read_text()
    assert "DRIFT in arr_delay" in page and page.count("<svg") == len(FLIGHT_FEATURES) * 2


def test_report_of_a_non_report_is_one_line(files, capsys):
    assert main(["report", str(files / "p.json"), "-o", str(files / "x.html")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a drift report" in err


def test_history_needs_partition(files, capsys):
    assert (
        main(
            [
                "check",
                str(files / "p.json"),
                str(files / "feb.csv"),
                "--history",
                str(files / "h.db"),
            ]
        )
        == 2
    )
    assert "--partition" in capsys.readouterr().err
