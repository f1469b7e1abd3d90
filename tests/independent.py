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
