"""Compare current bin counts with a profile: the one place verdicts are made.

Every entry point (Python API, CLI, GX expectation, Airflow operators) counts
its data into the profile's bins and then calls :func:`compare_counts`.

>>> from airflow_kl.core.profile import FeatureProfile, Profile
>>> prof = Profile({"x": FeatureProfile("x", "numeric", counts=(500, 500, 0), edges=(0.0,))})
>>> rep = compare_counts(prof, {"x": [250, 750, 0]}, CheckSettings())
>>> rep.features["x"].status, round(rep.features["x"].kl, 4)
('drift', 0.1305)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .decision import (
    INSUFFICIENT,
    check_alpha,
    check_correction,
    check_drift_share,
    check_min_rows,
    check_threshold,
    correct_pvalues,
    dataset_drifted,
    feature_status,
    g_test,
)
from .divergence import BASES, DIRECTIONS, check_smoothing, divergences
from .errors import ConfigError, SchemaError
from .profile import Profile
from .report import BinResult, DriftReport, FeatureResult

DEFAULT_THRESHOLD = 0.1
DEFAULT_KEY = "*"  # in a threshold mapping: the value for features not named


@dataclass(frozen=True)
class CheckSettings:
    """Validated options of a drift check (the contract: docs/statistics.md).

    ``threshold`` is one number or a ``{feature: value}`` mapping; in a mapping
    the key ``"*"`` sets the value for the features it does not name.

    >>> CheckSettings(threshold={"*": 0.2, "x": 0.05}).threshold_for("y")
    0.2
    >>> CheckSettings(alpha=2)
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: alpha must be in (0, 1) or None, got 2
    """

    threshold: float | Mapping[str, float] = DEFAULT_THRESHOLD
    alpha: float | None = 0.01
    smoothing: float = 0.5
    min_rows: int = 100
    correction: str = "holm"
    direction: str = "current||reference"
    base: str = "nats"
    drift_share: float | None = None
    default_threshold: float = field(default=DEFAULT_THRESHOLD, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.threshold, Mapping):
            thresholds = {
                str(k): check_threshold(v, f"threshold[{k!r}]") for k, v in self.threshold.items()
            }
            default = thresholds.pop(DEFAULT_KEY, self.default_threshold)
            object.__setattr__(self, "threshold", thresholds)
            object.__setattr__(self, "default_threshold", default)
        else:
            object.__setattr__(self, "threshold", check_threshold(self.threshold))
            object.__setattr__(self, "default_threshold", self.threshold)
        object.__setattr__(self, "alpha", check_alpha(self.alpha))
        object.__setattr__(self, "smoothing", check_smoothing(self.smoothing))
        object.__setattr__(self, "min_rows", check_min_rows(self.min_rows))
        object.__setattr__(self, "correction", check_correction(self.correction))
        object.__setattr__(self, "drift_share", check_drift_share(self.drift_share))
        if self.direction not in DIRECTIONS:
            raise ConfigError(f"direction must be one of {DIRECTIONS}, got {self.direction!r}")
        if self.base not in BASES:
            raise ConfigError(f"base must be one of {BASES}, got {self.base!r}")

    def threshold_for(self, feature: str) -> float:
        if isinstance(self.threshold, Mapping):
            return self.threshold.get(feature, self.default_threshold)
        return self.threshold

    def check_features(self, features: list[str]) -> None:
        """Per-feature thresholds must name features that are checked."""
        if isinstance(self.threshold, Mapping):
            unknown = sorted(set(self.threshold) - set(features))
            if unknown:
                raise ConfigError(
                    f"threshold names unknown feature {unknown[0]!r}; checked features: "
                    f"{', '.join(features)}"
                )

    def to_dict(self) -> dict[str, Any]:
        threshold = dict(self.threshold) if isinstance(self.threshold, Mapping) else self.threshold
        return {
            "threshold": threshold,
            "default_threshold": self.default_threshold,
            "alpha": self.alpha,
            "smoothing": self.smoothing,
            "min_rows": self.min_rows,
            "correction": self.correction,
            "direction": self.direction,
            "base": self.base,
            "drift_share": self.drift_share,
        }


def compare_counts(
    profile: Profile,
    current_counts: Mapping[str, Any],
    settings: CheckSettings,
    features: list[str] | None = None,
) -> DriftReport:
    """Judge each profiled feature (or the ``features`` subset) from its current counts."""
    names = list(profile.features) if features is None else list(features)
    unknown = [n for n in names if n not in profile.features]
    if unknown:
        raise SchemaError(
            f"feature {unknown[0]!r} is not in the profile; profiled: {', '.join(profile.features)}"
        )
    settings.check_features(names)
    raw: dict[str, dict[str, Any]] = {}
    for name in names:
        fp = profile.features[name]
        if name not in current_counts:
            raise SchemaError(f"no current counts for feature {name!r}")
        cur = np.asarray(current_counts[name], dtype=np.int64)
        ref = np.asarray(fp.counts, dtype=np.int64)
        if cur.shape != ref.shape:
            raise SchemaError(f"feature {name!r}: {cur.size} current bins, profile has {ref.size}")
        div = divergences(cur, ref, settings.smoothing, settings.direction, settings.base)
        g, _, p_raw = g_test(cur, ref)
        n_cur, n_ref = int(cur.sum()), int(ref.sum())
        sufficient = n_cur >= settings.min_rows and n_ref >= settings.min_rows
        raw[name] = dict(
            fp=fp,
            cur=cur,
            ref=ref,
            div=div,
            g=g,
            p_raw=p_raw,
            n_cur=n_cur,
            n_ref=n_ref,
            sufficient=sufficient,
        )

    judged = [n for n in names if raw[n]["sufficient"]]
    corrected = dict(
        zip(
            judged,
            correct_pvalues([raw[n]["p_raw"] for n in judged], settings.correction),
            strict=True,
        )
    )
    results: dict[str, FeatureResult] = {}
    for name in names:
        r = raw[name]
        div, threshold = r["div"], settings.threshold_for(name)
        p_value = float(corrected.get(name, r["p_raw"]))
        status = feature_status(
            kl=div.kl,
            p_value=p_value,
            n_current=r["n_cur"],
            n_reference=r["n_ref"],
            threshold=threshold,
            alpha=settings.alpha,
            min_rows=settings.min_rows,
        )
        bins = tuple(
            BinResult(label, int(rc), int(cc), float(contrib))
            for label, rc, cc, contrib in zip(
                r["fp"].labels, r["ref"], r["cur"], div.contributions, strict=True
            )
        )
        results[name] = FeatureResult(
            name=name,
            kind=r["fp"].kind,
            kl=_clean(div.kl),
            js=_clean(div.js),
            psi=_clean(div.psi),
            hellinger=_clean(div.hellinger),
            tv=_clean(div.tv),
            g_statistic=r["g"],
            p_value=p_value,
            p_value_raw=float(r["p_raw"]),
            threshold=threshold,
            status=status,
            n_reference=r["n_ref"],
            n_current=r["n_cur"],
            bins=bins,
        )
    statuses = [f.status for f in results.values()]
    return DriftReport(
        features=results,
        drifted=dataset_drifted(statuses, settings.drift_share),
        settings=settings.to_dict(),
        profile_checksum=profile.checksum,
    )


def _clean(value: float) -> float:
    """Divergences of a side with no rows (smoothing 0) are NaN: report 0, status says why."""
    return 0.0 if math.isnan(value) else value


__all__ = ["CheckSettings", "compare_counts", "INSUFFICIENT"]
