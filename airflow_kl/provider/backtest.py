"""``KLBacktestOperator``: every past partition of a table judged in one pass,
before a gate is trusted; the thresholds it suggests go to the gate by XCom.

A DAG backtests the history once (or on a schedule), then hands
``backtest.output["threshold"]`` to :class:`KLDriftCheckOperator` as its
``threshold``: the gate then fires at most as often as the chosen share of
the normal past partitions would have made it fire.
"""

from __future__ import annotations

from typing import Any

from ..core.errors import AirflowKLError
from ..core.options import OPTION_NAMES
from .exceptions import InvalidDriftInput
from .gate import CheckOptionsOperator, confine
from .source_args import describe, resolve_source, storage_path


class KLBacktestOperator(CheckOptionsOperator):
    """Count every partition of ``source`` (rows grouped by ``partition_by``,
    dates bucketed by ``every``) into ``profile``'s bins in one pass, judge
    each as its own check would (same check options as the gates), and
    suggest per-feature thresholds from the ``normal`` partitions.

    Returns (XCom ``return_value``) ``{"partitions", "drifted", "threshold",
    "alarm_rate", "normal"}``, and pushes ``threshold`` under its own key too:
    ``backtest.output["threshold"]`` is ready for a gate's ``threshold=``.
    ``report_path``/``html_path`` write the timeline's JSON and HTML page;
    ``backfill_dag_id``/``backfill_task_id`` write every partition's report to
    the report store as that gate task's history. ``pairs`` (templated) chooses
    the profile's pairs to judge in every partition (default: all).
    """

    template_fields = (
        "profile",
        "source",
        "partition_by",
        "every",
        "normal",
        "max_alarm_rate",
        *OPTION_NAMES,
        "features",
        "pairs",
        "report_path",
        "html_path",
    )
    template_fields_renderers = {"source": "json", "threshold": "json"}
    ui_color = "#f3e8fd"

    def __init__(
        self,
        *,
        profile: str,
        source: Any,
        partition_by: str,
        every: str | None = None,
        normal: str | list[str] | None = None,
        max_alarm_rate: float = 0.0,
        features: list[str] | None = None,
        pairs: str | list | None = None,
        report_path: str | None = None,
        html_path: str | None = None,
        backfill_dag_id: str | None = None,
        backfill_task_id: str | None = None,
        base_dir: str | None = None,
        conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.profile, self.source, self.partition_by = profile, source, partition_by
        self.every, self.normal, self.max_alarm_rate = every, normal, max_alarm_rate
        self.features, self.report_path, self.html_path = features, report_path, html_path
        self.pairs = pairs
        self.backfill_dag_id, self.backfill_task_id = backfill_dag_id, backfill_task_id
        self.base_dir, self.conn_id = base_dir, conn_id

    def execute(self, context: Any) -> dict[str, Any]:
        from ..core.profile import Profile
        from ..core.settings import CheckSettings
        from ..run.backtest import run_backtest

        self.source, self.profile, self.report_path, self.html_path = confine(
            self.base_dir, self.source, self.profile, self.report_path, self.html_path
        )
        source = describe(self.source)
        try:
            settings = CheckSettings.from_options(self.check_options())
            run = run_backtest(
                Profile.load(storage_path(self.profile, self.conn_id)),
                resolve_source(self.source, self.conn_id),
                self.partition_by,
                every=self.every,
                features=self.features,
                pairs=self.pairs,
                settings=settings,
                normal=self.normal,
                max_alarm_rate=float(self.max_alarm_rate),
                outputs=self._outputs(source),
            )
        except AirflowKLError as exc:
            raise InvalidDriftInput(str(exc)) from exc
        suggestion = run.suggestion
        self.log.info("backtest of %s by %s\n%s", source, self.partition_by, run.timeline.table())
        self.log.info(
            "suggested thresholds from %s: %s", ", ".join(run.normal), suggestion.threshold
        )
        context["ti"].xcom_push(key="threshold", value=suggestion.threshold)
        return {
            "partitions": run.timeline.partitions,
            "drifted": run.timeline.drifted,
            "threshold": suggestion.threshold,
            "alarm_rate": suggestion.alarm_rate,
            "normal": run.normal,
        }

    def _outputs(self, source: str) -> Any:
        """The timeline's JSON and page, and (with ``backfill_*``) every
        partition in the report store as that gate task's history."""
        from ..run.backtest import BacktestOutputs
        from ..run.outputs import History

        task, store = None, None
        if self.backfill_dag_id and self.backfill_task_id:
            from ..config import configured_store

            task = History(dag_id=self.backfill_dag_id, task_id=self.backfill_task_id)
            store = configured_store()
            if store is None:
                self.log.warning("no report store is configured: nothing backfilled")
        return BacktestOutputs(
            storage_path(self.report_path, self.conn_id),
            storage_path(self.html_path, self.conn_id),
            source,
            task,
            report_store=store,
        )
