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

from .inputs import count_pair, rows_alike
from .measures import MEASURES, MeasureAttributes
from .option_values import check_choice, check_smoothing
from .options import BASES, DIRECTIONS


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
    The counts are refused unless they are whole numbers >= 0 of one length.

    >>> p, q, kept = smoothed([3, 0, 1], [1, 0, 3], smoothing=1)  # the middle bin dropped
    >>> p.tolist(), kept.tolist()
    ([0.6666666666666666, 0.3333333333333333], [True, False, True])
    """
    smoothing = check_smoothing(smoothing)
    return _smoothed(*count_pair(current, reference), smoothing)


def _smoothed(cur: np.ndarray, ref: np.ndarray, smoothing: float):
    """:func:`smoothed` of counts and a pseudo-count already checked."""
    kept = (cur > 0) | (ref > 0)
    p, q = _shares(cur[kept][None], ref[kept][None], smoothing)
    return p[0], q[0], kept


def _shares(cur: np.ndarray, ref: np.ndarray, smoothing: float) -> tuple[np.ndarray, np.ndarray]:
    """Rows of counts over their kept bins as smoothed shares: ``(x + alpha) /
    (n + k alpha)``; NaN where a side has no rows and no smoothing (0 / 0).
    The rows must be C-contiguous (``np.compress``, not ``x[:, kept]``, which
    lays them out by column): a sum along a row is then numpy's pairwise sum
    of that row alone, the double a 1-D row gives."""
    k = cur.shape[-1]
    with np.errstate(invalid="ignore"):
        return tuple(
            (x + smoothing) / (x.sum(axis=-1, keepdims=True) + k * smoothing) for x in (cur, ref)
        )


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
    check_choice("direction", direction, DIRECTIONS)
    check_choice("base", base, BASES)
    smoothing = check_smoothing(smoothing)
    return divergences_of(*count_pair(current, reference), smoothing, direction, base)


def divergences_of(
    cur: np.ndarray, ref: np.ndarray, smoothing: float, direction: str, base: str
) -> Divergences:
    """:func:`divergences` of counts and options already checked (a check's
    settings and counts are, once, before every feature is judged)."""
    return divergences_of_rows(cur[None], ref[None], smoothing, direction, base)[0]


def divergences_of_rows(
    cur: np.ndarray, ref: np.ndarray, smoothing: float, direction: str, base: str
) -> list[Divergences]:
    """:func:`divergences_of` of each row of two count matrices (a check's
    (segment, feature) pairs with one bin count). Rows that keep the same bins
    are measured together, each measure reducing along a row's own kept bins,
    so every value is the very double that row alone gives.

    >>> cur, ref = np.array([[30, 70], [10, 0]]), np.array([[50, 50], [10, 0]])
    >>> rows = divergences_of_rows(cur, ref, 0.5, "current||reference", "nats")
    >>> [round(d.kl, 6) for d in rows], rows[1].kept.tolist()
    ([0.080614, 0.0], [True, False])
    """
    scale = 1.0 / math.log(2) if base == "bits" else 1.0
    forward = direction == "current||reference"
    out: list[Divergences | None] = [None] * len(cur)
    for rows in rows_alike((cur > 0) | (ref > 0)):
        kept = (cur[rows[0]] > 0) | (ref[rows[0]] > 0)
        p, q = _shares(np.compress(kept, cur[rows], 1), np.compress(kept, ref[rows], 1), smoothing)
        ordered = (p, q) if forward else (q, p)
        measures = {
            m.name: m.value(*(ordered if m.directed else (p, q)))
            * (scale if m.informational else 1.0)
            for m in MEASURES
        }
        contributions = np.zeros((len(rows), kept.size))
        contributions[:, kept] = rel_entr(*ordered) * scale
        for i, row in enumerate(rows.tolist()):
            out[row] = Divergences(
                measures={name: float(value[i]) for name, value in measures.items()},
                p=p[i],
                q=q[i],
                kept=kept,
                contributions=contributions[i],
            )
    return out  # type: ignore[return-value]  # every row is set
