"""The names, defaults and choices of every option, in plain Python.

This is the vocabulary the Airflow operators need at DAG-parse time (their
``template_fields`` and default arguments), so it imports nothing: a DAG file
that names an operator pays for no numpy, scipy or pandas. The validation of
each option lives with its rule (:mod:`.decision`, :mod:`.divergence`,
:mod:`.segments`) and is applied by :class:`~airflow_kl.core.settings.CheckSettings`.

>>> OPTION_NAMES[:3]
('threshold', 'alpha', 'smoothing')
>>> Option("min_rows", 100, "rows").flag
'--min-rows'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CORRECTIONS = ("holm", "bonferroni", "bh", "none")
DIRECTIONS = ("current||reference", "reference||current")
BASES = ("nats", "bits")
DEFAULT_KEY = "*"  # in a threshold mapping: the value for features not named
DEFAULT_MAX_SEGMENTS = 20  # segments a profile keeps by reference rows
EVERY = ("day", "week", "month")  # how a backtest buckets a date/timestamp partition column


@dataclass(frozen=True)
class Option:
    """One check option as every entry point shows it."""

    name: str
    default: Any
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def flag(self) -> str:
        """The CLI flag: ``min_rows`` -> ``--min-rows``."""
        return "--" + self.name.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option(
        "threshold",
        0.1,
        "KL at or above which a feature drifts; per feature as 0.1,dep_delay=0.2 or "
        'a mapping {"*": 0.1, "dep_delay": 0.2}',
    ),
    Option("alpha", 0.01, "significance level of the G-test; none drops the test"),
    Option("smoothing", 0.5, "pseudo-count added to every bin of both sides"),
    Option("min_rows", 100, "rows needed on both sides to judge a feature"),
    Option("correction", "holm", "multiple-testing correction over judged features", CORRECTIONS),
    Option("direction", "current||reference", "direction of the KL divergence", DIRECTIONS),
    Option("base", "nats", "unit of the divergences", BASES),
    Option(
        "drift_share",
        None,
        "share of judged features that makes the dataset drift; none: any feature",
    ),
    Option(
        "segment_by",
        None,
        "segment columns the profile was built with (checked against it); none: the profile's own",
    ),
)
DEFAULTS: dict[str, Any] = {o.name: o.default for o in OPTIONS}
OPTION_NAMES: tuple[str, ...] = tuple(DEFAULTS)
