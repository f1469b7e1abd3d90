"""Pairs on every engine: a pair profile built on any engine is pandas' (its
features' counts, each pair's cells and table), and every engine counts
pandas' tables from the same rows (Spark by either kernel, GX on pandas,
SQL and Spark), so that the same rows never make a pair drift.

Pairs join kinds of every layout: numbers (with NaN and infinities), strings
(with "" and unicode), categoricals, booleans, decimals and datetimes."""

from __future__ import annotations

import pytest

import airflow_kl as ak
from airflow_kl.gx import build_suite, validate
from airflow_kl.sources.spark import SparkSource

from .engines import BUILDERS, ENGINES, N, accepted

PAIR_KINDS = [
    ("float", "str"),
    ("int", "cat"),
    ("bool", "dec"),
    ("date", "tstz"),
    ("nbool", "bigint"),
    ("ts", "f32"),
    ("str", "int"),
]
PAIR_BUILDERS = BUILDERS
CHECKERS = [*ENGINES, "spark_aggregates"]


def pairs_of(engine: str) -> list[tuple[str, str]]:
    accepted_kinds = set(accepted(engine.removesuffix("_aggregates")))
    return [p for p in PAIR_KINDS if set(p) <= accepted_kinds]


@pytest.fixture(scope="module")
def reference(stores):
    return ak.build_profile(stores["pandas"], features=accepted("pandas"), pairs=PAIR_KINDS)


def test_the_reference_has_every_pair(reference):
    assert [p.features for p in reference.pairs] == PAIR_KINDS
    assert all(sum(map(sum, p.counts)) == N for p in reference.pairs)


@pytest.mark.parametrize("builder", PAIR_BUILDERS)
def test_a_pair_profile_built_anywhere_is_pandas(builder, stores, reference):
    wanted = pairs_of(builder)
    built = ak.build_profile(stores[builder], features=accepted(builder), pairs=wanted)
    expected = {p.features: p for p in reference.pairs}
    for pair in built.pairs:
        assert pair.cells == expected[pair.features].cells, (builder, pair.name)
        assert pair.counts == expected[pair.features].counts, (builder, pair.name)
    assert [p.features for p in built.pairs] == wanted


@pytest.mark.parametrize("checker", CHECKERS)
def test_every_engine_counts_pandas_tables_and_nothing_drifts(checker, stores, reference):
    wanted = pairs_of(checker)
    features = sorted({k for p in wanted for k in p})
    data = stores[checker.removesuffix("_aggregates")]
    if checker == "spark_aggregates":  # bin predicates grouped by the cells, no Python workers
        data = SparkSource(data, kernel="aggregates")
    if checker.startswith("gx_"):
        found = gx_pairs(checker, data, reference, features, wanted)
    else:
        report = ak.check_drift(reference, data, features=features, pairs=wanted)
        found = {k: (p.current_counts, p.status, p.kl) for k, p in report.pairs.items()}
    assert sorted(found) == sorted(wanted)
    expected = {p.features: p.counts for p in reference.pairs}
    for name, (counts, status, kl) in found.items():
        table = tuple(tuple(int(v) for v in row) for row in counts)
        assert table == expected[name], (checker, name)
        assert status == "ok" and kl == 0.0, (checker, name)


def gx_pairs(checker, data, reference, features, wanted) -> dict:
    """Each pair expectation's table, status and KL, through a GX suite."""
    suite = build_suite(reference, features=features, pairs=wanted)
    if checker in ("gx_sql", "gx_sqlite"):
        result = validate(suite, connection_string=data, table="kinds")
    else:
        result = validate(suite, data)
    found = {}
    for r in result.results:
        kwargs = r.expectation_config.kwargs
        if "column_A" in kwargs:
            assert r.exception_info.get("raised_exception") is not True, r.exception_info
            d = r.result["details"]
            name = (kwargs["column_A"], kwargs["column_B"])
            found[name] = (d["current_counts"], d["status"], d["kl"])
    return found
