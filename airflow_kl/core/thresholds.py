"""Thresholds chosen from history: per feature, the smallest KL threshold at
which at most a given share of past partitions would have drifted.

A past partition ``i`` of a feature has its KL ``kl_i`` and its corrected
p-value ``p_i`` (judged partitions only: ``insufficient_data`` ones are left
out). At threshold ``t`` it drifts when ``kl_i >= t`` and ``p_i < alpha``
(the significance gate is kept: a partition the G-test cannot tell from the
reference never counts, whatever its KL). With ``n`` judged partitions and a
largest alarm share ``rate``, at most ``k = floor(rate * n)`` may drift, so
``t`` must exceed the ``(k+1)``-th largest KL among the significant ones; it
is rounded *up* to ``digits`` significant digits, and never set below the
``default`` (a calm history does not make the gate more sensitive).

This is an empirical quantile of past KLs, nothing more: it promises no
future alarm rate (partitions are few and not independent, the seasons
change), and with ``n`` partitions the share moves in steps of ``1/n``.

>>> past = {"2013-02": {"x": (0.05, 1e-9)}, "2013-03": {"x": (0.1234, 1e-9)},
...         "2013-04": {"x": (0.31, 0.2)}}
>>> s = suggest_thresholds(past, alpha=0.01, default=0.1)
>>> s.threshold, s.alarm_rate
({'*': 0.1, 'x': 0.124}, {'x': 0.0})
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from .decision import drifts
from .errors import ConfigError

# {partition: {feature: (kl, corrected p-value)}}; a feature left out of a
# partition was not judged there (insufficient data).
History = Mapping[str, Mapping[str, tuple[float, float]]]


@dataclass(frozen=True)
class Suggestion:
    """``threshold``: a mapping ready for ``threshold=`` (``"*"`` is the default);
    ``alarm_rate``: per feature, the share of judged partitions that would have
    drifted at its suggested threshold; ``partitions``: how many were judged."""

    threshold: dict[str, float]
    alarm_rate: dict[str, float]
    partitions: dict[str, int]


def round_up(value: float, digits: int = 3) -> float:
    """The smallest number of ``digits`` significant digits strictly above ``value``.

    >>> round_up(0.12340), round_up(0.124), round_up(7.0, 2)
    (0.124, 0.125, 7.1)
    """
    if not math.isfinite(value) or value < 0:
        raise ConfigError(f"a KL to round up must be finite and >= 0, got {value!r}")
    if value == 0:
        return 10.0**-digits
    exact = Decimal(repr(value))  # the number as it reads; no scale overflows
    step = Decimal(1).scaleb(exact.adjusted() - (digits - 1))
    above = float(((exact / step).to_integral_value(ROUND_FLOOR) + 1) * step)
    return above if above > value else math.nextafter(value, math.inf)


def suggest_thresholds(
    history: History,
    *,
    alpha: float | None = 0.01,
    default: float = 0.1,
    max_alarm_rate: float = 0.0,
    digits: int = 3,
) -> Suggestion:
    """Per feature, the threshold at which at most ``max_alarm_rate`` of the
    judged partitions of ``history`` would have drifted (see the module)."""
    if not 0 <= max_alarm_rate < 1:
        raise ConfigError(f"max_alarm_rate must be in [0, 1), got {max_alarm_rate!r}")
    if not history:
        raise ConfigError("no partitions to choose thresholds from")
    by_feature: dict[str, list[tuple[float, float]]] = {}
    for judged in history.values():
        for name, pair in judged.items():
            by_feature.setdefault(name, []).append(pair)
    threshold: dict[str, float] = {"*": default}
    rate, count = {}, {}
    for name, pairs in by_feature.items():
        significant = sorted((kl for kl, p in pairs if drifts(kl, p, 0.0, alpha)), reverse=True)
        allowed = math.floor(max_alarm_rate * len(pairs))
        chosen = default
        if len(significant) > allowed:
            beyond = significant[allowed]
            if math.isinf(beyond):
                raise ConfigError(
                    f"feature {name!r} had an infinite KL in more than {allowed} partitions "
                    "(smoothing 0 and a bin empty in the reference): no threshold keeps it quiet"
                )
            chosen = max(default, round_up(beyond, digits))
        if chosen != default:
            threshold[name] = chosen
        rate[name] = sum(drifts(kl, p, chosen, alpha) for kl, p in pairs) / len(pairs)
        count[name] = len(pairs)
    return Suggestion(threshold, rate, count)
