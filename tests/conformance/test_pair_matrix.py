"""Pairs on every engine: a pair profile built on any engine is pandas' (its
features' counts, each pair's cells and table), and every engine that counts
pairs counts pandas' tables from the same rows, so that the same rows never
make a pair drift. Spark refuses pairs before reading.

Pairs join kinds of every layout: numbers (with NaN and infinities), strings
(with "" and unicode), categoricals, booleans, decimals and datetimes."""

from __future__ import annotations

import pytest

import airflow_kl as ak

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
PAIR_BUILDERS = [b for b in BUILDERS if b != "spark"]
CHECKERS = [c for c in ENGINES if not c.startswith("gx_") and c != "spark"]


def pairs_of(engine: str) -> list[tuple[str, str]]:
    return [p for p in PAIR_KINDS if set(p) <= set(accepted(engine))]


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
    report = ak.check_drift(reference, stores[checker], features=features, pairs=wanted)
    assert sorted(report.pairs) == sorted(wanted)
    expected = {p.features: p.counts for p in reference.pairs}
    for name, result in report.pairs.items():
        table = tuple(tuple(int(v) for v in row) for row in result.current_counts)
        assert table == expected[name], (checker, name)
        assert result.status == "ok" and result.kl == 0.0, (checker, name)


def test_spark_refuses_pairs_before_reading(stores, reference):
    with pytest.raises(ak.ConfigError, match="pairs are counted from .* not from"):
        ak.check_drift(reference, stores["spark"], pairs=[("float", "str")])
