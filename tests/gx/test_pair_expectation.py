"""Pairs through GX: a suite built from a profile with pairs expects on each
pair, and each pair expectation's verdict, p-value and parts are the ones
``check_drift`` reports for the same pairs, from pandas and from SQL."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.gx import (
    ExpectColumnPairDependenceDriftToBeLessThan,
    build_suite,
    load_suite,
    run_suite,
    validate,
)

PAIR = "expect_column_pair_dependence_drift_to_be_less_than"


def rows(seed: int, n: int, rho: float) -> pd.DataFrame:
    """Two correlated features and a category; at rho < 0 the relation flips
    while each feature keeps its distribution (a butterfly)."""
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": rng.choice(list("xyz"), n)})


@pytest.fixture(scope="module")
def profile():
    return ak.build_profile(rows(1, 3000, 0.6), pairs="a:b,a:c,b:c")


def pair_results(result) -> dict[tuple[str, str], object]:
    return {
        (r.expectation_config.kwargs["column_A"], r.expectation_config.kwargs["column_B"]): r
        for r in result.results
        if r.expectation_config.type == PAIR
    }


def assert_pairs_match(result, expected):
    got = pair_results(result)
    assert set(got) == set(expected.pairs)
    for name, pair in expected.pairs.items():
        r = got[name]
        assert r.exception_info.get("raised_exception") is not True, r.exception_info
        details = r.result["details"]
        assert r.success is (pair.status == "ok")
        assert details["status"] == pair.status
        assert details["current_counts"] == [list(row) for row in pair.current_counts]
        assert r.result["observed_value"] == pytest.approx(pair.dependence, rel=1e-12)
        assert details["p_value"] == pytest.approx(pair.p_value, rel=1e-12, abs=1e-300)
        assert details["g_statistic"] == pytest.approx(pair.g_statistic, rel=1e-12)


@pytest.mark.parametrize("where", ["pandas", "SQLite"])
def test_a_butterfly_fails_its_pair_and_only_it(profile, where, tmp_path):
    current = rows(2, 3000, -0.6)
    suite = build_suite(profile, correction="holm")
    assert [e.expectation_type for e in suite.expectations].count(PAIR) == 3
    if where == "SQLite":
        url = f"sqlite:///{tmp_path / 'rows.db'}"
        current.to_sql("cur", sa.create_engine(url), index=False)
        result = validate(suite, connection_string=url, table="cur")
    else:
        result = validate(suite, current)
    expected = ak.check_drift(profile, current)
    assert expected.drifted_pairs == ["a × b"] and expected.drifted_features == []
    assert_pairs_match(result, expected)
    failed = [r for r in result.results if not r.success]
    assert [(r.expectation_config.kwargs["column_A"], r.success) for r in failed] == [("a", False)]


def test_the_runs_drift_report_carries_the_pairs(profile):
    current = rows(2, 3000, -0.6)
    validation = run_suite(build_suite(profile, correction="holm"), data=current)
    report = validation.drift_report()
    expected = ak.check_drift(profile, current)
    assert report.drifted and report.drifted_pairs == ["a × b"]
    assert {k: p.to_dict() for k, p in report.pairs.items()} == {
        k: p.to_dict() for k, p in expected.pairs.items()
    }
    assert validation.failed() == [f"{PAIR}(a, b)"]


def test_a_suite_saved_as_json_judges_the_same(profile, tmp_path):
    current = rows(3, 3000, 0.6)
    path = tmp_path / "suite.json"
    path.write_text(json.dumps(build_suite(profile, correction="holm").to_json_dict()))
    result = validate(load_suite(path), current)
    assert_pairs_match(result, ak.check_drift(profile, current))
    assert result.success


def test_pairs_chosen_none_or_unknown(profile):
    types = [e.expectation_type for e in build_suite(profile, pairs=[]).expectations]
    assert PAIR not in types
    suite = build_suite(profile, pairs="c:b", correction="holm")
    (pair,) = [e for e in suite.expectations if e.expectation_type == PAIR]
    assert (pair.column_A, pair.column_B) == ("b", "c")
    current = rows(2, 3000, -0.6)
    assert_pairs_match(validate(suite, current), ak.check_drift(profile, current, pairs="b:c"))
    with pytest.raises(ak.ConfigError, match="pair a:d is not in the profile"):
        build_suite(profile, pairs="a:d")
    with pytest.raises(ValueError, match="pair b:a is not in the profile; its pairs: none"):
        ExpectColumnPairDependenceDriftToBeLessThan(
            column_A="b", column_B="a", profile=ak.build_profile(rows(1, 300, 0.6)).to_dict()
        )


def test_too_few_rows_fail_or_warn(profile):
    few = rows(4, 50, 0.6)
    for policy, success in (("fail", False), ("warn", True)):
        suite = build_suite(profile, pairs="a:b", on_insufficient_data=policy, correction="holm")
        (r,) = pair_results(validate(suite, few)).values()
        assert r.result["details"]["status"] == "insufficient_data"
        assert r.success is success


def test_a_suite_with_pairs_counts_the_batch_once(profile, monkeypatch):
    """Every expectation of the suite (features and pairs) carries one profile
    text, so GX computes the counts and tables in one metric, one pass."""
    from airflow_kl.gx import pair_metric

    passes = []
    count = pair_metric.pair_counts

    def counted(source, kwargs):
        passes.append(source)
        return count(source, kwargs)

    monkeypatch.setattr(pair_metric, "pair_counts", counted)
    current = rows(2, 3000, -0.6)
    suite = build_suite(profile, correction="holm")
    result = validate(suite, current)
    assert len(passes) == 1
    expected = ak.check_drift(profile, current)
    assert_pairs_match(result, expected)
    features = {
        r.expectation_config.kwargs["column"]: r.result["observed_value"]
        for r in result.results
        if "column" in r.expectation_config.kwargs
    }
    assert features == {n: f.kl for n, f in expected.features.items()}
