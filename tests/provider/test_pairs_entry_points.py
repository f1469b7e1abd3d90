"""A butterfly (the same marginals, the relation flipped) drifts on its pair and on
no feature, with the same numbers from Python, the CLI and the operators."""

import json

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.cli import main
from tests.provider.test_operators import run_operator


def butterfly(rng, n, rho):
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    return pd.DataFrame({"dep_delay": x[:, 0], "arr_delay": x[:, 1]})


@pytest.fixture(scope="module")
def wings(tmp_path_factory):
    folder = tmp_path_factory.mktemp("butterfly")
    rng = np.random.default_rng(44)
    butterfly(rng, 10_000, 0.6).to_parquet(folder / "reference.parquet")
    butterfly(rng, 10_000, -0.6).to_parquet(folder / "current.parquet")
    return folder


def numbers(report: dict) -> dict:
    """What every entry point must agree on: statuses, counts and statistics."""
    (pair,) = report["pairs"]
    keys = ("kl", "dependence", "marginal", "mi_reference", "mi_current", "g_statistic", "df")
    return {
        "drifted": report["drifted"],
        "features": {n: (f["status"], f["kl"]) for n, f in report["features"].items()},
        "pair": {k: pair[k] for k in (*keys, "p_value", "status", "current_counts")},
    }


def test_a_butterfly_drifts_on_its_pair_alone_through_every_entry_point(
    wings, airflow_db, tmp_path, capsys
):
    from airflow_kl.provider import BuildReferenceProfileOperator, KLDriftCheckOperator

    profile = ak.build_profile(wings / "reference.parquet", pairs=[("dep_delay", "arr_delay")])
    python = ak.check_drift(profile, pd.read_parquet(wings / "current.parquet")).to_dict()
    assert [f["status"] for f in python["features"].values()] == ["ok", "ok"]
    assert python["drifted_pairs"] == ["dep_delay × arr_delay"]
    assert python["pairs"][0]["dependence"] > 0.5 > python["pairs"][0]["marginal"] * 100

    cli_profile, cli_report = tmp_path / "cli.json", tmp_path / "cli-report.json"
    argv = ["profile", str(wings / "reference.parquet"), "-o", str(cli_profile)]
    assert main([*argv, "--pairs", "dep_delay:arr_delay"]) == 0
    check = ["check", str(cli_profile), str(wings / "current.parquet"), "--json", str(cli_report)]
    assert main(check) == 1  # drift
    out = capsys.readouterr().out
    assert "dataset: DRIFT in pairs dep_delay × arr_delay" in out
    assert ak.Profile.load(cli_profile).pairs == profile.pairs

    operator_profile = tmp_path / "operator.json"
    run_operator(
        "pairs_profile",
        BuildReferenceProfileOperator,
        "profile",
        source=str(wings / "reference.parquet"),
        profile_path=str(operator_profile),
        pairs="{{ 'dep_delay:arr_delay' }}",
    )
    assert ak.Profile.load(operator_profile).pairs == profile.pairs
    _, ti, operator = run_operator(
        "pairs_check",
        KLDriftCheckOperator,
        "check",
        profile=str(operator_profile),
        source=str(wings / "current.parquet"),
        on_drift="warn",
    )
    assert str(ti.state) == "success"
    expected = numbers(python)
    assert numbers(json.loads(cli_report.read_text())) == expected
    assert numbers(operator) == expected


def test_a_butterfly_in_a_database_gives_the_same_numbers_everywhere(
    wings, airflow_db, postgres_url, tmp_path, capsys, monkeypatch
):
    """The current rows in PostgreSQL, the profile from the Parquet file: Python,
    the CLI, KLDriftCheckOperator and GXValidationOperator (its pair
    expectation) through an Airflow connection agree on every number."""
    import sqlalchemy as sa

    from airflow_kl.provider import GXValidationOperator, KLDriftCheckOperator

    engine = sa.create_engine(postgres_url)
    pd.read_parquet(wings / "current.parquet").to_sql(
        "butterfly_current", engine, index=False, if_exists="replace"
    )
    engine.dispose()
    profile = ak.build_profile(wings / "reference.parquet", pairs=[("dep_delay", "arr_delay")])
    profile_path = tmp_path / "profile.json"
    profile.save(profile_path)
    python = ak.check_drift(profile, ak.sql(postgres_url, table="butterfly_current")).to_dict()
    expected = numbers(python)
    in_memory = ak.check_drift(profile, pd.read_parquet(wings / "current.parquet")).to_dict()
    assert expected == numbers(in_memory)

    cli_report = tmp_path / "cli-report.json"
    argv = ["check", str(profile_path), postgres_url, "--table", "butterfly_current"]
    assert main([*argv, "--json", str(cli_report)]) == 1
    assert "dataset: DRIFT in pairs dep_delay × arr_delay" in capsys.readouterr().out
    assert numbers(json.loads(cli_report.read_text())) == expected

    monkeypatch.setenv("AIRFLOW_CONN_BUTTERFLY_PG", postgres_url.replace("+psycopg2", ""))
    source = {"conn_id": "butterfly_pg", "table": "butterfly_current"}
    _, ti, operator = run_operator(
        "pairs_sql_check",
        KLDriftCheckOperator,
        "check",
        profile=str(profile_path),
        source=source,
        on_drift="warn",
    )
    assert str(ti.state) == "success" and numbers(operator) == expected

    _, ti, validation = run_operator(
        "pairs_sql_validate",
        GXValidationOperator,
        "validate",
        profile=str(profile_path),
        source=source,
        correction="holm",
        on_failure="warn",
    )
    (pair,) = [e for e in validation["expectations"] if "column_A" in e["kwargs"]]
    assert pair["success"] is False
    details = {k: pair["result"]["details"][k] for k in expected["pair"]}
    assert details == expected["pair"]
