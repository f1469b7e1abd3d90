"""Smoothed bin distributions and the divergences between them.

Bins empty on both sides are dropped; with ``k`` bins left and pseudo-count
``alpha``: ``p_i = (cur_i + alpha) / (n_cur + k*alpha)`` and likewise ``q``.
``KL = sum p_i ln(p_i / q_i)`` is KL(current || reference) in nats.

>>> d = divergences([30, 70], [50, 50], smoothing=0.5)
>>> round(d.kl, 6), round(d.js, 6), round(d.psi, 6)
(0.080614, 0.020571, 0.165918)
>>> divergences([1, 0], [0, 1], smoothing=0).kl
inf
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import rel_entr  # x ln(x/y), 0 at x = 0, inf at y = 0

from .errors import ConfigError
from .inputs import count_pair
from .options import BASES, DIRECTIONS


def check_smoothing(smoothing: float) -> float:
    """A pseudo-count: finite and >= 0."""
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float, np.number)):
        raise ConfigError(f"smoothing must be a number >= 0, got {smoothing!r}")
    if not math.isfinite(smoothing) or smoothing < 0:
        raise ConfigError(f"smoothing must be a finite number >= 0, got {smoothing!r}")
    return float(smoothing)


@dataclass(frozen=True)
class Divergences:
    """Every divergence of one feature, plus the smoothed vectors behind them.

    ``kept`` marks the bins (of the full bin list) that were not empty on both
    sides; ``contributions`` has one entry per full bin (0 for dropped ones).
    """

    kl: float
    js: float
    psi: float
    hellinger: float
    tv: float
    p: np.ndarray
    q: np.ndarray
    kept: np.ndarray
    contributions: np.ndarray


def smoothed(
    current: np.ndarray, reference: np.ndarray, smoothing: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p, q, kept)``: smoothed current and reference shares over the kept bins.
    The counts are refused unless they are whole numbers >= 0 of one length."""
    smoothing = check_smoothing(smoothing)
    cur, ref = count_pair(current, reference)
    kept = (cur > 0) | (ref > 0)
    c, r = cur[kept], ref[kept]
    k = c.size

    def share(x: np.ndarray) -> np.ndarray:
        total = x.sum() + k * smoothing
        return (x + smoothing) / total if total > 0 else np.full(k, np.nan)

    return share(c), share(r), kept


def divergences(
    current: np.ndarray,
    reference: np.ndarray,
    smoothing: float = 0.5,
    direction: str = "current||reference",
    base: str = "nats",
) -> Divergences:
    """KL (in ``direction`` and ``base``), JS (same base), PSI, Hellinger, TV.

    Identical distributions give zeros. With ``smoothing=0`` an empty
    reference bin that has current rows makes KL (and PSI) infinite.

    >>> d = divergences([10, 0, 5], [10, 0, 5])
    >>> (d.kl, d.tv, d.kept.tolist())
    (0.0, 0.0, [True, False, True])
    """
    if direction not in DIRECTIONS:
        raise ConfigError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if base not in BASES:
        raise ConfigError(f"base must be one of {BASES}, got {base!r}")
    p, q, kept = smoothed(current, reference, smoothing)
    scale = 1.0 / math.log(2) if base == "bits" else 1.0
    a, b = (p, q) if direction == "current||reference" else (q, p)
    contrib_kept = rel_entr(a, b) * scale
    m = 0.5 * (p + q)
    js = 0.5 * (rel_entr(p, m).sum() + rel_entr(q, m).sum()) * scale
    with np.errstate(divide="ignore"):  # log(0) = -inf with smoothing 0: PSI is inf
        psi_terms = (p - q) * np.log(p / q)  # a kept bin has p > 0 or q > 0: never 0/0
    contributions = np.zeros(kept.size)
    contributions[kept] = contrib_kept
    return Divergences(
        kl=float(contrib_kept.sum()),
        js=float(js),
        psi=float(psi_terms.sum()),
        hellinger=float(math.sqrt(max(0.0, 0.5 * float(((np.sqrt(p) - np.sqrt(q)) ** 2).sum())))),
        tv=float(0.5 * np.abs(p - q).sum()),
        p=p,
        q=q,
        kept=kept,
        contributions=contributions,
    )
