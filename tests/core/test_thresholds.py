"""Thresholds from history: at most the allowed share of past partitions
would have drifted at the suggestion, and a threshold one step lower would
have let more drift (unless the default already suffices)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from airflow_kl.core.errors import ConfigError
from airflow_kl.core.thresholds import drifts, round_up, suggest_thresholds

kls = st.floats(0, 3, allow_nan=False)
ps = st.sampled_from([1e-12, 0.005, 0.02, 0.5])
histories = st.lists(st.tuples(kls, ps), min_size=1, max_size=15)


@given(histories, st.sampled_from([0.0, 0.1, 0.25]))
def test_the_suggestion_is_the_smallest_that_keeps_the_share(pairs, rate):
    history = {f"p{i}": {"x": pair} for i, pair in enumerate(pairs)}
    s = suggest_thresholds(history, alpha=0.01, default=0.1, max_alarm_rate=rate)
    t = s.threshold.get("x", 0.1)
    alarms = sum(drifts(kl, p, t, 0.01) for kl, p in pairs)
    assert alarms <= math.floor(rate * len(pairs))
    assert s.alarm_rate["x"] == alarms / len(pairs) and s.partitions["x"] == len(pairs)
    if t > 0.1:  # one step of the third significant digit lower lets too many drift
        step = Decimal(1).scaleb(Decimal(repr(t)).adjusted() - 2)
        lower = float(Decimal(repr(t)) - step)
        assert sum(drifts(kl, p, lower, 0.01) for kl, p in pairs) > math.floor(rate * len(pairs))


def test_insignificant_partitions_never_count_and_unjudged_ones_are_not_in_the_share():
    history = {
        "a": {"x": (0.9, 0.5), "y": (0.2, 1e-9)},  # x: large but not significant
        "b": {"x": (0.15, 1e-9)},  # y not judged in b
        "c": {"x": (0.01, 0.9), "y": (0.05, 0.9)},
    }
    s = suggest_thresholds(history, alpha=0.01, default=0.1)
    assert s.threshold == {"*": 0.1, "x": 0.151, "y": 0.201}
    assert s.partitions == {"x": 3, "y": 2}
    assert s.alarm_rate == {"x": 0.0, "y": 0.0}
    loose = suggest_thresholds(history, alpha=None, default=0.1)
    assert loose.threshold["x"] == 0.901  # without the gate, the largest KL decides


def test_refusals_name_the_value():
    with pytest.raises(ConfigError, match="max_alarm_rate must be in \\[0, 1\\), got 1"):
        suggest_thresholds({"a": {"x": (0.1, 0.0)}}, max_alarm_rate=1)
    with pytest.raises(ConfigError, match="no partitions"):
        suggest_thresholds({})
    with pytest.raises(ConfigError, match="feature 'x' had an infinite KL"):
        suggest_thresholds({"a": {"x": (math.inf, 1.0)}})
    with pytest.raises(ConfigError, match="got -1"):
        round_up(-1)


def test_the_defaults_and_the_edges_of_the_rule():
    history = {"a": {"x": (0.3, 0.01)}, "b": {"x": (0.2, 0.001)}}
    s = suggest_thresholds(history)  # alpha 0.01 (p = alpha is not below it), default 0.1
    assert s.threshold == {"*": 0.1, "x": 0.201} and s.alarm_rate == {"x": 0.0}
    assert not drifts(0.3, 0.01, 0.1, 0.01) and drifts(0.3, 0.0099, 0.1, 0.01)
    assert suggest_thresholds(history, digits=2).threshold["x"] == 0.21
    assert round_up(0.0) == 0.001 and round_up(0.0, 2) == 0.01 and round_up(1.0) == 1.01
    tiny = 5e-324  # 3 digits above it round back to it: the next double instead
    assert round_up(tiny) == math.nextafter(tiny, math.inf)
    with pytest.raises(ConfigError) as found:
        suggest_thresholds({})
    assert str(found.value) == "no partitions to choose thresholds from"
    with pytest.raises(ConfigError) as found:
        suggest_thresholds({"a": {"x": (math.inf, 1.0)}})
    assert str(found.value).endswith(
        "(smoothing 0 and a bin empty in the reference): no threshold keeps it quiet"
    )
