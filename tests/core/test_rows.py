"""A check judges its (segment, feature) pairs as the rows of one matrix; each
row's numbers must be the very doubles that pair gives alone, computed here
the plain 1-D way (and the G-test against scipy)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import rel_entr
from scipy.stats import chi2_contingency

from airflow_kl.core.decision import g_statistics
from airflow_kl.core.divergence import divergences_of_rows
from airflow_kl.core.inputs import rows_alike


def alone(
    cur: np.ndarray, ref: np.ndarray, smoothing: float, forward: bool = True
) -> dict[str, float]:
    """One pair's measures, 1-D, written out (KL reversed unless ``forward``)."""
    kept = (cur > 0) | (ref > 0)
    c, r = cur[kept], ref[kept]
    k = c.size
    with np.errstate(invalid="ignore"):
        p = (c + smoothing) / (c.sum() + k * smoothing)
        q = (r + smoothing) / (r.sum() + k * smoothing)
    m = 0.5 * (p + q)
    with np.errstate(divide="ignore"):
        psi = float(((p - q) * np.log(p / q)).sum())
    return {
        "kl": float(rel_entr(p, q).sum() if forward else rel_entr(q, p).sum()),
        "js": float(0.5 * (rel_entr(p, m).sum() + rel_entr(q, m).sum())),
        "psi": psi,
        "hellinger": math.sqrt(max(0.0, 0.5 * float(((np.sqrt(p) - np.sqrt(q)) ** 2).sum()))),
        "tv": float(0.5 * np.abs(p - q).sum()),
    }


def g_alone(cur: np.ndarray, ref: np.ndarray) -> tuple[float, int, float]:
    """One pair's G and Williams' q, 1-D, written out (0 when no test runs)."""
    table = np.vstack((cur, ref)).astype(np.float64)
    table = table[:, table.sum(axis=0) > 0]
    k, rows = table.shape[1], table.sum(axis=1)
    if k <= 1 or np.any(rows == 0):
        return 0.0, max(k - 1, 0), 0.0
    cols = table.sum(axis=0)
    expected = np.outer(rows, cols) / table.sum()
    seen = table > 0
    g = max(2.0 * float(np.sum(table[seen] * np.log(table[seen] / expected[seen]))), 0.0)
    n = rows.sum()
    q = 1 + (n * np.sum(1 / rows) - 1) * (n * np.sum(1 / cols) - 1) / (6 * n * (k - 1))
    return g, k - 1, float(q)


CURRENT = st.sampled_from([0, 0, 1, 3, 40, 999])  # zeros often: rows of many patterns
REFERENCE = st.sampled_from([0, 1, 2, 50, 7000])  # 1: a pattern of zeros, not of ones
counts = st.integers(2, 14).flatmap(
    lambda k: st.tuples(
        arrays(
            np.int64,
            st.tuples(st.integers(1, 12), st.just(k)),
            elements=st.sampled_from([0, 0, 1, 3, 40, 999]),
        ),
        st.data(),
    )
)


@settings(max_examples=200, deadline=None)
@given(counts=counts, smoothing=st.sampled_from([0.0, 0.5, 1.0]))
def test_each_row_is_measured_as_alone(counts, smoothing):
    current, data = counts
    reference = data.draw(
        arrays(np.int64, current.shape, elements=st.sampled_from([0, 2, 50, 7000]))
    )
    rows = divergences_of_rows(current, reference, smoothing, "current||reference", "nats")
    for i, d in enumerate(rows):
        expected = alone(current[i], reference[i], smoothing)
        got = d.measures
        assert {n: got[n] for n in expected} == expected or all(
            (math.isnan(got[n]) and math.isnan(v)) or got[n] == v for n, v in expected.items()
        ), i
        assert d.kept.tolist() == ((current[i] > 0) | (reference[i] > 0)).tolist()


@settings(max_examples=200, deadline=None)
@given(counts=counts)
def test_each_row_is_g_tested_as_alone(counts):
    current, data = counts
    reference = data.draw(
        arrays(np.int64, current.shape, elements=st.sampled_from([0, 2, 50, 7000]))
    )
    g, df, q = g_statistics(current, reference)
    for i in range(len(current)):
        assert (g[i], df[i], q[i]) == g_alone(current[i], reference[i]), i
        if q[i] > 0:
            table = np.vstack((current[i], reference[i]))
            table = table[:, table.sum(axis=0) > 0]
            found = chi2_contingency(table, correction=False, lambda_="log-likelihood")
            assert math.isclose(g[i], found.statistic, rel_tol=1e-9, abs_tol=1e-9)


def test_rows_alike_keep_each_distinct_row_together():
    pattern = np.array([[1, 0, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1], [1, 1, 1]], dtype=bool)
    groups = sorted(r.tolist() for r in rows_alike(pattern))
    assert groups == [[0, 2], [1, 3], [4]]
    assert rows_alike(np.zeros((0, 3), dtype=bool)) == []


def test_rows_that_differ_only_in_an_empty_bin_are_apart():
    """The second row's first bin is empty on both sides (dropped), the
    first's is not: computed together they would share one set of bins."""
    current = np.array([[0, 5, 9], [0, 5, 9]])
    reference = np.array([[1, 5, 3], [0, 5, 3]])
    g, df, q = g_statistics(current, reference)
    assert [(g[i], df[i], q[i]) for i in range(2)] == [
        g_alone(current[i], reference[i]) for i in range(2)
    ]
    assert df.tolist() == [2, 1]
    rows = divergences_of_rows(current, reference, 0.5, "current||reference", "nats")
    assert [d.measures for d in rows] == [alone(current[i], reference[i], 0.5) for i in range(2)]
    assert [d.kept.tolist() for d in rows] == [[True, True, True], [False, True, True]]
