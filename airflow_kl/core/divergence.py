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
from .measures import MEASURES, MeasureAttributes
from .options import BASES, DIRECTIONS


def check_smoothing(smoothing: float) -> float:
    """A pseudo-count: finite and >= 0."""
    if isinstance(smoothing, bool) or not isinstance(smoothing, (int, float, np.number)):
        raise ConfigError(f"smoothing must be a number >= 0, got {smoothing!r}")
    if not math.isfinite(smoothing) or smoothing < 0:
        raise ConfigError(f"smoothing must be a finite number >= 0, got {smoothing!r}")
    return float(smoothing)


@dataclass(frozen=True)
class Divergences(MeasureAttributes):
    """Every measure of :data:`~airflow_kl.core.measures.MEASURES` for one
    feature (``d.kl``, ``d.js``, ... or ``d.measures``), plus the smoothed vectors
    behind them.

    ``kept`` marks the bins (of the full bin list) that were not empty on both
    sides; ``contributions`` has one KL term per full bin (0 for dropped ones).
    """

    measures: dict[str, float]
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
    return _smoothed(*count_pair(current, reference), smoothing)


def _smoothed(cur: np.ndarray, ref: np.ndarray, smoothing: float):
    """:func:`smoothed` of counts and a pseudo-count already checked."""
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
    """Every measure: KL (in ``direction`` and ``base``), JS (same base), PSI,
    Hellinger, TV.

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
    smoothing = check_smoothing(smoothing)
    return divergences_of(*count_pair(current, reference), smoothing, direction, base)


def divergences_of(
    cur: np.ndarray, ref: np.ndarray, smoothing: float, direction: str, base: str
) -> Divergences:
    """:func:`divergences` of counts and options already checked (a check's
    settings and counts are, once, before every feature is judged)."""
    p, q, kept = _smoothed(cur, ref, smoothing)
    scale = 1.0 / math.log(2) if base == "bits" else 1.0
    forward = direction == "current||reference"
    measures = {
        m.name: m.value(*((p, q) if forward or not m.directed else (q, p)))
        * (scale if m.informational else 1.0)
        for m in MEASURES
    }
    contributions = np.zeros(kept.size)
    contributions[kept] = rel_entr(*((p, q) if forward else (q, p))) * scale
    return Divergences(measures=measures, p=p, q=q, kept=kept, contributions=contributions)
