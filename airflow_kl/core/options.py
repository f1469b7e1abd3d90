"""Every check option, declared once: its name, default, text form, domain and help.

:class:`~airflow_kl.core.settings.CheckSettings` takes its fields from
:data:`OPTIONS`, the CLI its flags, the Airflow operators their (templated)
arguments, the GX expectation its fields and success keys, and the docs their
options table. Adding an option is adding an :class:`Option` here.

The operators need this vocabulary at DAG-parse time, so it imports nothing
heavy: a DAG file that names an operator pays for no numpy, scipy or pandas.

>>> OPTION_NAMES[:3]
('threshold', 'alpha', 'smoothing')
>>> OPTION["min_rows"].flag
'--min-rows'
>>> OPTION["alpha"].value(" none "), OPTION["alpha"].value("0.05")
(None, 0.05)
>>> OPTION["base"].value("decibans")
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: base must be one of ('nats', 'bits'), got 'decibans'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .option_values import (
    NONE_WORDS,
    check_alpha,
    check_choice,
    check_drift_share,
    check_min_rows,
    check_segment_by,
    check_smoothing,
    check_thresholds,
    read_integer,
    read_number,
    read_threshold,
    read_word,
)

CORRECTIONS = ("holm", "bonferroni", "bh", "none")
DIRECTIONS = ("current||reference", "reference||current")
BASES = ("nats", "bits")
DEFAULT_MAX_SEGMENTS = 20  # segments a profile keeps by reference rows
EVERY = ("day", "week", "month")  # how a backtest buckets a date/timestamp partition column


def _keep(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Option:
    """One check option as every entry point shows it.

    ``read`` turns the option's text form into a value (other values pass);
    ``check`` validates a value and returns it as plain Python. With
    ``choices`` the check is membership. ``nullable`` options read
    ``none``/``null``/``off`` as None. A ``per_feature`` option can be judged
    one column at a time, so it is a field of the GX expectation; the others
    judge a whole dataset. ``type`` is the annotation of the Python values a
    caller passes (the fields of ``CheckSettings`` and of the expectation).
    """

    name: str
    """The option's name as Python spells it (``min_rows``); the CLI flag is
    :attr:`flag`."""
    default: Any
    """The value when the option is not given."""
    help: str
    """One line on what the option means, shown by ``--help``, the operators'
    and GX's reference and the options table."""
    type: Any
    """The annotation of the values a caller passes (``float | None``)."""
    read: Callable[[Any], Any] = _keep
    """Turns the text form (a CLI argument, a rendered template) into a value;
    other values pass unchanged."""
    check: Callable[[Any], Any] = _keep
    """Validates a value and returns it as plain Python, or raises
    :class:`~airflow_kl.ConfigError` naming the option and the value."""
    choices: tuple[str, ...] | None = None
    """The words the option takes, when it is one of a few; None otherwise."""
    nullable: bool = False
    """True when ``none``, ``null`` or ``off`` read as None."""
    per_feature: bool = True
    """True when the option can judge one column at a time (a field of the GX
    expectation); False when it judges a whole dataset (``drift_share``)."""

    @property
    def flag(self) -> str:
        """The CLI flag: ``min_rows`` -> ``--min-rows``."""
        return "--" + self.name.replace("_", "-")

    @property
    def described(self) -> str:
        """The help as a sentence, with the choices and the default.

        >>> OPTION["base"].described
        'Unit of the divergences: one of nats, bits (default nats).'
        """
        choices = f": one of {', '.join(self.choices)}" if self.choices else ""
        default = "none" if self.default is None else self.default
        return f"{self.help[0].upper()}{self.help[1:]}{choices} (default {default})."

    def from_text(self, given: Any) -> Any:
        """The value of ``given`` when it is text (other values pass through).

        Parameters
        ----------
        given
            A value, or its text form (``"0.05"``, ``"none"``).
        """
        if self.nullable and isinstance(given, str) and given.strip().lower() in NONE_WORDS:
            return None
        return self.read(given)

    def value(self, given: Any) -> Any:
        """``given`` (a value or its text) read and checked.

        >>> OPTION["min_rows"].value("50")
        50

        Parameters
        ----------
        given
            A value, or its text form; a value the option does not take raises
            :class:`~airflow_kl.ConfigError`.
        """
        value = self.from_text(given)
        if self.choices is not None:
            return check_choice(self.name, value, self.choices)
        return self.check(value)


OPTIONS: tuple[Option, ...] = (
    Option(
        "threshold",
        0.1,
        "KL at or above which a feature drifts; per feature as 0.1,dep_delay=0.2 or "
        'a mapping {"*": 0.1, "dep_delay": 0.2}',
        float | dict[str, float],
        read=read_threshold,
        check=check_thresholds,
    ),
    Option(
        "alpha",
        0.01,
        "significance level of the G-test; none drops the test",
        float | None,
        read=read_number,
        check=check_alpha,
        nullable=True,
    ),
    Option(
        "smoothing",
        0.5,
        "pseudo-count added to every bin of both sides",
        float,
        read=read_number,
        check=check_smoothing,
    ),
    Option(
        "min_rows",
        100,
        "rows needed on both sides to judge a feature",
        int,
        read=read_integer,
        check=check_min_rows,
    ),
    Option(
        "correction",
        "holm",
        "multiple-testing correction over judged features",
        str,
        read=read_word,
        choices=CORRECTIONS,
    ),
    Option(
        "direction",
        "current||reference",
        "direction of the KL divergence",
        str,
        read=read_word,
        choices=DIRECTIONS,
    ),
    Option("base", "nats", "unit of the divergences", str, read=read_word, choices=BASES),
    Option(
        "drift_share",
        None,
        "share of judged features that makes the dataset drift; none: any feature",
        float | None,
        read=read_number,
        check=check_drift_share,
        nullable=True,
        per_feature=False,
    ),
    Option(
        "segment_by",
        None,
        "segment columns the profile was built with (checked against it); none: the profile's own",
        list[str] | str | None,
        check=check_segment_by,
        nullable=True,
    ),
)
OPTION: dict[str, Option] = {o.name: o for o in OPTIONS}
DEFAULTS: dict[str, Any] = {o.name: o.default for o in OPTIONS}
OPTION_NAMES: tuple[str, ...] = tuple(OPTION)
