"""Pairs counted in SQL: the features' tallies grouped by the pairs' cells, in
the scan that counts the features (every engine's tables: the conformance
matrix). Here: how many scans, and the cases at the edges (no rows, auto
pairs, pairs that share no feature)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources import pair_groups


def rows(seed: int, n: int, rho: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    frame = pd.DataFrame(
        {
            "a": x[:, 0],
            "b": x[:, 1],
            "c": rng.choice(["x", "y", "z", "w"], n),
            "d": rng.normal(size=n),
            "e": rng.choice(["p", "q"], n),
            "f": rng.exponential(size=n),
        }
    )
    frame.loc[rng.random(n) < 0.05, "a"] = np.nan
    frame.loc[rng.random(n) < 0.05, "c"] = None
    return frame


@pytest.fixture()
def engine(tmp_path):
    engine = sa.create_engine(f"duckdb:///{tmp_path / 'rows.duckdb'}")
    rows(1, 4000, 0.6).to_sql("ref", engine, index=False)
    rows(2, 4000, -0.6).to_sql("cur", engine, index=False)
    rows(2, 4000, -0.6).head(0).to_sql("empty", engine, index=False)
    yield engine
    engine.dispose()


def scans_of(engine: sa.Engine, table: str, run) -> tuple[object, int]:
    """``run()``'s result, and how many statements it sent that read ``table``."""
    sent = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {table}" in statement and "count(*)" in statement.lower():
            sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        return run(), len(sent)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)


def test_pairs_add_no_scan_and_judge_as_pandas(engine):
    pairs = "a:b,c:a,e:d"
    profile = ak.build_profile(rows(1, 4000, 0.6), pairs=pairs)
    source = ak.sql(engine, table="cur")
    with_pairs, scans = scans_of(engine, "cur", lambda: ak.check_drift(profile, source))
    alone, scans_alone = scans_of(engine, "cur", lambda: ak.check_drift(profile, source, pairs=[]))
    assert scans == scans_alone == 1
    assert with_pairs.to_dict() == ak.check_drift(profile, rows(2, 4000, -0.6)).to_dict()
    assert with_pairs.drifted_pairs == ["a × b"] and with_pairs.drifted_features == []
    assert alone.features == with_pairs.features


def test_pairs_sharing_no_feature_past_one_scans_groups_take_a_scan_each(engine, monkeypatch):
    """Three pairs with no feature in common, at most 4 groups a scan (one
    feature's cells): the first scan counts every feature and one pair, each
    later one only the partner of its pair's grouped feature."""
    pairs = [("a", "b"), ("c", "d"), ("e", "f")]
    profile = ak.build_profile(rows(1, 4000, 0.6), pairs=pairs)
    assert [len(s.keys) for s in pair_groups.pair_scans(profile.pairs, 4)] == [1, 1, 1]
    monkeypatch.setattr(pair_groups, "MAX_GROUPS", 4)
    checked, scans = scans_of(
        engine, "cur", lambda: ak.check_drift(profile, ak.sql(engine, table="cur"))
    )
    assert scans == 3
    assert checked.to_dict() == ak.check_drift(profile, rows(2, 4000, -0.6)).to_dict()


def test_no_rows_give_empty_tables(engine):
    profile = ak.build_profile(rows(1, 4000, 0.6), pairs="a:b,c:e")
    report = ak.check_drift(profile, ak.sql(engine, table="empty"))
    assert report.to_dict() == ak.check_drift(profile, rows(2, 10, 0.0).head(0)).to_dict()
    for result in report.pairs.values():
        assert result.n_current == 0 and result.status == "insufficient_data"


def test_auto_pairs_from_sql_are_pandas_picks(engine):
    """Fifteen candidate pairs of six features, counted in one scan grouped by
    the cells of five of them (4**5 = 1,024 groups at most)."""
    source = ak.sql(engine, table="ref")
    built, scans = scans_of(engine, "ref", lambda: ak.build_profile(source, pairs="auto:3"))
    expected = ak.build_profile(rows(1, 4000, 0.6), pairs="auto:3")
    assert built.settings["pairs_picked"] == expected.settings["pairs_picked"]
    assert built.pairs == expected.pairs
    assert built.pairs[0].features == ("a", "b")
    _, scans_alone = scans_of(engine, "ref", lambda: ak.build_profile(source))
    assert scans == scans_alone + 1  # the candidates' tables: one more scan
