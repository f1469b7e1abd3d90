"""The measures reported for every feature: one list, read by the divergences,
the report (JSON, text table, HTML), the GX results and the history.

A measure is a function of the smoothed shares ``p`` (current) and ``q``
(reference) over the kept bins, in nats; given rows of shares (2-D) it
measures each row, reducing the last axis only, so a row's value is the
very double its shares alone give. ``directed`` measures follow the
check's ``direction`` (they get ``(q, p)`` for reference||current);
``informational`` ones follow its ``base`` (divided by ln 2 for bits).
KL is first: it is the measure the verdict and the per-bin contributions
are about. Adding a measure is one more entry in :data:`MEASURES`.

>>> import numpy as np
>>> p, q = np.array([0.3, 0.7]), np.array([0.5, 0.5])
>>> [(m.name, round(float(m.value(p, q)), 6)) for m in MEASURES]
[('kl', 0.082283), ('js', 0.021006), ('psi', 0.16946), ('hellinger', 0.145237), ('tv', 0.2)]
>>> kl(np.array([p, q]), np.array([q, q])).round(6).tolist()
[0.082283, 0.0]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.special import rel_entr  # x ln(x/y), 0 at x = 0, inf at y = 0


@dataclass(frozen=True)
class Measure:
    """One reported measure: its key in reports, its column heading, its formula."""

    name: str
    label: str
    value: Callable[[np.ndarray, np.ndarray], np.ndarray]  # per row of shares
    directed: bool = False
    informational: bool = False
    in_summary: bool = True  # a column of the text and HTML tables (else on the detail line)


class MeasureAttributes:
    """Each measure in ``self.measures`` (a dict by name) read as an attribute:
    ``d.kl``, ``f.psi``; a name not measured is an AttributeError."""

    def __getattr__(self, name: str) -> float:
        try:
            return self.__dict__["measures"][name]
        except KeyError:
            raise AttributeError(name) from None


def kl(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Kullback-Leibler divergence ``sum p ln(p/q)``."""
    return rel_entr(p, q).sum(axis=-1)


def js(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen-Shannon divergence: the mean KL of each side to their midpoint."""
    m = 0.5 * (p + q)
    return 0.5 * (rel_entr(p, m).sum(axis=-1) + rel_entr(q, m).sum(axis=-1))


def psi(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Population stability index ``sum (p - q) ln(p/q)``; inf for a share of 0."""
    with np.errstate(divide="ignore"):  # log(0) = -inf with smoothing 0: PSI is inf
        return ((p - q) * np.log(p / q)).sum(axis=-1)  # a kept bin is never 0/0


def hellinger(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hellinger distance, in [0, 1] (0 where the shares are NaN: a side without rows)."""
    return np.sqrt(np.fmax(0.0, 0.5 * ((np.sqrt(p) - np.sqrt(q)) ** 2).sum(axis=-1)))


def total_variation(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Total variation distance, in [0, 1]."""
    return 0.5 * np.abs(p - q).sum(axis=-1)


MEASURES: list[Measure] = [
    Measure("kl", "KL", kl, directed=True, informational=True),
    Measure("js", "JS", js, informational=True),
    Measure("psi", "PSI", psi),
    Measure("hellinger", "Hellinger", hellinger, in_summary=False),
    Measure("tv", "TV", total_variation, in_summary=False),
]


def measure_names() -> tuple[str, ...]:
    """The keys of every measure, in report order."""
    return tuple(m.name for m in MEASURES)


def summary_measures() -> list[Measure]:
    """The measures shown as table columns."""
    return [m for m in MEASURES if m.in_summary]
