"""The options of a drift check, read and validated: :class:`CheckSettings`.

Its fields are the options declared in :mod:`airflow_kl.core.options`, and
the Python API, the CLI, the Airflow operators and the GX expectation all
build one from the options they were given, so a name, a default or an error
message exists in one place. Options also arrive as text, as a command line
types them or an Airflow template renders them: ``"0.2"``, ``"none"``, a
JSON object or ``0.1,dep_delay=0.2`` for per-feature thresholds.

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

from .errors import ConfigError
from .option_values import DEFAULT_KEY, read_threshold
from .options import DEFAULTS, OPTION, OPTION_NAMES, OPTIONS


def parse_threshold(text: str) -> float | dict[str, Any]:
    """``0.1``, ``0.1,dep_delay=0.2`` or a JSON object, as a number or a mapping.

    >>> parse_threshold("0.1,dep_delay=0.2")
    {'*': 0.1, 'dep_delay': 0.2}
    """
    return read_threshold(text)


def from_text(name: str, value: Any) -> Any:
    """An option's value from the text a command line or a template gives."""
    return OPTION[name].from_text(value)


# It runs once, at import, before a test can pick a mutant: mutmut cannot test it.
# What it builds is tested (test_settings.py; test_adding_an_option.py adds an option).
def option_fields(cls: type) -> type:  # pragma: no mutate block
    """Give a class-to-be-dataclass one field per option of :data:`OPTIONS`
    (annotated with its type, defaulting to its default, described by its
    help), ahead of its own."""
    own = cls.__dict__.get("__annotations__", {})
    cls.__annotations__ = {o.name: o.type for o in OPTIONS} | own
    for option in OPTIONS:
        setattr(cls, option.name, field(default=option.default, metadata={"doc": option.described}))
    return cls


@dataclass(frozen=True)
@option_fields
class CheckSettings:
    """Validated options of a drift check (the contract: docs/statistics.md).

    One field per option of :data:`~airflow_kl.core.options.OPTIONS`
    (``threshold``, ``alpha``, ``smoothing``, ``min_rows``, ``correction``,
    ``direction``, ``base``, ``drift_share``, ``segment_by``), each read from
    its text form and checked by its declaration. ``threshold`` is one number
    or a ``{feature: value}`` mapping; in a mapping the key ``"*"`` sets the
    value for the features it does not name (``default_threshold``).
    """

    default_threshold: float = field(default=DEFAULTS["threshold"], repr=False)
    """The threshold of a feature ``threshold`` does not name: the ``"*"`` entry
    of a mapping, else this (as given), or ``threshold`` itself when it is one
    number."""

    def __post_init__(self) -> None:
        for option in OPTIONS:
            object.__setattr__(self, option.name, option.value(getattr(self, option.name)))
        if isinstance(self.threshold, Mapping):
            thresholds = dict(self.threshold)
            default = thresholds.pop(DEFAULT_KEY, self.default_threshold)
            object.__setattr__(self, "threshold", thresholds)
            object.__setattr__(self, "default_threshold", default)
        else:
            object.__setattr__(self, "default_threshold", self.threshold)

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> CheckSettings:
        """Settings from ``{option: value}``; an unknown name is refused.

        Parameters
        ----------
        options
            Check options by name, as values or their text forms
            (``{"alpha": "none", "min_rows": "50"}``).
        """
        unknown = [k for k in options if k not in OPTION_NAMES]
        if unknown:
            names = ", ".join(OPTION_NAMES)
            raise ConfigError(f"unknown option {unknown[0]!r}; the options are {names}")
        return cls(**options)

    def threshold_for(self, feature: str) -> float:
        """The KL threshold ``feature`` is judged against.

        >>> CheckSettings(threshold={"*": 0.2, "x": 0.5}).threshold_for("y")
        0.2

        Parameters
        ----------
        feature
            A feature's name.
        """
        if isinstance(self.threshold, Mapping):
            return self.threshold.get(feature, self.default_threshold)
        return self.threshold

    def check_features(self, features: list[str]) -> None:
        """Raise :class:`~airflow_kl.ConfigError` when a per-feature threshold
        names a feature that is not checked.

        Parameters
        ----------
        features
            The names of the features checked.
        """
        if isinstance(self.threshold, Mapping):
            unknown = sorted(set(self.threshold) - set(features))
            if unknown:
                raise ConfigError(
                    f"threshold names unknown feature {unknown[0]!r}; checked features: "
                    f"{', '.join(features)}"
                )

    def to_dict(self) -> dict[str, Any]:
        """Every setting by name as plain JSON values (a report keeps them)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if isinstance(self.threshold, Mapping):
            out["threshold"] = dict(self.threshold)
        if self.segment_by is not None:
            out["segment_by"] = list(self.segment_by)
        return out

    def segments_of(self, profile_by: tuple[str, ...] | None) -> tuple[str, ...] | None:
        """The segments to judge: the profile's; ``segment_by``, when given, must
        name the same columns.

        Parameters
        ----------
        profile_by
            The segment columns the profile was built with, or None.
        """
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
        gx = f"`{o.name}`" if o.per_feature else "—"
        allowed = ", ".join(f"`{c}`" for c in o.choices) if o.choices else o.help
        rows.append(f"| `{o.name}` | `{o.flag}` | `{o.name}` | {gx} | `{o.default}` | {allowed} |")
    return "\n".join(rows)
