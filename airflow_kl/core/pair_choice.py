"""``pairs="auto"``: the pairs whose features depend on each other most in the
reference, by mutual information corrected for its small-sample bias.

Every pair of profiled features is counted into its cells; each table's
plug-in mutual information is biased upward, by about ``(R - 1)(C - 1) / 2N``
nats for a table of ``R`` x ``C`` cells holding rows and ``N`` rows (Miller
1955), so tables of more cells would look more dependent than they are.
The correction takes that bias off; the pairs of largest corrected mutual
information are kept, at most ``max_pairs``, and only those whose features
the reference shows to depend on each other: the G-test of independence
(``G = 2 N MI`` on ``(R - 1)(C - 1)`` degrees of freedom), its p-value times
the number of candidates (Bonferroni) below 0.01, so that among many
candidate pairs two independent features are not picked for their noise.

>>> import numpy as np
>>> table = np.array([[40, 10], [10, 40]])
>>> round(corrected_mutual_information(table), 6)  # 0.192745 - 1 / 200
0.187745
>>> read_auto("auto"), read_auto("auto:3"), read_auto("a:b")
(10, 3, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.special import chdtrc

from .errors import ConfigError
from .pairs import mutual_information

AUTO = "auto"
DEFAULT_MAX_PAIRS = 10
DEPENDENT = 0.01  # the independence test's p-value below which a pair may be picked


def read_auto(value: Any) -> int | None:
    """The most pairs to keep when ``value`` asks for automatic pairs (``"auto"``,
    ``"auto:N"``), else None."""
    if not isinstance(value, str) or value.strip().split(":")[0].strip() != AUTO:
        return None
    _, sep, most = value.strip().partition(":")
    if not sep:
        return DEFAULT_MAX_PAIRS
    if not most.strip().isdigit() or int(most) < 1:
        raise ConfigError(f"pairs='auto:N' needs a whole number N >= 1, got {value!r}")
    return int(most)


def corrected_mutual_information(table: np.ndarray) -> float:
    """A table's plug-in mutual information (nats) less Miller's bias
    ``(R - 1)(C - 1) / 2N``, R and C its rows and columns holding rows."""
    return _scores(table)[1]


def _scores(table: Any) -> tuple[float, float, float]:
    """``(mutual information, corrected, independence p-value)`` of a table."""
    table = np.asarray(table, dtype=np.float64)
    n = float(table.sum())
    if n == 0:
        return 0.0, 0.0, 1.0
    rows, cols = int((table.sum(axis=1) > 0).sum()), int((table.sum(axis=0) > 0).sum())
    df = (rows - 1) * (cols - 1)
    mi = mutual_information(table)
    p = float(chdtrc(df, 2 * n * mi)) if df > 0 else 1.0
    return mi, mi - df / (2 * n), p


def choose_pairs(tables: Mapping[tuple[str, str], Any], most: int) -> list[dict[str, Any]]:
    """The pairs to keep, best first: ``{"pair", "mutual_information",
    "corrected", "p_value"}`` (the p-value corrected over the candidates) of
    the ``most`` largest corrected mutual informations among the pairs
    dependent in the reference (ties kept in the order given).

    Parameters
    ----------
    tables
        Each candidate pair's reference table, by its two features' names.
    most
        How many pairs at most.
    """
    scored = []
    for (a, b), table in tables.items():
        mi, corrected, p = _scores(table)
        p = min(1.0, p * len(tables))
        if corrected > 0 and p < DEPENDENT:
            scored.append(
                {"pair": f"{a}:{b}", "mutual_information": mi, "corrected": corrected, "p_value": p}
            )
    return sorted(scored, key=lambda s: -s["corrected"])[:most]
