"""A backtest and everything it writes: the timeline JSON (with the suggested
thresholds when there are any), its HTML page, the history rows and the
report store, as a scheduled gate would have written them.

>>> import pandas as pd, airflow_kl as ak
>>> year = pd.DataFrame({"month": [1] * 100 + [2] * 100, "x": [float(i % 50) for i in range(200)]})
>>> profile = ak.build_profile(year[year.month == 1], bins=2)
>>> run = run_backtest(profile, year, "month", normal="1..2")
>>> run.timeline.partitions, run.normal, run.suggestion.threshold
(['1', '2'], ['1', '2'], {'*': 0.1})
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.file_io import atomic_write_text
from ..core.settings import CheckSettings
from ..core.thresholds import Suggestion
from .outputs import Outputs


@dataclass(frozen=True)
class BacktestRun:
    """A backtest's timeline, the partitions taken as normal, and the
    thresholds suggested from them (None when none were asked for)."""

    timeline: Any
    normal: list[str]
    suggestion: Suggestion | None
    max_alarm_rate: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The timeline's JSON, and the suggestion under ``suggested_thresholds``."""
        out = self.timeline.to_dict()
        if self.suggestion is not None:
            out["suggested_thresholds"] = {
                "threshold": self.suggestion.threshold,
                "alarm_rate": self.suggestion.alarm_rate,
                "normal": self.normal,
                "max_alarm_rate": self.max_alarm_rate,
            }
        return out

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"


@dataclass(frozen=True)
class BacktestOutputs(Outputs):
    """:class:`Outputs` of a backtest: ``history`` names the gate task whose
    history the partitions become (``dag_id``/``task_id``); ``report_store``
    (a :class:`~airflow_kl.report.store.ReportStore`) receives every
    partition's report as that task's."""

    report_store: Any = None


NO_OUTPUTS = BacktestOutputs()


def run_backtest(
    profile: Any,
    data: Any,
    partition_by: str,
    *,
    every: str | None = None,
    features: list[str] | None = None,
    pairs: Any = None,
    settings: CheckSettings | None = None,
    progress: Callable[[int], None] | None = None,
    normal: str | list[str] | None = None,
    max_alarm_rate: float = 0.0,
    suggest: bool = True,
    outputs: BacktestOutputs = NO_OUTPUTS,
    **options: Any,
) -> BacktestRun:
    """:func:`airflow_kl.backtest`, the thresholds suggested from the ``normal``
    partitions (all of them by default; ``suggest=False``: none unless
    ``normal`` is given), then everything ``outputs`` asks for.

    Parameters
    ----------
    profile
        The reference profile.
    data
        The partitions' rows, all together: any source the resolver takes (a
        DataFrame, an Arrow table, files or a folder, a Spark DataFrame, an
        :func:`airflow_kl.sql` source).
    partition_by
        The column whose values name the partitions.
    every
        With a datetime ``partition_by``, the period one partition spans.
    features
        The features to judge (default: all of the profile's).
    pairs
        The profile's pairs to judge (default: every pair of judged features).
    settings
        Ready :class:`~airflow_kl.CheckSettings`, instead of ``options``.
    progress
        Called with the rows of each batch read, for a progress bar.
    normal
        The partitions known to be normal (labels, ``"a, b"`` or
        ``"first..last"``); None for all.
    max_alarm_rate
        The share of the normal partitions allowed to alarm, from 0 to 1.
    suggest
        Suggest thresholds when ``normal`` is not given.
    outputs
        What to write besides returning the result.
    **options
        Check options by name (see :class:`~airflow_kl.CheckSettings`).
    """
    from ..backtesting import backtest

    timeline = backtest(
        profile,
        data,
        partition_by,
        every=every,
        features=features,
        pairs=pairs,
        progress=progress,
        settings=settings,
        **options,
    )
    chosen = timeline.select(normal)
    suggestion = None
    if suggest or normal:
        suggestion = timeline.suggest_thresholds(chosen, float(max_alarm_rate))
    run = BacktestRun(timeline, chosen, suggestion, float(max_alarm_rate))
    write_backtest(run, outputs)
    return run


def write_backtest(run: BacktestRun, outputs: BacktestOutputs) -> None:
    """Backfill the history and the store, write the JSON and the page."""
    history = outputs.history
    if history is not None and history.target is not None:
        from ..backtesting.backfill import backfill_history

        backfill_history(
            run.timeline, history.target, dag_id=history.dag_id, task_id=history.task_id
        )
    if outputs.report_store is not None:
        from ..backtesting.backfill import backfill_store

        backfill_store(
            run.timeline,
            outputs.report_store,
            dag_id=history.dag_id if history else "",
            task_id=history.task_id if history else "",
            source=outputs.title,
        )
    if outputs.report_path is not None:
        atomic_write_text(outputs.report_path, run.to_json())
    if outputs.html_path is not None:
        from ..backtesting.page import render_timeline

        page = render_timeline(
            run.timeline,
            title=outputs.title,
            suggestion=run.suggestion,
            normal=run.normal,
            max_alarm_rate=run.max_alarm_rate,
        )
        atomic_write_text(outputs.html_path, page)
