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


@pytest.fixture(scope="module")
def flights_db(tmp_path_factory, flights):
    """January and September in one SQLite table, and its URL."""
    path = tmp_path_factory.mktemp("cli-sql") / "flights.sqlite"
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{path}")
    cols = [*FLIGHT_FEATURES, "month"]
    flights.loc[flights.month.isin([1, 9]), cols].to_sql("flights", engine, index=False)
    engine.dispose()
    return f"sqlite:///{path}"


def test_check_a_table_named_on_the_command_line(files, flights_db, capsys, tmp_path):
    """A SQL table or query checked from the CLI gives the report of the same rows
    in a Parquet file: --table/--query, --where with a bound --param."""
    import airflow_kl as ak

    profile = ak.Profile.load(files / "p.json")
    want = ak.check_drift(profile, files / "sep.parquet")
    out = tmp_path / "r.json"
    argv = ["check", str(files / "p.json"), flights_db, "--table", "flights"]
    assert main([*argv, "--where", "month = :m", "--param", "m=9", "--json", str(out)]) == 1
    assert json.loads(out.read_text())["features"] == json.loads(want.to_json())["features"]
    query = "SELECT * FROM flights WHERE month = 9"
    assert main(["check", str(files / "p.json"), flights_db, "--query", query]) == 1
    assert "DRIFT in arr_delay" in capsys.readouterr().out
    made = tmp_path / "sql-profile.json"
    assert (
        main(["profile", flights_db, "--table", "flights", "--where", "month = 1", "-o", str(made)])
        == 0
    )
    built = ak.Profile.load(made)
    assert built.features["carrier"].categories == profile.features["carrier"].categories
    assert built.metadata["reference"] == f"{flights_db} flights"


def test_a_sql_source_password_comes_from_the_environment_and_is_never_shown(
    files, capsys, monkeypatch
):
    url = "postgresql+psycopg2://reader@127.0.0.1:1/warehouse"
    monkeypatch.setenv("KL_DB_PASSWORD", "s3cret-pw")
    argv = ["check", str(files / "p.json"), url, "--table", "flights", "--password-env"]
    assert main([*argv, "KL_DB_PASSWORD"]) == 2
    err = capsys.readouterr().err
    assert "s3cret-pw" not in err and err.count("\n") == 1, err
    assert main([*argv, "KL_NOT_SET"]) == 2
    assert capsys.readouterr().err == "airflow-kl: --password-env KL_NOT_SET is not set\n"


@pytest.mark.parametrize(
    "extra,message",
    [
        (["--where", "month = 9"], "airflow-kl: --where needs --table or --query\n"),
        (["--param", "m=9"], "airflow-kl: --param needs --table or --query\n"),
        (["--param", "m"], "expected name=value, got 'm'"),
    ],
)
def test_sql_flags_without_a_table_are_one_line_errors(files, capsys, extra, message):
    assert main(["check", str(files / "p.json"), str(files / "sep.parquet"), *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
