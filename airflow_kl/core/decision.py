"""G-test p-values, multiple-testing correction and the drift verdict.

>>> g, df, p = g_test([30, 70], [50, 50])
>>> round(g, 4), df, round(p, 6)
(8.4024, 1, 0.003886)
>>> correct_pvalues([0.01, 0.04, 0.03], "holm").round(4).tolist()
[0.03, 0.06, 0.06]
>>> feature_status(kl=0.2, p_value=0.001, n_current=500, n_reference=500,
...                threshold=0.1, alpha=0.01, min_rows=100)
'drift'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.special import chdtrc  # chi2.sf without importing scipy.stats (~0.5 s)

from .inputs import count_pair, pvalue_vector, rows_alike
from .option_values import (
    check_alpha,
    check_choice,
    check_drift_share,
    check_min_rows,
    check_threshold,
)
from .options import CORRECTIONS
from .status import DRIFT, INSUFFICIENT, OK, STATUSES, dataset_drifted, dataset_status

# the verdict words and dataset verdicts live in status.py (no numpy), kept here too
__all__ = [
    "DRIFT",
    "INSUFFICIENT",
    "OK",
    "STATUSES",
    "check_alpha",
    "check_correction",
    "check_drift_share",
    "check_min_rows",
    "check_threshold",
    "correct_pvalues",
    "dataset_drifted",
    "dataset_status",
    "feature_status",
    "g_test",
    "williams_q",
]


def check_correction(value: object) -> str:
    """One of :data:`~airflow_kl.core.options.CORRECTIONS`."""
    return check_choice("correction", value, CORRECTIONS)


def williams_q(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Williams' (1976) correction factor for a G-test of an r x c table
    (of each table, given rows of row and column totals).

    ``q = 1 + (N sum 1/R_i - 1)(N sum 1/C_j - 1) / (6 N (r - 1)(c - 1))``; the
    test uses ``G / q``. Without it the G-test rejects too often when expected
    counts are small: at n = m = 100 and 10 bins the uncorrected test flagged
    1.3-1.7% of A/A runs at alpha = 1%, the corrected one 0.8-0.9%.

    >>> round(float(williams_q(np.array([100, 100]), np.array([80, 120]))), 6)
    1.007917
    """
    n = rows.sum(axis=-1)
    r, c = rows.shape[-1], cols.shape[-1]
    inverse_rows, inverse_cols = (1 / rows).sum(axis=-1), (1 / cols).sum(axis=-1)
    return 1 + (n * inverse_rows - 1) * (n * inverse_cols - 1) / (6 * n * (r - 1) * (c - 1))


def g_test(current: Sequence[int], reference: Sequence[int]) -> tuple[float, int, float]:
    """G-test of homogeneity on the 2 x k table: ``(G, df, p)``.

    ``G = 2 sum O ln(O/E)`` on the raw counts; ``p = chi2.sf(G / q, k - 1)`` with
    Williams' correction ``q`` (:func:`williams_q`), computed as
    ``scipy.special.chdtrc(k - 1, G / q)``, the function ``chi2.sf`` calls. Bins empty on both sides
    are dropped; ``p = 1`` when ``k <= 1`` or one side has no rows. The counts
    are refused unless they are whole numbers >= 0 of one length.
    """
    g, df, q = g_statistic(*count_pair(current, reference))
    return g, df, float(g_pvalues(np.array([g]), np.array([df]), np.array([q]))[0])


def g_statistic(current: np.ndarray, reference: np.ndarray) -> tuple[float, int, float]:
    """``(G, df, q)`` of checked counts (:func:`g_test`), its p-value left to
    :func:`g_pvalues`, which takes every test of a check at once; ``q = 0``
    when the test cannot run (``k <= 1`` or one side has no rows).

    >>> g_statistic(np.array([5, 3]), np.array([0, 0]))  # no reference rows: no test
    (0.0, 1, 0.0)
    """
    g, df, q = g_statistics(np.asarray(current)[None], np.asarray(reference)[None])
    return float(g[0]), int(df[0]), float(q[0])


def g_statistics(
    current: np.ndarray, reference: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`g_statistic` of each row of two checked count matrices (a check's
    (segment, feature) pairs with one bin count). Rows with the same empty
    cells are computed together, so every reduction runs over the same cells
    as for that row alone and each result is the very double it gives.

    >>> g, df, q = g_statistics(np.array([[30, 70], [5, 3]]), np.array([[50, 50], [0, 0]]))
    >>> g.round(4).tolist(), df.tolist(), q.round(6).tolist()
    ([8.4024, 0.0], [1, 1], [1.007917, 0.0])
    """
    cur = np.asarray(current, dtype=np.float64)
    ref = np.asarray(reference, dtype=np.float64)
    g, q = np.zeros(len(cur)), np.zeros(len(cur))
    df = np.zeros(len(cur), dtype=np.int64)
    for rows in rows_alike(np.concatenate([cur > 0, ref > 0], axis=1)):
        g[rows], df[rows], q[rows] = _g_of_alike(cur[rows], ref[rows])
    return g, df, q


def _g_of_alike(cur: np.ndarray, ref: np.ndarray) -> tuple[Any, Any, Any]:
    """``(G, df, q)`` of rows whose empty cells are the same: the 2 x k table of
    each (bins empty on both sides dropped) reduced along its own cells."""
    kept = (cur[0] + ref[0]) > 0
    table = np.stack([np.compress(kept, cur, 1), np.compress(kept, ref, 1)], axis=1)  # 2 x k each
    m, k = len(table), table.shape[2]
    totals = table.sum(axis=2)  # row totals
    if k <= 1 or np.any(totals[0] == 0):
        return 0.0, max(k - 1, 0), 0.0
    cols = table.sum(axis=1)
    cells = table.reshape(m, 2 * k)
    outer = (totals[:, :, None] * cols[:, None, :]).reshape(m, 2 * k)
    expected = outer / cells.sum(axis=1)[:, None]
    observed = cells[0] > 0
    o, e = np.compress(observed, cells, 1), np.compress(observed, expected, 1)  # row by row
    g = np.maximum(2.0 * (o * np.log(o / e)).sum(axis=1), 0.0)
    return g, k - 1, williams_q(totals, cols)


def g_pvalues(g: np.ndarray, df: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The G-tests' p-values, ``chdtrc(df, G / q)`` element by element in one
    call (each the value the call for that test alone gives); 1 where ``q = 0``.

    >>> g_pvalues(np.array([3.0, 0.0]), np.array([2, 1]), np.array([1.0, 0.0])).round(6).tolist()
    [0.22313, 1.0]
    """
    runs = q > 0
    out = np.ones(g.size)
    out[runs] = chdtrc(df[runs], g[runs] / q[runs])
    return out


def correct_pvalues(pvalues: Sequence[float], method: str = "holm") -> np.ndarray:
    """Family-wise (Holm, Bonferroni) or false-discovery (Benjamini-Hochberg)
    correction of p-values, each a number in [0, 1].

    >>> correct_pvalues([0.01, 0.04, 0.03], "bh").round(4).tolist()
    [0.03, 0.04, 0.04]
    """
    method = check_correction(method)
    p = pvalue_vector(pvalues)
    m = p.size
    if m == 0 or method == "none":
        return p.copy()
    if method == "bonferroni":
        return np.minimum(p * m, 1.0)
    order = np.argsort(p)  # tied p-values get one adjusted value, in any order
    ranked = p[order]
    if method == "holm":
        adjusted = np.maximum.accumulate(ranked * (m - np.arange(m)))
    else:  # bh: step-up, monotone from the largest p down
        adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


def feature_status(
    *,
    kl: float,
    p_value: float | None,
    n_current: int,
    n_reference: int,
    threshold: float,
    alpha: float | None,
    min_rows: int,
) -> str:
    """``insufficient_data`` below ``min_rows``; else ``drift`` or ``ok`` by
    :func:`drifts`."""
    if n_current < min_rows or n_reference < min_rows:
        return INSUFFICIENT
    return DRIFT if drifts(kl, p_value, threshold, alpha) else OK


def drifts(kl: float, p_value: float | None, threshold: float, alpha: float | None) -> bool:
    """The verdict of a judged feature, written once: KL >= threshold and the
    corrected p-value < alpha (or alpha is None); an infinite KL always drifts.

    >>> drifts(0.2, 0.001, 0.1, 0.01), drifts(0.2, 0.05, 0.1, 0.01), drifts(0.2, 0.05, 0.1, None)
    (True, False, True)
    >>> drifts(float("inf"), 0.5, 0.1, 0.01)
    True
    """
    if math.isinf(kl):
        return True
    significant = alpha is None or (p_value is not None and p_value < alpha)
    return kl >= threshold and significant
