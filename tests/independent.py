"""A second, deliberately separate implementation of docs/statistics.md.s statistics,
written with pandas and scipy only, to pin every layer's numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import rel_entr
from scipy.stats import chi2, chi2_contingency


def numeric_bins(ref: pd.Series, cur: pd.Series, bins: int = 10):
    finite = ref[np.isfinite(ref)]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))

    def counts(s):
        # np.digitize(right=False): edges[i-1] <= x < edges[i]
        idx = np.digitize(s.dropna().to_numpy(float), edges, right=False)
        c = np.bincount(idx, minlength=len(edges) + 1)
        return np.append(c, s.isna().sum())

    return counts(ref), counts(cur)


def categorical_bins(ref: pd.Series, cur: pd.Series, top_k: int = 20):
    vc = ref.dropna().astype(str).value_counts()
    ordered = sorted(vc.items(), key=lambda kv: (-kv[1], kv[0]))[:top_k]
    cats = [k for k, _ in ordered]

    def counts(s):
        v = s.dropna().astype(str)
        inside = v[v.isin(cats)].value_counts().reindex(cats, fill_value=0).to_numpy()
        return np.append(inside, [(~v.isin(cats)).sum(), s.isna().sum()])

    return counts(ref), counts(cur)


def kl_and_g(ref_counts, cur_counts, alpha=0.5):
    keep = (np.asarray(ref_counts) + np.asarray(cur_counts)) > 0
    r, c = np.asarray(ref_counts)[keep], np.asarray(cur_counts)[keep]
    k = keep.sum()
    p = (c + alpha) / (c.sum() + k * alpha)
    q = (r + alpha) / (r.sum() + k * alpha)
    table = np.vstack([c, r]).astype(float)
    g, _, df, _ = chi2_contingency(table, lambda_="log-likelihood", correction=False)
    # Williams' correction (Sokal & Rohlf): q = 1 + (N sum 1/R - 1)(N sum 1/C - 1) / (6N(r-1)(c-1))
    n, rows, cols = table.sum(), table.sum(axis=1), table.sum(axis=0)
    williams = 1 + (n * (1 / rows).sum() - 1) * (n * (1 / cols).sum() - 1) / (6 * n * (k - 1))
    return float(rel_entr(p, q).sum()), float(chi2.sf(g / williams, df))


def holm(pvalues: dict[str, float]) -> dict[str, float]:
    items = sorted(pvalues.items(), key=lambda kv: kv[1])
    m, running, out = len(items), 0.0, {}
    for i, (name, p) in enumerate(items):
        running = max(running, min(1.0, (m - i) * p))
        out[name] = running
    return out


def pair_tables(ref: pd.DataFrame, cur: pd.DataFrame, a: str, b: str, edges, cells):
    """Both sides' 2-D counts of two numeric columns: each value's bin by
    ``np.digitize`` over ``edges[name]`` (NaN in MISSING, the last bin), the bin
    mapped to its cell by ``cells[name]``."""

    def cell(s: pd.Series, name: str) -> np.ndarray:
        values = s.to_numpy(float)
        bins = np.digitize(np.nan_to_num(values, nan=0.0), edges[name], right=False)
        bins[np.isnan(values)] = len(edges[name]) + 1
        return np.asarray(cells[name])[bins]

    shape = (max(cells[a]) + 1, max(cells[b]) + 1)

    def table(frame: pd.DataFrame) -> np.ndarray:
        out = np.zeros(shape, dtype=np.int64)
        np.add.at(out, (cell(frame[a], a), cell(frame[b], b)), 1)
        return out

    return table(ref), table(cur)


def pair_split(ref_table, cur_table, alpha=0.5, iterations=2000):
    """``(joint KL, dependence part, marginal part)`` of KL(current || reference)
    from the definition: cells empty on both sides dropped, ``alpha`` added to
    the others, the reference refitted to the current marginals by a fixed
    number of row and column scalings, each KL a plain sum of p ln(p / q)."""
    ref, cur = np.asarray(ref_table, float), np.asarray(cur_table, float)
    kept = (ref + cur) > 0
    k = kept.sum()
    p = np.where(kept, (cur + alpha) / (cur.sum() + k * alpha), 0.0)
    q = np.where(kept, (ref + alpha) / (ref.sum() + k * alpha), 0.0)
    fitted = q.copy()

    def scale(wanted, found):  # a row or column with nothing in it stays empty
        return np.divide(wanted, found, out=np.zeros_like(wanted), where=found > 0)

    for _ in range(iterations):
        fitted = fitted * scale(p.sum(axis=1), fitted.sum(axis=1))[:, None]
        fitted = fitted * scale(p.sum(axis=0), fitted.sum(axis=0))[None, :]

    def kl(x, y):
        on = x > 0
        return float(np.sum(x[on] * np.log(x[on] / y[on])))

    return kl(p, q), kl(p, fitted), kl(fitted, q)


def no_three_way_g(ref_table, cur_table):
    """G of the log-linear model [DA][DB][AB] on the 2 x r x c table (no cell
    empty), fitted as a Poisson regression by iteratively reweighted least
    squares on a dummy-coded design matrix: a computation that shares nothing
    with iterative proportional fitting."""
    table = np.stack([np.asarray(ref_table, float), np.asarray(cur_table, float)])
    d, r, c = np.indices(table.shape)
    d, r, c, y = d.ravel(), r.ravel(), c.ravel(), table.ravel()

    def dummies(levels, count):
        return np.stack([(levels == i).astype(float) for i in range(1, count)], axis=1)

    nr, nc = table.shape[1], table.shape[2]
    da, db = dummies(d, 2), dummies(r, nr)
    dc = dummies(c, nc)
    columns = [np.ones_like(y), da[:, 0], *db.T, *dc.T]
    columns += [da[:, 0] * x for x in db.T] + [da[:, 0] * x for x in dc.T]
    columns += [x * z for x in db.T for z in dc.T]
    design = np.stack(columns, axis=1)
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(y.mean())
    for _ in range(100):
        mu = np.exp(design @ beta)
        z = design @ beta + (y - mu) / mu
        w = np.sqrt(mu)
        beta = np.linalg.lstsq(design * w[:, None], z * w, rcond=None)[0]
    mu = np.exp(design @ beta)
    return float(2 * np.sum(y * np.log(y / mu)))
