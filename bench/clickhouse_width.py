"""ClickHouse at width: a check of 1,000 features (900 numeric, 100 string,
100k rows) in chdb, and for contrast one of 25 features (1M rows). At width
much of what the query costs is the analyzer's, which grows faster than the
query's size. Each size is counted in both of ClickHouse's forms
(``ClickHouse.count_bins``), forced in turn: a flag per bin in one
``sumForEach`` (a large query, cheap to execute), and a bin index per row
counted by ``countResample`` (``roundDown`` to the edges, or ``transform`` of
the category: a small query, a few operations a row). A check takes the
index form from ``ClickHouse.wide_features`` features on. Baseline: the engine's own
one-pass ``SUM``/``COUNT(DISTINCT)`` over the same columns."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.sources.dialects.clickhouse import ClickHouse

from .data import make_frame
from .timing import best_of
from .warehouses import counted_once

ROWS = 100_000
NUMERIC, CATEGORICAL = 900, 100
FORMS = {"a flag per bin in one sumForEach": 10**9, "a bin index per row": 0}


def run() -> list[dict]:
    rows = []
    for n_rows, numeric, categorical in ((ROWS, NUMERIC, CATEGORICAL), (1_000_000, 20, 5)):
        rows += _both_forms(n_rows, numeric, categorical)
    return rows


def _both_forms(n_rows: int, numeric: int, categorical: int) -> list[dict]:
    reference = make_frame(n_rows, numeric, categorical, seed=1)
    current = make_frame(n_rows, numeric, categorical, shift=0.05, seed=2)
    profile = ak.build_profile(reference)
    expected = ak.count_bins(profile, current)
    size = f"{n_rows // 1000}k x {numeric + categorical:,} features"
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        parquet = tmp / "cur.parquet"
        current.to_parquet(parquet, index=False)
        engine = sa.create_engine(f"chdb:///{tmp / 'clickhouse'}")
        with engine.begin() as conn:
            ddl = ", ".join(
                f'"{c}" Nullable({"Float64" if current[c].dtype.kind == "f" else "String"})'
                for c in current
            )
            conn.exec_driver_sql(f"CREATE TABLE cur ({ddl}) ENGINE = MergeTree ORDER BY tuple()")
            conn.exec_driver_sql(f"INSERT INTO cur SELECT * FROM file('{parquet}', Parquet)")
        source = ak.sql(engine, table="cur")
        own = ", ".join(
            f'SUM("{c}")' if current[c].dtype.kind == "f" else f'COUNT(DISTINCT "{c}")'
            for c in current
        )
        with engine.connect() as conn:
            query = sa.text(f"SELECT {own} FROM cur")
            t_engine = best_of(lambda: conn.execute(query).all(), repeat=2)
        chosen = ClickHouse.wide_features
        for form, wide_features in FORMS.items():
            taken = (len(profile.features) >= chosen) == (wide_features == 0)
            ClickHouse.wide_features = wide_features
            try:
                got, scans = counted_once(engine, profile, source)
                t_ours = best_of(lambda: ak.count_bins(profile, source), repeat=2)
            finally:
                ClickHouse.wide_features = chosen
            exact = all(np.array_equal(got[k], expected[k]) for k in expected)
            rows.append(
                {
                    "benchmark": f"ClickHouse (chdb), {size}: {form}"
                    f"{' (the check)' if taken else ''}, vs its own one-pass SUM/COUNT(DISTINCT)",
                    "ours_s": t_ours,
                    "baseline_s": t_engine,
                    "slowdown": t_ours / t_engine,
                    "exact": exact and scans == 1,
                    "target": "ours_s <= 5 s, one scan",
                }
            )
        engine.dispose()
    return rows
