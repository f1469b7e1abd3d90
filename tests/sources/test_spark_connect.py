"""Spark Connect DataFrames are a source like any other: a worker with no JVM
counts and profiles a partition on a remote server. Pyspark keeps one kind of
session per process, so the remote side runs in its own process (as on a
worker) while this one holds the classic session of the other tests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import airflow_kl as ak
from tests.conformance.engines import accepted, make_frame
from tests.conftest import ROOT

REMOTE = """
import json, sys
from pyspark.sql import SparkSession
import airflow_kl as ak
from tests.conformance.engines import accepted, make_frame, spark_frame

url, folder, SEGMENTED = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
spark = SparkSession.builder.remote(url).getOrCreate()
data = spark_frame(spark, make_frame())
out = {"type": type(data).__module__, "counts": {}}
for builder in ("pandas", "parquet", "duckdb"):
    profile = ak.Profile.load(f"{folder}/{builder}.json")
    counts = ak.count_bins(profile, data, [k for k in profile.features if k in accepted("spark")])
    out["counts"][builder] = {k: v.tolist() for k, v in counts.items()}
profile = ak.build_profile(data, features=accepted("spark"))
out["profile"] = profile.to_dict()
segmented = ak.Profile.load(f"{folder}/segmented.json")
groups = ak.count_segment_bins(segmented.features, data, segmented.segments)
out["segments"] = [{k: v.tolist() for k, v in g.items()} for g in groups]
out["segmented"] = ak.build_profile(data, **SEGMENTED).to_dict()
print(json.dumps(out))
"""
SEGMENTED = {"features": ["int", "float", "cat"], "segment_by": ["str", "nbool"], "max_segments": 8}


@pytest.fixture(scope="module")
def remote_results(spark_connect, tmp_path_factory):
    from airflow_kl.sources.sql import SqlSource
    from tests.conformance.engines import load_sql, write_parquet

    folder = tmp_path_factory.mktemp("connect")
    frame = make_frame()
    sources = {
        "pandas": frame,
        "parquet": write_parquet(frame[accepted("parquet")], folder / "kinds.parquet"),
        "duckdb": SqlSource(load_sql(f"duckdb:///{folder}/kinds.duckdb", frame), table="kinds"),
    }
    profiles = {}
    for builder, data in sources.items():
        profiles[builder] = ak.build_profile(data, features=accepted(builder))
        profiles[builder].save(folder / f"{builder}.json")
    profiles["segmented"] = ak.build_profile(frame, **SEGMENTED)
    profiles["segmented"].save(folder / "segmented.json")
    done = subprocess.run(
        [sys.executable, "-c", REMOTE, spark_connect, str(folder), json.dumps(SEGMENTED)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1]), profiles


def test_remote_counts_are_the_profiles_own(remote_results):
    """Every kind Spark holds, profiled on three engines, counted on the remote
    server: exactly the profile's counts (so KL 0, p 1: identical data)."""
    results, profiles = remote_results
    assert results["type"].startswith("pyspark.sql.connect")
    for builder, counts in results["counts"].items():
        assert counts, builder
        for kind, got in counts.items():
            assert got == list(profiles[builder].features[kind].counts), (builder, kind)


def test_a_remote_profile_agrees_with_memory(remote_results):
    """Built on the server: the same kinds and categories, edges within rounding
    of numpy's (Spark interpolates quantiles in its own arithmetic), and counts
    that pandas reproduces exactly from the same rows."""
    results, profiles = remote_results
    remote = ak.Profile.from_dict(results["profile"])
    local = profiles["pandas"].features
    recounted = ak.count_bins(remote, make_frame(), list(remote.features))
    for kind, fp in remote.features.items():
        assert (fp.kind, fp.value) == (local[kind].kind, local[kind].value), kind
        assert fp.categories == local[kind].categories, kind
        if fp.edges is not None:
            assert fp.edges == pytest.approx(local[kind].edges, rel=1e-12), kind
        assert recounted[kind].tolist() == list(fp.counts), kind


def test_remote_segments_are_the_profiles_own(remote_results):
    """Segments of strings ("", unicode, missing) and nullable booleans, counted
    and profiled on the server: the profile's own segment counts, and a remote
    segmented profile whose segments pandas recounts exactly."""
    results, profiles = remote_results
    local = profiles["segmented"]
    expected = [{k: list(v) for k, v in g.items()} for g in local.segments.counts]
    assert results["segments"] == expected
    remote = ak.Profile.from_dict(results["segmented"])
    assert remote.segments.keys == local.segments.keys
    assert remote.segments.values == ("string", "boolean")
    recounted = ak.count_segment_bins(remote.features, make_frame(), remote.segments)
    assert [{k: v.tolist() for k, v in g.items()} for g in recounted] == [
        {k: list(v) for k, v in g.items()} for g in remote.segments.counts
    ]
