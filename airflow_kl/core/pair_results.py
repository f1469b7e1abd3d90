"""A pair's row of a report: its joint KL, the two parts, the test, the cells.

>>> r = PairResult(("a", "b"), 0.3, 0.25, 0.05, 0.01, 0.2, 40.0, 4, 1e-6, 1e-6, 0.1, "drift",
...                500, 500, ("< 0", ">= 0"), ("x", "y"), ((100, 150), (150, 100)),
...                ((200, 50), (50, 200)), ((0.2, 0.3), (0.3, 0.2)), ((0.1, 0.0), (0.0, 0.1)))
>>> PairResult.from_dict(r.to_dict()) == r, r.name
(True, 'a × b')
>>> r.moved_cells()[0]
'a < 0, b x: 40.0% of current rows, 20.0% expected'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .decision import DRIFT
from .inputs import whole_count
from .json_numbers import json_number, parse_number
from .text import printable

Grid = tuple[tuple[float, ...], ...]

# a pair's numbers, as its JSON holds them
PAIR_NUMBERS = (
    "kl",
    "dependence",
    "marginal",
    "mi_reference",
    "mi_current",
    "g_statistic",
    "p_value",
    "p_value_raw",
    "threshold",
)


@dataclass(frozen=True)
class PairResult:
    """One pair judged: all divergences in the report's ``base``."""

    features: tuple[str, str]
    """The two features: a (the rows of the tables), then b (the columns)."""
    kl: float
    """The joint KL over the pair's cells, in the check's direction."""
    dependence: float
    """The part of ``kl`` that the change in association explains:
    ``KL(P || P^)``, zero when only the marginals moved."""
    marginal: float
    """The part of ``kl`` that the marginals explain: ``KL(P^ || Q)``."""
    mi_reference: float
    """The mutual information of the pair in the reference."""
    mi_current: float
    """The mutual information of the pair in the current rows."""
    g_statistic: float
    """The homogeneous-association test's G (before its correction)."""
    df: int
    """The test's degrees of freedom (0: no test)."""
    p_value: float
    """The test's p-value after the ``correction`` over the judged pairs."""
    p_value_raw: float
    """The test's p-value before the correction."""
    threshold: float
    """The threshold the dependence part was judged against."""
    status: str
    """``"ok"``, ``"drift"`` (dependence part at or above the threshold and,
    with ``alpha``, a significant test) or ``"insufficient_data"``."""
    n_reference: int
    """Reference rows."""
    n_current: int
    """Current rows."""
    row_labels: tuple[str, ...]
    """A label per cell of a."""
    column_labels: tuple[str, ...]
    """A label per cell of b."""
    reference_counts: Grid
    """Reference rows per cell."""
    current_counts: Grid
    """Current rows per cell."""
    expected: Grid
    """Each cell's share under ``P^``: the second side's association at the
    first side's marginals (current rows by default)."""
    contributions: Grid
    """Each cell's term of the dependence part, ``p ln(p / p^)`` in the base."""
    direction: str = "current||reference"
    """The check's direction: which side is P (the first)."""

    @property
    def name(self) -> str:
        """``"a × b"``, as reports print it."""
        return " × ".join(self.features)

    @property
    def drifted(self) -> bool:
        """True when ``status`` is ``"drift"``."""
        return self.status == DRIFT

    def shares(self) -> Grid:
        """Each cell's share of the first side's rows (P, unsmoothed)."""
        forward = self.direction == "current||reference"
        first = self.current_counts if forward else self.reference_counts
        total = sum(map(sum, first)) or 1
        return tuple(tuple(c / total for c in row) for row in first)

    def moved_cells(self, top: int = 3) -> list[str]:
        """In words, the cells whose share moved most from what the other
        side's association predicts at these marginals: those holding at least
        5% of the dependence part, largest first.

        Parameters
        ----------
        top
            How many cells at most.
        """
        side = "current" if self.direction == "current||reference" else "reference"
        a, b = map(printable, self.features)
        shares, terms = self.shares(), self.contributions
        cells = [
            (terms[i][j], i, j)
            for i in range(len(terms))
            for j in range(len(terms[i]))
            if terms[i][j] > 0.05 * self.dependence and shares[i][j] > self.expected[i][j]
        ]
        out = []
        for _, i, j in sorted(cells, key=lambda c: (-c[0], c[1], c[2]))[:top]:
            out.append(
                f"{a} {printable(self.row_labels[i])}, {b} {printable(self.column_labels[j])}: "
                f"{shares[i][j]:.1%} of {side} rows, {self.expected[i][j]:.1%} expected"
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The pair as a report's JSON stores it (infinities as ``"inf"``)."""
        out: dict[str, Any] = {"features": list(self.features)}
        out.update((k, json_number(getattr(self, k))) for k in PAIR_NUMBERS)
        out.update(
            df=self.df,
            status=self.status,
            n_reference=self.n_reference,
            n_current=self.n_current,
            direction=self.direction,
            row_labels=list(self.row_labels),
            column_labels=list(self.column_labels),
            reference_counts=[list(r) for r in self.reference_counts],
            current_counts=[list(r) for r in self.current_counts],
            expected=[[json_number(v) for v in r] for r in self.expected],
            contributions=[[json_number(v) for v in r] for r in self.contributions],
        )
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairResult:
        """A pair from its JSON.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote.
        """
        where = f"pair {data['features']!r}"

        def grid(key: str, read: Any) -> Any:
            return tuple(tuple(read(v) for v in row) for row in data[key])

        return cls(
            features=tuple(data["features"]),  # type: ignore[arg-type]
            **{k: parse_number(data[k]) for k in PAIR_NUMBERS},  # type: ignore[arg-type]
            df=whole_count(data["df"], f"{where}: df"),
            status=data["status"],
            n_reference=whole_count(data["n_reference"], f"{where}: n_reference"),
            n_current=whole_count(data["n_current"], f"{where}: n_current"),
            row_labels=tuple(data["row_labels"]),
            column_labels=tuple(data["column_labels"]),
            reference_counts=grid("reference_counts", lambda v: whole_count(v, where)),
            current_counts=grid("current_counts", lambda v: whole_count(v, where)),
            expected=grid("expected", parse_number),
            contributions=grid("contributions", parse_number),
            direction=data.get("direction", "current||reference"),
        )
