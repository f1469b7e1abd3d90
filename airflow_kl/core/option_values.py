"""What each check option accepts: its text forms and its domain, in plain Python.

An option's value arrives as a Python value or as the text a command line
types or an Airflow template renders. A *read* function turns text into a
value and leaves other values alone, and keeps text it cannot read, so that
the option's *check* refuses it with the option's own message. A check
returns the value as plain Python (a numpy scalar becomes an ``int`` or a
``float``) or raises :class:`~airflow_kl.core.errors.ConfigError`.

The declarations in :mod:`.options` pair them up; nothing here imports numpy
(numpy's scalars are :mod:`numbers` too), so a ``--help`` stays cheap.

>>> read_threshold("0.1, dep_delay=0.2")
{'*': 0.1, 'dep_delay': 0.2}
>>> check_alpha(read_number(" 0.05 "))
0.05
>>> check_min_rows(read_integer("many"))
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: min_rows must be an integer >= 1, got 'many'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from .errors import ConfigError
from .json_input import strict_json

DEFAULT_KEY = "*"  # in a threshold mapping: the value for features not named
NONE_WORDS = ("none", "null", "off", "")


def number_text(text: str) -> Any:
    """A float from its text, or the stripped text when it is not one."""
    try:
        return float(text)
    except ValueError:
        return text.strip()


def read_number(value: Any) -> Any:
    """``" 0.25 "`` -> ``0.25``; text that is no number stays text."""
    return number_text(value) if isinstance(value, str) else value


def read_integer(value: Any) -> Any:
    """``" 7 "`` -> ``7``; ``"7.5"`` stays text (the check refuses it)."""
    if not isinstance(value, str):
        return value
    try:
        return int(value.strip())
    except ValueError:
        return value


def read_word(value: Any) -> Any:
    """A choice's text, stripped: ``" bh "`` -> ``"bh"``."""
    return value.strip() if isinstance(value, str) else value


def read_threshold(value: Any) -> Any:
    """``0.1``, ``0.1,dep_delay=0.2`` or a JSON object, as a number or a
    mapping (whose values may be text too)."""
    if isinstance(value, Mapping):
        return {k: read_number(v) for k, v in value.items()}
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("{"):
        return read_threshold(strict_json(text, f"threshold {text!r}", ConfigError))
    mapping: dict[str, Any] = {}
    for part in text.split(","):
        name, sep, number = part.partition("=")
        mapping[name.strip() if sep else DEFAULT_KEY] = number_text(number if sep else name)
    return mapping[DEFAULT_KEY] if list(mapping) == [DEFAULT_KEY] else mapping


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    return float(value)


def check_threshold(value: object, name: str = "threshold") -> float:
    """A KL threshold: finite and >= 0."""
    v = _number(name, value)
    if not math.isfinite(v) or v < 0:
        raise ConfigError(f"{name} must be a finite number >= 0, got {value!r}")
    return v


def check_thresholds(value: object) -> float | dict[str, float]:
    """One threshold, or ``{feature: threshold}`` (``"*"`` for the others)."""
    if isinstance(value, Mapping):
        return {str(k): check_threshold(v, f"threshold[{k!r}]") for k, v in value.items()}
    return check_threshold(value)


def check_alpha(value: object) -> float | None:
    """A significance level in (0, 1), or None to drop the test."""
    if value is None:
        return None
    v = _number("alpha", value)
    if not 0 < v < 1:
        raise ConfigError(f"alpha must be in (0, 1) or None, got {value!r}")
    return v


def check_smoothing(smoothing: object) -> float:
    """A pseudo-count: finite and >= 0."""
    if isinstance(smoothing, bool) or not isinstance(smoothing, Real):
        raise ConfigError(f"smoothing must be a number >= 0, got {smoothing!r}")
    if not math.isfinite(smoothing) or smoothing < 0:
        raise ConfigError(f"smoothing must be a finite number >= 0, got {smoothing!r}")
    return float(smoothing)


def check_min_rows(value: object) -> int:
    """The row count under which a feature is not judged: an integer >= 1."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ConfigError(f"min_rows must be an integer >= 1, got {value!r}")
    return int(value)


def check_drift_share(value: object) -> float | None:
    """Share of drifted features that makes the dataset drift: in (0, 1], or None."""
    if value is None:
        return None
    v = _number("drift_share", value)
    if not 0 < v <= 1:
        raise ConfigError(f"drift_share must be in (0, 1] or None, got {value!r}")
    return v


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """One of ``choices``, named with them when it is not."""
    if value not in choices:
        raise ConfigError(f"{name} must be one of {choices}, got {value!r}")
    return str(value)


def check_segment_by(value: Any) -> tuple[str, ...] | None:
    """Segment columns: None, one name, ``"a,b"`` or a list of distinct names."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    try:
        names = tuple(n.strip() if isinstance(n, str) else n for n in names)
    except TypeError:
        raise ConfigError(f"segment_by must be column names, got {value!r}") from None
    if not names or any(not isinstance(n, str) or not n for n in names):
        raise ConfigError(f"segment_by must be non-empty column names, got {value!r}")
    if len(set(names)) != len(names):
        raise ConfigError(f"segment_by names a column twice: {value!r}")
    return names
