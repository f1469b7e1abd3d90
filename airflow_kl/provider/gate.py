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
from .report_store import store_report

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


class DriftGateOperator(CheckOptionsOperator):
    """Base of the gates: :class:`KLDriftCheckOperator` and :class:`GXValidationOperator`,
    which take the check options (:class:`CheckOptionsOperator`)."""

    def __init__(
        self,
        *,
        source: Any,
        partition_key: str = "{{ ds }}",
        base_dir: str | None = None,
        conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.source, self.partition_key = source, partition_key
        self.base_dir, self.conn_id = base_dir, conn_id

    def publish(
        self,
        report: Any,
        context: Any,
        *,
        source: str,
        html_path: Any = None,
        html_url: str | None = None,
    ) -> None:
        """The report in the store (and its HTML at ``html_path``), its URL the
        task's "Drift report" link."""
        url = store_report(self, report, context, source=source, html_path=html_path)
        url = html_url or url
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
