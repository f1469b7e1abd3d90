"""Every option of a drift check, once: its name, default, allowed values,
validation and text form.

The Python API, the CLI (whose flags are generated from :data:`OPTIONS`), the
Airflow operators and the GX expectation all build one :class:`CheckSettings`
from the options they were given, so a name, a default or an error message
exists in one place. Options also arrive as text, as a command line types
them or an Airflow template renders them: ``"0.2"``, ``"none"``, a JSON
object or ``0.1,dep_delay=0.2`` for per-feature thresholds.

>>> s = CheckSettings.from_options({"threshold": '{"*": 0.2, "x": "0.05"}', "alpha": "none"})
>>> s.threshold, s.default_threshold, s.alpha, s.min_rows
({'x': 0.05}, 0.2, None, 100)
>>> CheckSettings(threshold={"*": 0.2, "x": 0.05}).threshold_for("y")
0.2
>>> CheckSettings(min_rows="lots")
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: min_rows must be an integer >= 1, got 'lots'
>>> CheckSettings.from_options({"treshold": 0.2})
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: unknown option 'treshold'; the options are threshold, ...
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from .decision import (
    check_alpha,
    check_correction,
    check_drift_share,
    check_min_rows,
    check_threshold,
)
from .divergence import check_smoothing
from .errors import ConfigError
from .json_input import strict_json
from .options import BASES, DEFAULT_KEY, DEFAULTS, DIRECTIONS, OPTION_NAMES, OPTIONS
from .segments import check_segment_by

NONE_WORDS = ("none", "null", "off", "")


def parse_threshold(text: str) -> float | dict[str, Any]:
    """``0.1``, ``0.1,dep_delay=0.2`` or a JSON object, as a number or a mapping.

    >>> parse_threshold("0.1,dep_delay=0.2")
    {'*': 0.1, 'dep_delay': 0.2}
    """
    text = text.strip()
    if text.startswith("{"):
        return strict_json(
            text, f"threshold {text!r}", ConfigError
        )  # an object: it starts with "{"
    mapping: dict[str, Any] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        key = name.strip() if sep else DEFAULT_KEY
        mapping[key] = _number_text(value if sep else name)
    return mapping[DEFAULT_KEY] if list(mapping) == [DEFAULT_KEY] else mapping


def _number_text(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text.strip()  # refused by the option's own check, with its message


def from_text(name: str, value: Any) -> Any:
    """An option's value from the text a command line or a template gives."""
    if not isinstance(value, str):
        if name == "threshold" and isinstance(value, Mapping):
            return {k: from_text("threshold", v) for k, v in value.items()}
        return value
    text = value.strip()
    if name in ("alpha", "drift_share", "segment_by") and text.lower() in NONE_WORDS:
        return None
    if name == "threshold":
        parsed = parse_threshold(text)
        return from_text(name, parsed) if isinstance(parsed, Mapping) else parsed
    if name == "min_rows":
        try:
            return int(text)
        except ValueError:
            return value
    if name in ("alpha", "smoothing", "drift_share"):
        return _number_text(text)
    return value


@dataclass(frozen=True)
class CheckSettings:
    """Validated options of a drift check (the contract: docs/statistics.md).

    ``threshold`` is one number or a ``{feature: value}`` mapping; in a mapping
    the key ``"*"`` sets the value for the features it does not name. Every
    option also accepts its text form (see :func:`from_text`).
    """

    threshold: float | Mapping[str, float] = DEFAULTS["threshold"]
    alpha: float | None = DEFAULTS["alpha"]
    smoothing: float = DEFAULTS["smoothing"]
    min_rows: int = DEFAULTS["min_rows"]
    correction: str = DEFAULTS["correction"]
    direction: str = DEFAULTS["direction"]
    base: str = DEFAULTS["base"]
    drift_share: float | None = DEFAULTS["drift_share"]
    segment_by: tuple[str, ...] | None = DEFAULTS["segment_by"]
    default_threshold: float = field(default=DEFAULTS["threshold"], repr=False)

    def __post_init__(self) -> None:
        for option in OPTIONS:
            object.__setattr__(
                self, option.name, from_text(option.name, getattr(self, option.name))
            )
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
        object.__setattr__(self, "segment_by", check_segment_by(self.segment_by))
        for name, allowed in (("direction", DIRECTIONS), ("base", BASES)):
            if getattr(self, name) not in allowed:
                raise ConfigError(f"{name} must be one of {allowed}, got {getattr(self, name)!r}")

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CheckSettings:
        """Settings from ``{option: value}``; an unknown name is refused."""
        unknown = [k for k in options if k not in OPTION_NAMES]
        if unknown:
            names = ", ".join(OPTION_NAMES)
            raise ConfigError(f"unknown option {unknown[0]!r}; the options are {names}")
        return cls(**options)

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
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if isinstance(self.threshold, Mapping):
            out["threshold"] = dict(self.threshold)
        if self.segment_by is not None:
            out["segment_by"] = list(self.segment_by)
        return out

    def segments_of(self, profile_by: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """The segments to judge: the profile's; ``segment_by``, when given, must
        name the same columns."""
        if self.segment_by is None or tuple(self.segment_by) == tuple(profile_by or ()):
            return profile_by
        has = f"segmented by {list(profile_by)}" if profile_by else "not segmented"
        raise ConfigError(
            f"segment_by is {list(self.segment_by)} but the profile is {has}; build the "
            f"profile with segment_by={list(self.segment_by)}"
        )


def options_table() -> str:
    """The options table of the docs (docs/reference/options.md), from
    :data:`OPTIONS` (a test keeps them equal)."""
    rows = [
        "| option | CLI flag | operator argument | expectation field | default | allowed |",
        "|---|---|---|---|---|---|",
    ]
    for o in OPTIONS:
        gx = "—" if o.name == "drift_share" else f"`{o.name}`"
        allowed = ", ".join(f"`{c}`" for c in o.choices) if o.choices else o.help
        rows.append(f"| `{o.name}` | `{o.flag}` | `{o.name}` | {gx} | `{o.default}` | {allowed} |")
    return "\n".join(rows)
