"""The profiling skeleton every in-place engine fills: given an engine's three
primitives, ``bin_stubs`` makes the bins ``build_profile`` makes from the
same rows in memory. The primitives here are plain pandas, written from
their definitions (top values with ties, finite range, numpy quantiles)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.binning import numeric_counts, quantile_levels
from airflow_kl.sources.profiling import (
    EngineColumn,
    bin_stubs,
    categorical_profile,
    check_profiling,
    default_features,
    numeric_stub,
)


class PandasPrimitives:
    """Each primitive from its definition, over one DataFrame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.asked: list[tuple] = []

    def finite(self, name: str) -> np.ndarray:
        x = self.frame[name].to_numpy(dtype=float)
        return x[np.isfinite(x)]

    def top_values(self, column, top_k):
        self.asked.append(("top", column.name))
        vc = self.frame[column.name].dropna().astype(str).value_counts()
        if len(vc) <= top_k:
            return vc.to_dict()
        least = vc.iloc[top_k - 1]
        return vc[vc >= least].to_dict()

    def value_range(self, column):
        self.asked.append(("range", column.name))
        x = self.finite(column.name)
        return (float(x.min()), float(x.max())) if x.size else (None, None)

    def quantile_edges(self, columns, bins):
        self.asked.append(("quantiles", tuple(c.name for c in columns)))
        levels = quantile_levels(bins)
        return {
            c.name: tuple(np.unique(np.quantile(self.finite(c.name), levels)).tolist())
            for c in columns
        }


@pytest.fixture
def frame():
    rng = np.random.default_rng(8)
    n = 1000
    return pd.DataFrame(
        {
            "x": np.where(rng.random(n) < 0.05, np.inf, rng.normal(size=n)),
            "c": rng.choice(list("abcdefgh"), n, p=[0.3, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05, 0.05]),
            "b": rng.random(n) < 0.3,
            "empty": [None] * n,
        }
    )


def described(frame):
    values = {"x": "number", "c": "string", "b": "boolean", "empty": "null"}
    return [EngineColumn(n, values[n], str(frame[n].dtype), None) for n in frame]


@pytest.mark.parametrize("binning", ["quantile", "uniform"])
def test_the_skeleton_makes_the_bins_build_profile_makes(frame, binning):
    engine = PandasPrimitives(frame)
    stubs = bin_stubs(engine, described(frame), bins=5, top_k=3, binning=binning)
    expected = ak.build_profile(frame, bins=5, top_k=3, binning=binning, features=list(frame))
    for name in ("x", "c", "b"):
        assert stubs[name].kind == expected.features[name].kind
        want = expected.features[name].edges
        assert stubs[name].edges == (None if want is None else pytest.approx(want, rel=1e-12))
        assert stubs[name].categories == expected.features[name].categories
    assert stubs["x"].counts == (0,) * (len(stubs["x"].edges) + 2)  # counted later, in one scan
    assert stubs["c"].counts[-1] == 0  # no missing counted before the scan either
    for name, value in (("x", "number"), ("c", "string"), ("b", "boolean")):
        assert (stubs[name].value, stubs[name].source_type) == (value, str(frame[name].dtype))
    assert stubs["c"].categories == ("a", "b", "c")  # the three most frequent, by count
    assert stubs["b"].categories == ("False", "True")  # the canonical strings, sorted
    # an all-missing column is a string column with no categories, never asked about
    assert (stubs["empty"].kind, stubs["empty"].value, stubs["empty"].categories) == (
        "categorical",
        "string",
        (),
    )
    numeric_asks = [a for a in engine.asked if a[0] != "top"]
    if binning == "quantile":
        assert numeric_asks == [("quantiles", ("x",))]  # every numeric column at once
    else:
        assert numeric_asks == [("range", "x")]
    assert ("top", "empty") not in engine.asked


def test_uniform_edges_span_the_finite_range(frame):
    stubs = bin_stubs(PandasPrimitives(frame), described(frame)[:1], 4, 3, "uniform")
    finite = frame.x[np.isfinite(frame.x)]
    lo, hi = finite.min(), finite.max()
    assert stubs["x"].edges == pytest.approx([lo + (hi - lo) * k / 4 for k in range(1, 4)])


def test_ties_at_the_top_k_boundary_are_broken_by_value():
    """b and c tie for the second place: the engine returns both, the skeleton
    keeps the first by value."""
    frame = pd.DataFrame({"s": ["z"] * 5 + ["c"] * 2 + ["b"] * 2 + ["a"]})
    col = EngineColumn("s", "string", "object", None)
    assert bin_stubs(PandasPrimitives(frame), [col], 3, 2, "quantile")["s"].categories == (
        "z",
        "b",
    )


def test_options_are_checked_before_any_primitive_runs(frame):
    engine = PandasPrimitives(frame)
    with pytest.raises(ak.ConfigError, match=r"binning must be one of \('quantile', 'uniform'\)"):
        bin_stubs(engine, described(frame), 5, 3, "kmeans")
    with pytest.raises(ak.ConfigError, match="bins"):
        check_profiling(0, 3, "quantile")
    assert engine.asked == []


def test_the_shared_builders():
    profile = categorical_profile("c", {"x": 3, "y": 1}, missing=2, top_k=1, value="null")
    assert (profile.categories, profile.counts, profile.value) == (("x",), (3, 1, 2), "string")
    stub = numeric_stub("n", [0.5], "DOUBLE", "number")
    counted = stub.with_counts(numeric_counts(np.array([0.0, 1.0, math.nan]), np.array([0.5])))
    assert counted.counts == (1, 1, 1)
    assert default_features({"a": "number", "d": "datetime", "e": ak.SchemaError("no")}) == ["a"]
    with pytest.raises(ak.SchemaError, match="no number, boolean or string column"):
        default_features({"d": "datetime"})


def test_no_numeric_column_no_quantile_query(frame):
    engine = PandasPrimitives(frame)
    bin_stubs(engine, described(frame)[1:3], 5, 3, "quantile")
    assert engine.asked == [("top", "c"), ("top", "b")]


def test_a_numeric_stub_keeps_its_type():
    stub = numeric_stub("t", (1.5,), "TIMESTAMP", "datetime")
    assert (stub.kind, stub.value, stub.source_type, stub.datetime) == (
        "numeric",
        "datetime",
        "TIMESTAMP",
        True,
    )


def test_a_datetime_column_keeps_its_value_type(frame):
    """The engine sees epoch nanoseconds; the stub records the column's value type."""
    col = EngineColumn("x", "datetime", "TIMESTAMP", None)
    stub = bin_stubs(PandasPrimitives(frame), [col], 4, 3, "quantile")["x"]
    assert (stub.value, stub.datetime, stub.source_type) == ("datetime", True, "TIMESTAMP")
