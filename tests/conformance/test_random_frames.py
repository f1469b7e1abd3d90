"""Random frames: a profile built on one engine counts the same rows identically
on every other engine that holds them (pandas, Arrow, Parquet, SQLite, DuckDB)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import airflow_kl as ak
from airflow_kl.sources.sql import SqlSource

# A few values drawn often, so quantile edges land on values that occur.
NUMBERS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, 2.5, 1e300, -1e-300, float(2**53 + 1)]),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.integers(min_value=-(2**62), max_value=2**62).map(float),
)
TEXT = st.one_of(
    st.sampled_from(["", "a", "é", "日本", "a b"]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=5),
)


@st.composite
def frames(draw):
    n = draw(st.integers(min_value=1, max_value=60))
    numbers = draw(st.lists(NUMBERS, min_size=n, max_size=n))
    texts = draw(st.lists(st.one_of(st.none(), TEXT), min_size=n, max_size=n))
    flags = draw(st.lists(st.sampled_from([True, False, None]), min_size=n, max_size=n))
    ints = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=n, max_size=n))
    return pd.DataFrame(
        {
            "x": np.array(numbers, dtype=np.float64),
            "s": pd.Series(texts, dtype=object),
            "b": pd.array(flags, dtype="boolean"),
            "i": np.array(ints, dtype=np.int64),
        }
    )


def engines(frame: pd.DataFrame, parent) -> dict:
    folder = Path(tempfile.mkdtemp(dir=parent))  # one per example: nothing is replaced
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), folder / "f.parquet")
    out = {
        "pandas": frame,
        "arrow": pa.Table.from_pandas(frame, preserve_index=False),
        "parquet": str(folder / "f.parquet"),
    }
    types = {"x": sa.Double, "s": sa.String, "b": sa.Boolean, "i": sa.BigInteger}
    for name, url in (
        ("sqlite", f"sqlite:///{folder}/f.db"),
        ("duckdb", f"duckdb:///{folder}/f.duckdb"),
    ):
        engine = sa.create_engine(url)
        frame.to_sql("f", engine, index=False, dtype=types)
        out[name] = SqlSource(engine, table="f")
    return out


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=frames(), builder=st.sampled_from(["pandas", "parquet", "sqlite", "duckdb"]))
def test_random_frames_count_the_same_everywhere(frame, builder, tmp_path):
    stores = engines(frame, tmp_path)
    profile = ak.build_profile(stores[builder], bins=4, top_k=3)
    for name, data in stores.items():
        counts = ak.count_bins(profile, data)
        for feature, fp in profile.features.items():
            assert counts[feature].tolist() == list(fp.counts), (builder, name, feature)
