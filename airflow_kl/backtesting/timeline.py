"""A backtest's outcome: one report per partition, in partition order, and
what can be read from them (a table, JSON, the history thresholds are
chosen from).

>>> from airflow_kl.core.results import DriftReport
>>> empty = DriftReport(features={}, drifted=False)
>>> t = Backtest("month", None, {"2": empty, "3": empty, "4": empty, "10": empty})
>>> t.select("3..10"), t.select("2, 4")
(['3', '4', '10'], ['2', '4'])
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..core.errors import ConfigError
from ..core.results import DriftReport, FeatureResult, measure_text
from ..core.thresholds import Suggestion, suggest_thresholds

FORMAT = "airflow-kl/backtest"


@dataclass(frozen=True)
class Backtest:
    """``reports``: ``{partition label: DriftReport}`` in partition order."""

    partition_by: str
    """The column whose values made the partitions."""
    every: str | None
    """The calendar period of a datetime ``partition_by``, or None for its values."""
    reports: dict[str, DriftReport]
    """Each partition's report, by label, in partition order."""

    @property
    def partitions(self) -> list[str]:
        """The partitions' labels, in partition order."""
        return list(self.reports)

    @property
    def drifted(self) -> list[str]:
        """The partitions whose check would have failed."""
        return [p for p, r in self.reports.items() if r.drifted]

    def worst(self, partition: str) -> FeatureResult | None:
        """The partition's judged feature of highest KL (None: none judged).

        Parameters
        ----------
        partition
            A partition's label.
        """
        judged = [f for f in self.reports[partition].features.values() if not math.isnan(f.kl)]
        return max(judged, key=lambda f: f.kl, default=None)

    def rows(self, partition: str) -> int:
        """The partition's rows (every feature counts every row).

        Parameters
        ----------
        partition
            A partition's label.
        """
        return max((f.n_current for f in self.reports[partition].features.values()), default=0)

    def select(self, spec: str | Sequence[str] | None) -> list[str]:
        """Partitions named by ``spec``: labels (a list, or ``"a, b"``), or a
        range ``"first..last"`` in partition order (both included); None: all.

        Parameters
        ----------
        spec
            Labels, ``"a, b"``, ``"first..last"``, or None; an unknown label
            raises :class:`~airflow_kl.ConfigError` listing the partitions.
        """
        if spec is None:
            return self.partitions
        if isinstance(spec, str) and ".." in spec:
            first, _, last = (s.strip() for s in spec.partition(".."))
            at = [self._position(first), self._position(last)]
            if at[0] > at[1]:
                raise ConfigError(f"partition range {spec!r} runs backwards")
            return self.partitions[at[0] : at[1] + 1]
        names = [s.strip() for s in spec.split(",")] if isinstance(spec, str) else list(spec)
        for name in names:
            self._position(name)
        return [p for p in self.partitions if p in names]

    def _position(self, label: str) -> int:
        try:
            return self.partitions.index(label)
        except ValueError:
            shown = ", ".join(self.partitions[:12]) + (" ..." if len(self.partitions) > 12 else "")
            raise ConfigError(f"no partition {label!r} in the backtest; it has {shown}") from None

    def history(self, partitions: Sequence[str] | None = None) -> dict[str, dict]:
        """``{partition: {feature: (KL, corrected p-value)}}`` of the judged
        features (``insufficient_data`` ones left out), over all rows.

        Parameters
        ----------
        partitions
            The partitions to include, or None for all.
        """
        chosen = self.partitions if partitions is None else partitions
        return {
            p: {
                n: (f.kl, f.p_value)
                for n, f in self.reports[p].features.items()
                if f.status != "insufficient_data"
            }
            for p in chosen
        }

    def suggest_thresholds(
        self, normal: str | Sequence[str] | None = None, max_alarm_rate: float = 0.0
    ) -> Suggestion:
        """Per feature, the KL threshold at which at most ``max_alarm_rate`` of
        the ``normal`` partitions (default all) would have drifted
        (:func:`airflow_kl.core.thresholds.suggest_thresholds`), with the
        backtest's alpha and default threshold.

        Parameters
        ----------
        normal
            The partitions known to be normal (as :meth:`select` reads them);
            None for all.
        max_alarm_rate
            The share of those partitions allowed to alarm, from 0 to 1.
        """
        chosen = self.select(normal)
        if not chosen:
            raise ConfigError("no partitions to choose thresholds from")
        settings = self.reports[chosen[0]].settings
        return suggest_thresholds(
            self.history(chosen),
            alpha=settings.get("alpha"),
            default=settings.get("default_threshold", 0.1),
            max_alarm_rate=max_alarm_rate,
        )

    def table(self) -> str:
        """One line per partition: its verdict, drifted features and worst KL."""
        rows = [("partition", "status", "worst KL", "feature", "drifted features")]
        for label, report in self.reports.items():
            worst = self.worst(label)
            kl = "" if worst is None else measure_text(worst.kl)
            name = "" if worst is None else worst.name
            found = report.drifted_features + report.drifted_segments + report.drifted_pairs
            drifted = ", ".join(found) or "-"
            rows.append((label, report.status, kl, name, drifted))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        return "\n".join(
            "  ".join([*(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)), r[4]])
            for r in rows
        )

    def to_dict(self) -> dict[str, Any]:
        """The backtest as its JSON file stores it (every partition's report)."""
        return {
            "format": FORMAT,
            "partition_by": self.partition_by,
            "every": self.every,
            "partitions": [
                {"partition": p, "report": r.to_dict()} for p, r in self.reports.items()
            ],
        }

    def to_json(self) -> str:
        """The backtest as strict JSON text."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Backtest:
        """A backtest read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote.
        """
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ConfigError("not a backtest JSON (no format 'airflow-kl/backtest')")
        reports = {p["partition"]: DriftReport.from_dict(p["report"]) for p in data["partitions"]}
        return cls(data["partition_by"], data.get("every"), reports)
