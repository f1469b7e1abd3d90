"""A pair's table counts the same rows from every source that counts pairs, and
its sums are the features' own counts, merged."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import airflow_kl as ak
from airflow_kl.core.pair_profile import merge_counts


def rows(n=3000, seed=12):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.05, np.nan, x),
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 90, n), "D"),
            "c": rng.choice(["a", "b", "c", "d", None], n, p=[0.4, 0.3, 0.15, 0.1, 0.05]),
            "flag": rng.random(n) < 0.3 + 0.4 * (x > 0),
        }
    )
    return frame


def test_every_in_memory_source_counts_the_same_tables(tmp_path):
    reference = rows()
    current = rows(seed=13)
    features = ["x", "when", "c", "flag"]
    profile = ak.build_profile(reference, features=features, pairs="x:c, when:flag, c:flag")
    current.to_parquet(tmp_path / "current.parquet")
    current.to_csv(tmp_path / "current.csv", index=False)
    sources = {
        "pandas": current,
        "Arrow": pa.Table.from_pandas(current),
        "Polars": pl.from_pandas(current),
        "Parquet": tmp_path / "current.parquet",
        "CSV": tmp_path / "current.csv",
    }
    reports = {name: ak.check_drift(profile, data).to_dict() for name, data in sources.items()}
    tables = {n: [p["current_counts"] for p in r["pairs"]] for n, r in reports.items()}
    assert all(t == tables["pandas"] for t in tables.values()), tables
    for pair, found in zip(profile.pairs, reports["pandas"]["pairs"], strict=True):
        table = np.array(found["current_counts"])
        for axis, (name, cells) in enumerate(zip(pair.features, pair.cells, strict=True)):
            counts = [b["current_count"] for b in reports["pandas"]["features"][name]["bins"]]
            assert table.sum(axis=1 - axis).tolist() == merge_counts(counts, cells).tolist()
    # the flag moves with x's sign in both: a fresh sample of the same rows keeps its pairs
    assert not reports["pandas"]["drifted"]
