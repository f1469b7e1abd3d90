"""Joint drift of a pair of features, split exactly from the marginals' drift.

A pair (a, b) keeps a 2-D table of reference counts: rows are a's cells,
columns b's. A cell groups adjacent bins of one feature
(:func:`~airflow_kl.core.pair_profile.merged_cells`): at most
:data:`~airflow_kl.core.pair_profile.PAIR_BINS` value cells of about equal
reference rows, and MISSING on its own, so that a table of 3 x 3 value cells
holds about 11 rows a cell at the default ``min_rows`` of 100. The table's row
and column sums are exactly the features' counts, merged.

The divergence follows the features' rules on the flattened cells: cells
empty on both sides are dropped, ``smoothing`` is added to every other one.
Let P be the first side's smoothed joint and Q the second's (P = current by
default). ``P^`` is Q fitted to P's two marginals by iterative proportional
fitting (:func:`fit_marginals`): the I-projection of Q on the tables with
P's marginals, which keeps Q's odds ratios. Then, exactly (Csiszar 1975,
the Pythagorean identity of the I-projection):

    KL(P || Q) = KL(P || P^) + KL(P^ || Q)

The first term is the **dependence part**: zero when only the marginals
moved, whichever feature moved. The second is the **marginal part**.

A pair is judged on its dependence part, with the threshold and a test: the
homogeneous-association test (:func:`association_test`), the log-linear
model [DA][DB][AB] against the saturated one on the raw 2 x cells table
(D = reference or current).

>>> cur = [[30, 10], [10, 30]]       # a and b agree in the current rows
>>> ref = [[10, 30], [30, 10]]       # and disagree in the reference: a butterfly
>>> d = pair_divergences(cur, ref, smoothing=0.5)
>>> round(d.kl, 6), round(d.dependence, 6), round(d.marginal, 6)
(0.520171, 0.520171, 0.0)
>>> g, df, q = association_test(cur, ref)
>>> round(g, 4), df
(41.8599, 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import rel_entr

FIT_TOLERANCE = 1e-15  # largest gap between a fitted and a wanted marginal share
FIT_ITERATIONS = 10_000


def fit_marginals(q: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``q`` (a joint, zeros where it holds nothing) scaled by rows and columns
    until its marginals are ``rows`` and ``cols``: iterative proportional
    fitting (Deming and Stephan 1940), which converges to the I-projection of
    ``q`` on the tables with those marginals when one exists on ``q``'s
    cells (Csiszar 1975). A row or column ``q`` leaves empty stays empty.

    >>> fitted = fit_marginals(np.full((2, 2), 0.25), np.array([0.8, 0.2]), np.array([0.5, 0.5]))
    >>> fitted.round(6).tolist()
    [[0.4, 0.4], [0.1, 0.1]]
    """
    fitted = q.astype(np.float64, copy=True)
    for _ in range(FIT_ITERATIONS):
        fitted *= _ratio(rows, fitted.sum(axis=1))[:, None]
        fitted *= _ratio(cols, fitted.sum(axis=0))[None, :]
        if np.abs(fitted.sum(axis=1) - rows).max() <= FIT_TOLERANCE:
            break
    return fitted


def _ratio(wanted: np.ndarray, found: np.ndarray) -> np.ndarray:
    return np.divide(wanted, found, out=np.zeros_like(wanted, dtype=np.float64), where=found > 0)


@dataclass(frozen=True)
class PairDivergences:
    """The joint KL of a pair, its two parts, and each side's mutual information
    (all in nats); ``fitted`` is ``P^`` and ``terms`` each cell's term of the
    dependence part, ``p ln(p / p^)``."""

    kl: float
    dependence: float
    marginal: float
    mi_reference: float
    mi_current: float
    fitted: np.ndarray
    terms: np.ndarray


def smoothed_joint(current, reference, smoothing: float) -> tuple[np.ndarray, np.ndarray]:
    """``(p, q)``: the smoothed current and reference joints over the same cells,
    cells empty on both sides left at 0, ``smoothing`` added to every other.

    >>> p, q = smoothed_joint([[2, 0], [0, 0]], [[1, 1], [0, 0]], smoothing=1)
    >>> p.tolist(), q.tolist()
    ([[0.75, 0.25], [0.0, 0.0]], [[0.5, 0.5], [0.0, 0.0]])
    """
    cur, ref = (np.asarray(x, dtype=np.float64) for x in (current, reference))
    kept = (cur > 0) | (ref > 0)
    k = int(kept.sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        return tuple(
            np.where(kept, (x + smoothing) / (x.sum() + k * smoothing), 0.0) for x in (cur, ref)
        )


def mutual_information(joint: np.ndarray) -> float:
    """``sum p(a, b) ln(p(a, b) / (p(a) p(b)))`` of a joint (0 when it is empty).

    >>> round(mutual_information(np.array([[0.5, 0.0], [0.0, 0.5]])), 6)  # ln 2
    0.693147
    """
    total = joint.sum()
    if not total > 0:
        return 0.0
    joint = joint / total
    independent = joint.sum(axis=1)[:, None] * joint.sum(axis=0)[None, :]
    return float(rel_entr(joint, independent).sum())


def pair_divergences(
    current, reference, smoothing: float = 0.5, direction: str = "current||reference"
) -> PairDivergences:
    """A pair's joint KL and its dependence and marginal parts (module docstring),
    in nats, from the raw 2-D counts of each side.

    When P puts rows on a row or column of cells where Q has none (possible
    only with ``smoothing=0``), no table with P's marginals lives on Q's
    cells: the marginal part is infinite, and the dependence part is
    measured on the rows and columns both sides hold, P renormalised there.
    """
    p_cur, q_ref = smoothed_joint(current, reference, smoothing)
    p, q = (p_cur, q_ref) if direction == "current||reference" else (q_ref, p_cur)
    kl = float(rel_entr(p, q).sum())
    mi = (mutual_information(q_ref), mutual_information(p_cur))
    if not np.isfinite(p).all() or not np.isfinite(q).all():  # a side with no rows
        nan = np.full_like(p, math.nan)
        return PairDivergences(math.nan, math.nan, math.nan, *mi, nan, np.zeros_like(p))
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    held_rows, held_cols = q.sum(axis=1) > 0, q.sum(axis=0) > 0
    if (rows[~held_rows] > 0).any() or (cols[~held_cols] > 0).any():
        held = np.ix_(held_rows, held_cols)
        inside = np.zeros_like(p)
        inside[held] = p[held] / p[held].sum() if p[held].sum() > 0 else 0.0
        fitted = np.zeros_like(p)
        fitted[held] = fit_marginals(q[held], inside[held].sum(axis=1), inside[held].sum(axis=0))
        terms = rel_entr(inside, fitted)
        return PairDivergences(kl, float(terms.sum()), math.inf, *mi, fitted, terms)
    fitted = fit_marginals(q, rows, cols)
    terms = rel_entr(p, fitted)
    marginal = float(rel_entr(fitted, q).sum())
    return PairDivergences(kl, float(terms.sum()), marginal, *mi, fitted, terms)


def association_fit(table: np.ndarray) -> np.ndarray:
    """The expected counts of a 2 x r x c table under [DA][DB][AB] (no
    three-way interaction), by iterative proportional fitting of its three
    two-way margins (Bishop, Fienberg and Holland 1975, ch. 3)."""
    fitted = np.where(table.sum(axis=0, keepdims=True) > 0, 1.0, 0.0) * np.ones_like(table)
    da, db, ab = table.sum(axis=2), table.sum(axis=1), table.sum(axis=0)
    for _ in range(FIT_ITERATIONS):
        fitted *= _ratio(da, fitted.sum(axis=2))[:, :, None]
        fitted *= _ratio(db, fitted.sum(axis=1))[:, None, :]
        fitted *= _ratio(ab, fitted.sum(axis=0))[None, :, :]
        gap = max(np.abs(fitted.sum(axis=2) - da).max(), np.abs(fitted.sum(axis=1) - db).max())
        if gap <= FIT_TOLERANCE * max(table.sum(), 1.0):
            break
    return fitted


def association_df(current: np.ndarray, reference: np.ndarray) -> int:
    """Degrees of freedom of the homogeneous-association test: over the rows and
    columns that hold rows on both sides (a row one side lacks is fitted
    exactly), the cycle rank ``E - V + C`` of the graph whose vertices are
    those rows and columns and whose edges are the cells holding rows on
    either side (``C`` its connected components). A full r x c table gives
    (r - 1)(c - 1); each empty cell that disconnects nothing takes one away.

    >>> association_df(np.ones((3, 4)), np.ones((3, 4)))
    6
    >>> association_df(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [0, 1]]))  # no cycle
    0
    """
    rows = (current.sum(axis=1) > 0) & (reference.sum(axis=1) > 0)
    cols = (current.sum(axis=0) > 0) & (reference.sum(axis=0) > 0)
    cells = ((current + reference) > 0) & rows[:, None] & cols[None, :]
    edges = np.argwhere(cells)
    r = cells.shape[0]
    parent = list(range(r + cells.shape[1]))

    def root(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    vertices = set()
    for i, j in edges.tolist():
        vertices.update((i, r + j))
        parent[root(i)] = root(r + j)
    components = len({root(v) for v in vertices})
    return max(len(edges) - len(vertices) + components, 0)


def association_test(current, reference) -> tuple[float, int, float]:
    """``(G, df, q)`` of the homogeneous-association test on the raw counts:
    ``G = 2 sum O ln(O / E)`` against :func:`association_fit`, ``df`` by
    :func:`association_df`, ``q`` the small-sample correction
    (:func:`association_q`); ``q = 0`` when the test cannot run (``df = 0``
    or a side with no rows)."""
    cur, ref = (np.asarray(x, dtype=np.float64) for x in (current, reference))
    df = association_df(cur, ref)
    if df == 0 or cur.sum() == 0 or ref.sum() == 0:
        return 0.0, df, 0.0
    table = np.stack([ref, cur])
    fitted = association_fit(table)
    seen = table > 0
    g = max(2.0 * float((table[seen] * np.log(table[seen] / fitted[seen])).sum()), 0.0)
    return g, df, association_q(table, df)


def association_q(table: np.ndarray, df: int) -> float:
    """Williams' (1976) correction carried to the homogeneous-association test:
    ``G / q`` is referred to chi-squared with ``df`` degrees of freedom.

    The test's G is, to first order, the 2 x K homogeneity test over the K
    cells less the 2 x r and 2 x c tests over the rows and the columns, so its
    expectation is theirs, each with Williams' factor
    (:func:`~airflow_kl.core.decision.williams_q`):
    ``q = 1 + a (N sum 1/n_ab - N sum 1/n_a - N sum 1/n_b + 1) / (6 N df)``
    with ``a = N sum 1/N_d - 1`` over the two sides' rows ``N_d``, and the
    sums over the cells, rows and columns the test keeps
    (:func:`association_df`).

    >>> round(association_q(np.full((2, 4, 4), 6.25), 9), 6)
    1.0625
    """
    ref, cur = table
    rows = (cur.sum(axis=1) > 0) & (ref.sum(axis=1) > 0)
    cols = (cur.sum(axis=0) > 0) & (ref.sum(axis=0) > 0)
    kept = table[:, rows][:, :, cols]
    n = kept.sum()
    sides, cells = kept.sum(axis=(1, 2)), kept.sum(axis=0)
    a = n * (1 / sides).sum() - 1
    inverse_cells = (1 / cells[cells > 0]).sum()
    inverse_rows, inverse_cols = (1 / cells.sum(axis=1)).sum(), (1 / cells.sum(axis=0)).sum()
    spread = n * (inverse_cells - inverse_rows - inverse_cols) + 1
    return float(1 + a * spread / (6 * n * df))
