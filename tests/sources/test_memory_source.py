"""Rows in memory as a Source: the kernels every engine that holds rows
shares, grouped by segment and partition, and the profile from the three
primitives against the direct one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import airflow_kl as ak
from airflow_kl.sources.memory import FrameSource
from airflow_kl.sources.polars import PolarsSource
from airflow_kl.sources.resolve import resolve
from airflow_kl.sources.source import GroupBy, Source


def test_the_default_profile_from_primitives_equals_the_direct_one():
    """A FrameSource profiles its rows directly; the skeleton every pushdown
    engine uses (primitives, then one count) gives the same profile."""
    rng = np.random.default_rng(11)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=5000),
            "n": rng.integers(0, 7, 5000),
            "c": rng.choice(list("abcdef"), 5000, p=[0.4, 0.2, 0.2, 0.1, 0.05, 0.05]),
        }
    )
    source = FrameSource(frame)
    for binning in ("quantile", "uniform"):
        direct = source.profile(None, 8, 3, binning).features
        skeleton = Source.profile(source, None, 8, 3, binning).features
        assert skeleton == direct, binning


def test_the_primitives_profile_the_features_asked_and_columns_without_values():
    """Only the features asked for, and columns with no finite value (all NaN,
    all infinite, all null) get no edges, on both paths."""
    rng = np.random.default_rng(12)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=500),
            "c": rng.choice(list("ab"), 500),
            "empty": np.full(500, np.nan),
            "inf": np.r_[np.full(499, np.inf), [np.nan]],
            "none": [None] * 500,
        }
    )
    source = FrameSource(frame)
    for features in (["x"], ["empty", "inf", "none"]):
        for binning in ("quantile", "uniform"):
            direct = source.profile(features, 8, 3, binning).features
            skeleton = Source.profile(source, features, 8, 3, binning).features
            assert list(skeleton) == features and skeleton == direct, (features, binning)
    with source.primitives() as primitives:
        columns = {c.name: c for c in primitives.columns(["x", "empty", "inf"])}
        assert list(columns) == ["x", "empty", "inf"]
        assert primitives.value_range(columns["empty"]) == (None, None)
        assert primitives.value_range(columns["inf"]) == (None, None)
        assert primitives.value_range(columns["x"]) == (frame.x.min(), frame.x.max())


def test_counts_grouped_by_partition_and_segment_sum_to_the_whole():
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=3000),
            "o": rng.choice(["JFK", "EWR", "LGA"], 3000),
            "m": rng.integers(1, 4, 3000),
        }
    )
    profile = ak.build_profile(frame, bins=5, segment_by="o", max_segments=2)
    for data in (frame, pl.from_pandas(frame).lazy()):
        source = resolve(data)
        whole = source.count(profile.features).totals()
        counted = source.count(profile.features, GroupBy(profile.segments, "m"))
        assert counted.value == "number" and sorted(counted.parts) == [1, 2, 3]
        assert all(len(groups) == 3 for groups in counted.parts.values())  # JFK/EWR + OTHER
        for name, counts in counted.totals().items():
            assert counts.tolist() == whole[name].tolist()
        month = frame[frame.m == 2]
        assert counted.parts[2][0]["x"].sum() == (month.o == profile.segments.keys[0][0]).sum()


def test_polars_frames_count_as_their_arrow_does():
    frame = pl.DataFrame(
        {
            "x": [1.5, None, 3.0, float("nan"), 7.0],
            "s": ["a", None, "b", "a", "c"],
            "d": pl.Series([1, 2, None, 4, 5]).cast(pl.Date),
        }
    )
    profile = ak.build_profile(frame.to_arrow(), features=["x", "s", "d"], bins=2, top_k=1)
    for data in (frame, frame.lazy()):
        source = PolarsSource(data)
        counts = source.count(profile.features).totals()
        assert {n: c.tolist() for n, c in counts.items()} == {
            n: list(fp.counts) for n, fp in profile.features.items()
        }
        assert source.value_types() == {"x": "number", "s": "string", "d": "datetime"}
    with pytest.raises(ak.SchemaError, match="'nope'"):
        PolarsSource(frame.lazy()).count({"nope": profile.features["x"]})


def test_a_record_batch_and_its_table_count_alike():
    table = pa.table({"x": [0.5, 1.5, 2.5, None]})
    profile = ak.build_profile(table, bins=2)
    batch = FrameSource(table.to_batches()[0])
    assert batch.count(profile.features).totals()["x"].tolist() == list(
        profile.features["x"].counts
    )
