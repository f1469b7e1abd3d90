"""What every data-quality gate shares, once (as common.sql's
``BaseSQLOperator`` holds what its SQL operators share): the check options
taken from the keyword arguments, local paths confined to ``base_dir``, the
report stored and linked, and acting on a failed gate by failing, skipping
or warning.

>>> choice("on_drift", "warn", ACTIONS)
'warn'
>>> choice("on_drift", "ignore", ACTIONS)
Traceback (most recent call last):
...
airflow_kl.provider.exceptions.InvalidDriftInput: on_drift must be one of ('fail', 'warn', 'skip'), got 'ignore'
"""  # noqa: E501

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseOperator

from ..core.errors import AirflowKLError
from ..core.file_io import within, within_database
from ..core.options import DEFAULTS, OPTION_NAMES
from .compat import AirflowSkipException
from .exceptions import InvalidDriftInput
from .links import HTML_XCOM_KEY
from .report_store import task_store

ACTIONS = ("fail", "warn", "skip")


def choice(name: str, value: str, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``; else the error naming both."""
    if value not in allowed:
        raise InvalidDriftInput(f"{name} must be one of {tuple(allowed)}, got {value!r}")
    return value


def confine(base_dir: str | None, *paths: Any) -> tuple[Any, ...]:
    """With ``base_dir``, every local path argument must resolve inside it
    (``..`` and symlinks followed); SQL mappings and callables pass through."""
    if base_dir is None:
        return paths
    try:
        return tuple(within(base_dir, p) if isinstance(p, (str, os.PathLike)) else p for p in paths)
    except AirflowKLError as exc:
        raise InvalidDriftInput(str(exc)) from exc


def beside(report_path: str) -> str:
    """The HTML report's path beside the JSON one (works for URLs too).

    >>> beside("s3://lake/reports/2013-09.json"), beside("/tmp/report")
    ('s3://lake/reports/2013-09.html', '/tmp/report.html')
    """
    stem = report_path[: -len(".json")] if report_path.endswith(".json") else report_path
    return f"{stem}.html"


def confine_database(base_dir: str | None, target: Any) -> Any:
    """With ``base_dir``, a SQLite file (a path or ``sqlite:///`` URL) must be
    inside it, as every other path; a server's URL passes."""
    if base_dir is None:
        return target
    try:
        return within_database(base_dir, target)
    except AirflowKLError as exc:
        raise InvalidDriftInput(str(exc)) from exc


class CheckOptionsOperator(BaseOperator):
    """An operator that judges as a check does: the check options
    (``threshold``, ``alpha``, ... of :data:`airflow_kl.core.options.OPTIONS`)
    are attributes with the defaults of :class:`~airflow_kl.CheckSettings`,
    templated and validated in ``execute()``; :meth:`check_options` hands them
    to the check."""

    def __init__(self, **kwargs: Any) -> None:
        options = {name: kwargs.pop(name, DEFAULTS[name]) for name in OPTION_NAMES}
        super().__init__(**kwargs)
        for name, value in options.items():  # templated, so validated in execute()
            setattr(self, name, value)

    def check_options(self) -> dict[str, Any]:
        """Every check option as the task holds it (rendered, not yet validated)."""
        return {name: getattr(self, name) for name in OPTION_NAMES}


# The templated arguments of the outputs every gate writes (see DriftGateOperator).
OUTPUT_FIELDS = ("report_path", "html_path", "html_url", "history_db", "partition_key")


class DriftGateOperator(CheckOptionsOperator):
    """Base of the gates: :class:`KLDriftCheckOperator` and :class:`GXValidationOperator`,
    which take the check options (:class:`CheckOptionsOperator`) and write the
    same outputs of their drift report (:class:`airflow_kl.run.outputs.Outputs`).

    :param report_path: where to write the report JSON (templated), optional.
    :param html_path: where to write the HTML report (templated); defaults to
        ``report_path`` with ``.html`` when that is set. Its URL (``html_url``
        if given, else the file URI) is the task's "Drift report" extra link.
    :param history_db: results-history database (SQLAlchemy URL or SQLite
        path), or ``history_conn_id`` (an Airflow SQL connection): one row per
        feature, upserted on (dag, task, ``partition_key``, feature, profile);
        the HTML report then shows each feature's KL trend from it.
    """

    def __init__(
        self,
        *,
        source: Any,
        partition_key: str = "{{ ds }}",
        base_dir: str | None = None,
        conn_id: str | None = None,
        report_path: str | None = None,
        html_path: str | None = None,
        html_url: str | None = None,
        history_db: str | None = None,
        history_conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source, self.partition_key = source, partition_key
        self.base_dir, self.conn_id = base_dir, conn_id
        self.report_path, self.html_path, self.html_url = report_path, html_path, html_url
        self.history_db, self.history_conn_id = history_db, history_conn_id

    def confine_outputs(self) -> None:
        """The output paths and a SQLite history inside ``base_dir``, when set."""
        self.report_path, self.html_path = confine(self.base_dir, self.report_path, self.html_path)
        self.history_db = confine_database(self.base_dir, self.history_db)

    def _history(self, context: Any) -> Any:
        from ..run.outputs import History
        from .source_args import sql_engine

        if not (self.history_db or self.history_conn_id):
            return None
        ti = context["ti"]
        target = self.history_db or sql_engine(self.history_conn_id)
        return History(target, str(self.partition_key), ti.dag_id, ti.task_id)

    def publish(self, report: Any, context: Any, *, source: str) -> None:
        """Everything the run layer writes of a report
        (:func:`airflow_kl.run.check.write_report`): its JSON, its page, the
        history rows and the report store; the page's URL (``html_url`` when
        given) becomes the task's "Drift report" link."""
        from ..core.text import page_title
        from ..run.check import write_report
        from ..run.outputs import Outputs
        from .source_args import storage_path

        html_path = self.html_path or (beside(self.report_path) if self.report_path else None)
        history = self._history(context)
        outputs = Outputs(
            storage_path(self.report_path, self.conn_id),
            storage_path(html_path, self.conn_id),
            page_title(source),
            history,
            task_store(self, context, source),
        )
        try:
            written = write_report(report, outputs)
        except AirflowKLError as exc:  # a StoreError: not worth a retry
            raise InvalidDriftInput(str(exc)) from exc
        if written.history_rows:
            rows, key = written.history_rows, history.partition_key
            self.log.info("recorded %d history rows for partition %s", rows, key)
        url = self.html_url or written.page_url
        if url:
            context["ti"].xcom_push(key=HTML_XCOM_KEY, value=url)
            self.log.info("drift report: %s", url)

    def act(self, action: str, message: str, failure: Exception) -> None:
        """A failed gate: raise ``failure`` (never retried), skip, or warn."""
        if action == "fail":
            raise failure
        if action == "skip":
            raise AirflowSkipException(message)
        self.log.warning(message)
