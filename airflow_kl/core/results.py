"""Drift results: per-bin, per-feature, per-pair and per-dataset, as
strict-JSON-safe dicts (numbers by :mod:`.json_numbers`).

>>> BinResult("< 1", 5, 7, float("inf")).to_dict()["contribution"]
'inf'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .decision import DRIFT, INSUFFICIENT, dataset_status
from .inputs import whole_count
from .json_numbers import json_number, parse_number
from .measures import MeasureAttributes, measure_names, summary_measures
from .pair_results import PairResult
from .text import printable


class BinResult(NamedTuple):
    """One bin of a feature's row: its label, both counts and its KL term (a
    named tuple: a check makes one per bin of every (segment, feature) pair).

    >>> BinResult("< 1", 5, 7, 0.01).to_dict()
    {'label': '< 1', 'reference_count': 5, 'current_count': 7, 'contribution': 0.01}
    """

    label: str
    reference_count: int
    current_count: int
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return {**self._asdict(), "contribution": json_number(self.contribution)}


@dataclass(frozen=True)
class FeatureResult(MeasureAttributes):
    """One feature's row of a report. ``measures`` holds every measure of
    :data:`~airflow_kl.core.measures.MEASURES` by name, each also an
    attribute (``f.kl``, ``f.psi``) and a top-level key of the JSON."""

    name: str
    """The feature's name."""
    kind: str
    """``"numeric"`` or ``"categorical"``, as in the profile."""
    measures: dict[str, float]
    """Every measure by name: ``kl``, ``js``, ``psi``, ``hellinger``, in the
    report's ``base`` (None for one added after the report was written)."""
    g_statistic: float
    """The G-test statistic, ``2 n_current`` times the KL in nats of the
    smoothed current distribution from the reference."""
    p_value: float
    """The G-test's p-value after the ``correction`` over the judged features
    (None when ``alpha`` is none or the feature was not judged)."""
    p_value_raw: float
    """The G-test's p-value before the correction."""
    threshold: float
    """The KL threshold this feature was judged against."""
    status: str
    """``"ok"``, ``"drift"`` (KL at or above the threshold and, with ``alpha``,
    a significant G-test) or ``"insufficient_data"`` (fewer than ``min_rows``
    rows on a side)."""
    n_reference: int
    """Reference rows, missing values included."""
    n_current: int
    """Current rows, missing values included."""
    bins: tuple[BinResult, ...]
    """Each bin's label, counts and KL term, in bin order."""

    @property
    def drifted(self) -> bool:
        """True when ``status`` is ``"drift"``."""
        return self.status == DRIFT

    def to_dict(self) -> dict[str, Any]:
        """The feature as a report's JSON stores it (strict JSON: infinities as
        ``"inf"``)."""
        out: dict[str, Any] = {"kind": self.kind}
        out.update((m, json_number(self.measures[m])) for m in measure_names())
        for key in _SCALARS:
            value = getattr(self, key)
            out[key] = json_number(value) if isinstance(value, float) else value
        out["bins"] = [b.to_dict() for b in self.bins]
        return out

    @classmethod
    def from_dict(cls, name: str, data: dict[str, Any]) -> FeatureResult:
        """A feature from its JSON; a measure added after the report was
        written reads as None.

        Parameters
        ----------
        name
            The feature's name (the key it is stored under).
        data
            What :meth:`to_dict` wrote.
        """
        return cls(
            name=name,
            kind=data["kind"],
            measures={m: parse_number(data.get(m)) for m in measure_names()},
            g_statistic=parse_number(data["g_statistic"]),
            p_value=parse_number(data["p_value"]),
            p_value_raw=parse_number(data["p_value_raw"]),
            threshold=parse_number(data["threshold"]),
            status=data["status"],
            n_reference=whole_count(data["n_reference"], f"feature {name!r}: n_reference"),
            n_current=whole_count(data["n_current"], f"feature {name!r}: n_current"),
            bins=tuple(
                BinResult(
                    b["label"],
                    whole_count(b["reference_count"], f"feature {name!r}, bin {b['label']!r}"),
                    whole_count(b["current_count"], f"feature {name!r}, bin {b['label']!r}"),
                    parse_number(b["contribution"]),
                )
                for b in data["bins"]
            ),
        )


_SCALARS = (
    "g_statistic",
    "p_value",
    "p_value_raw",
    "threshold",
    "status",
    "n_reference",
    "n_current",
)


def _drifted(features: dict[str, FeatureResult]) -> list[str]:
    return [name for name, f in features.items() if f.status == DRIFT]


def _features_from_dict(data: dict[str, Any]) -> dict[str, FeatureResult]:
    return {n: FeatureResult.from_dict(n, f) for n, f in data.items()}


@dataclass(frozen=True)
class SegmentResult:
    """One segment's features, judged against the same segment of the reference.

    ``key`` is the segment's values (None where missing), or None for OTHER.
    """

    key: tuple[str | None, ...] | None
    """The segment's value per segment column (None where missing), or None
    for OTHER."""
    label: str
    """The segment as reports print it (``"JFK"``, ``"JFK / UA"``, ``"OTHER"``)."""
    features: dict[str, FeatureResult]
    """Each feature judged in this segment, by name."""
    drifted: bool
    """True when a feature drifted in this segment."""

    @property
    def drifted_features(self) -> list[str]:
        """The names of the features that drifted in this segment."""
        return _drifted(self.features)

    @property
    def status(self) -> str:
        """``drift``, ``insufficient_data`` when no feature could be judged, else ``ok``."""
        return dataset_status(self.drifted, [f.status for f in self.features.values()])

    @property
    def n_reference(self) -> int:
        """The segment's reference rows."""
        return max((f.n_reference for f in self.features.values()), default=0)

    @property
    def n_current(self) -> int:
        """The segment's current rows."""
        return max((f.n_current for f in self.features.values()), default=0)

    def worst(self) -> FeatureResult:
        """The feature of largest KL (every feature of a segment counts the same
        rows, so they are all judged or none is)."""
        return max(self.features.values(), key=lambda f: f.kl)

    def to_dict(self) -> dict[str, Any]:
        """The segment as a report's JSON stores it."""
        return {
            "key": None if self.key is None else list(self.key),
            "label": self.label,
            "drifted": self.drifted,
            "drifted_features": self.drifted_features,
            "features": {name: f.to_dict() for name, f in self.features.items()},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentResult:
        """A segment read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote.
        """
        key = data["key"]
        return cls(
            key=None if key is None else tuple(key),
            label=str(data["label"]),
            features=_features_from_dict(data["features"]),
            drifted=bool(data["drifted"]),
        )


@dataclass(frozen=True)
class DriftReport:
    """The outcome of one check. ``drifted`` is the dataset verdict: a feature
    drifted over all rows, or in a segment."""

    features: dict[str, FeatureResult]
    """Each feature's result over all rows, by name."""
    drifted: bool
    """The dataset verdict: True when a feature drifted (or, with
    ``drift_share``, that share of the judged features did), over all rows
    or in a segment."""
    settings: dict[str, Any] = field(default_factory=dict)
    """The check's settings (:meth:`CheckSettings.to_dict
    <airflow_kl.CheckSettings.to_dict>`)."""
    profile_checksum: str = ""
    """The checksum of the profile checked against."""
    bins_checksum: str = ""
    """The profile's bins checksum: reports with the same one counted in the
    same bins, so their counts can be merged into a reference."""
    segment_by: tuple[str, ...] = ()
    """The segment columns judged, or empty."""
    segments: tuple[SegmentResult, ...] = ()
    """Each segment's result (OTHER last), when segments were judged."""
    pairs: dict[tuple[str, str], PairResult] = field(default_factory=dict)
    """Each pair's :class:`~airflow_kl.core.pair_results.PairResult`, by its two
    features' names, when the profile has pairs."""
    data_version: dict[str, Any] = field(default_factory=dict)
    """The version of the data read, for a table that has versions: its
    ``format`` and ``table``, the Delta ``version`` or Iceberg ``snapshot``, and
    with ``since`` the commits ``appended`` after it whose rows were counted;
    empty otherwise."""

    @property
    def drifted_features(self) -> list[str]:
        """The names of the features that drifted over all rows."""
        return _drifted(self.features)

    @property
    def drifted_pairs(self) -> list[str]:
        """The names (``"a × b"``) of the pairs that drifted."""
        return [p.name for p in self.pairs.values() if p.drifted]

    @property
    def drifted_segments(self) -> list[str]:
        """Labels of the segments where a feature drifted."""
        return [s.label for s in self.segments if s.drifted]

    @property
    def status(self) -> str:
        """:func:`~airflow_kl.core.decision.dataset_status` of the whole check."""
        return dataset_status(self.drifted, [f.status for f in self.features.values()])

    @property
    def all_insufficient(self) -> bool:
        """No feature could be judged (then the dataset cannot have drifted)."""
        return self.status == INSUFFICIENT

    def to_dict(self) -> dict[str, Any]:
        """The report as its JSON file stores it."""
        out = {
            "drifted": self.drifted,
            "drifted_features": self.drifted_features,
            "profile_checksum": self.profile_checksum,
            "bins_checksum": self.bins_checksum,
            "features": {name: f.to_dict() for name, f in self.features.items()},
            "settings": self.settings,
        }
        if self.segment_by:
            out["segment_by"] = list(self.segment_by)
            out["drifted_segments"] = self.drifted_segments
            out["segments"] = [s.to_dict() for s in self.segments]
        if self.pairs:
            out["drifted_pairs"] = self.drifted_pairs
            out["pairs"] = [p.to_dict() for p in self.pairs.values()]
        if self.data_version:
            out["data_version"] = self.data_version
        return out

    def to_json(self) -> str:
        """The report as strict JSON text."""
        return json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DriftReport:
        """A report read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote (a report's JSON, parsed).
        """
        return cls(
            features=_features_from_dict(data["features"]),
            drifted=bool(data["drifted"]),
            settings=dict(data.get("settings", {})),
            profile_checksum=str(data.get("profile_checksum", "")),
            bins_checksum=str(data.get("bins_checksum", "")),
            segment_by=tuple(data.get("segment_by", ())),
            segments=tuple(SegmentResult.from_dict(s) for s in data.get("segments", ())),
            pairs=_pairs_from_dict(data.get("pairs", ())),
            data_version=dict(data.get("data_version", {})),
        )

    def table(self) -> str:
        """A fixed-width text table, features sorted by KL (largest first)."""
        shown = summary_measures()
        labels = (m.label for m in shown)
        header = ("feature", "kind", *labels, "p_value", "n_ref", "n_cur", "status")
        rows = [header]
        ordered = sorted(self.features.values(), key=lambda f: -f.kl)  # never NaN
        for f in ordered:
            rows.append(
                (
                    printable(f.name),
                    f.kind,
                    *(measure_text(f.measures[m.name]) for m in shown),
                    measure_text(f.p_value, p=True),
                    str(f.n_reference),
                    str(f.n_current),
                    f.status,
                )
            )
        lines = aligned(rows, left=(0, 1, len(header) - 1), strip=False)
        lines += self._segment_lines() + self._pair_lines()
        return "\n".join([*lines, f"dataset: {self.verdict()}"])

    def verdict(self) -> str:
        """``no drift``, or what drifted: ``DRIFT in dep_delay; segments JFK, LGA``."""
        if not self.drifted:
            return "no drift"
        parts = [", ".join(map(printable, self.drifted_features))] if self.drifted_features else []
        if self.drifted_segments:
            parts.append("segments " + ", ".join(map(printable, self.drifted_segments)))
        if self.drifted_pairs:
            parts.append("pairs " + ", ".join(map(printable, self.drifted_pairs)))
        return "DRIFT in " + "; ".join(parts)

    def _pair_lines(self) -> list[str]:
        """One row per pair: its joint KL, the two parts, the test and its status."""
        if not self.pairs:
            return []
        header = ("pair", "KL", "dependence", "marginal", "MI ref", "MI cur", "p_value", "status")
        rows = [header]
        for p in sorted(self.pairs.values(), key=lambda p: -_sortable(p.dependence)):
            numbers = (p.kl, p.dependence, p.marginal, p.mi_reference, p.mi_current)
            rows.append(
                (
                    printable(p.name),
                    *(measure_text(v) for v in numbers),
                    measure_text(p.p_value, p=True),
                    p.status,
                )
            )
        return ["", *aligned(rows, left=(0, len(header) - 1))]

    def _segment_lines(self) -> list[str]:
        """One row per segment: its rows, its worst feature and its status."""
        if not self.segments:
            return []
        by = printable(" / ".join(self.segment_by))
        header = (by, "n_ref", "n_cur", "worst", "KL", "p_value", "status", "drifted features")
        rows = [header]
        for s in self.segments:
            w = s.worst()
            rows.append(
                (
                    printable(s.label),
                    str(s.n_reference),
                    str(s.n_current),
                    printable(w.name),
                    measure_text(w.kl),
                    measure_text(w.p_value, p=True),
                    s.status,
                    ", ".join(map(printable, s.drifted_features)),
                )
            )
        return ["", *aligned(rows, left=(0, 3, 6, 7))]


def aligned(rows: list[tuple[str, ...]], left: tuple[int, ...], strip: bool = True) -> list[str]:
    """Rows of cells as fixed-width lines, two spaces apart: the ``left``
    columns padded on the right, the others on the left; ``strip`` drops the
    padding at the end of a line.

    >>> aligned([("a", "1"), ("bcd", "22")], left=(0,))
    ['a     1', 'bcd  22']
    """
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i in left else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    return [line.rstrip() for line in lines] if strip else lines


def _sortable(value: float) -> float:
    return -1.0 if math.isnan(value) else value


def _pairs_from_dict(data: Any) -> dict[tuple[str, str], PairResult]:
    pairs = (PairResult.from_dict(p) for p in data)
    return {p.features: p for p in pairs}


def measure_text(value: float | None, p: bool = False) -> str:
    """A measure (or with ``p``, a p-value) as tables print it: 4 decimals, ``inf``,
    ``-`` for one a report was written without, p-values below 1e-4 in e-notation."""
    if value is None:  # a measure the report was written without
        return "-"
    if math.isinf(value):
        return "inf"
    if p and value < 1e-4:
        return f"{value:.1e}"
    return f"{value:.4f}"
