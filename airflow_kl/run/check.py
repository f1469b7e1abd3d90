"""A check and everything it writes: the report JSON, the HTML page (with
KL trends when a history is kept), the history rows, the report store.

>>> import pandas as pd, airflow_kl as ak
>>> profile = ak.build_profile(pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0] * 50}), bins=2)
>>> report, written = run_check(profile, pd.DataFrame({"x": [1.0, 4.0] * 100}))
>>> report.drifted, written
(False, Written(history_rows=0, page_url=None))
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.file_io import atomic_write_text, is_uri, local_path
from ..core.results import DriftReport
from ..core.settings import CheckSettings
from .outputs import Outputs, Written

NO_OUTPUTS = Outputs()


def run_check(
    profile: Any,
    data: Any,
    *,
    features: list[str] | None = None,
    pairs: Any = None,
    settings: CheckSettings | None = None,
    progress: Callable[[int], None] | None = None,
    outputs: Outputs = NO_OUTPUTS,
    **options: Any,
) -> tuple[DriftReport, Written]:
    """:func:`airflow_kl.check_drift`, then :func:`write_report`.

    Parameters
    ----------
    profile
        The reference profile.
    data
        The data to judge: any source the resolver takes (a DataFrame, an
        Arrow table, files or a folder, a Spark DataFrame, an
        :func:`airflow_kl.sql` source).
    features
        The features to judge (default: all of the profile's).
    pairs
        The profile's pairs to judge (default: every pair of judged features).
    settings
        Ready :class:`~airflow_kl.CheckSettings`, instead of ``options``.
    progress
        Called with the rows of each batch read, for a progress bar.
    outputs
        What to write besides returning the report.
    **options
        Check options by name (see :class:`~airflow_kl.CheckSettings`).
    """
    from ..api import check_drift

    report = check_drift(
        profile,
        data,
        features=features,
        pairs=pairs,
        progress=progress,
        settings=settings,
        **options,
    )
    return report, write_report(report, outputs)


def write_report(report: DriftReport, outputs: Outputs) -> Written:
    """Record the history first (the page's trends include this run), then write
    the JSON, render the page once for the file and the store."""
    rows = 0
    history = outputs.history
    if history is not None:
        from ..report.history import record

        rows = record(
            history.target,
            report,
            partition_key=history.partition_key,
            dag_id=history.dag_id,
            task_id=history.task_id,
        )
    if outputs.report_path is not None:
        atomic_write_text(outputs.report_path, report.to_json())
    if outputs.html_path is None and outputs.store is None:
        return Written(rows)
    page = render_page(report, outputs)
    url = None
    if outputs.html_path is not None:
        atomic_write_text(outputs.html_path, page)
        url = file_url(outputs.html_path)
    if outputs.store is not None:
        url = outputs.store(report, page) or url
    return Written(rows, url)


def render_page(report: DriftReport, outputs: Outputs) -> str:
    """The report's HTML page, with each feature's KL trend when a history is kept."""
    from ..report.html import history_trends, render_html

    history = outputs.history
    trends = None
    if history is not None:
        # a task's own rows; from the command line (no DAG), every row of the feature
        trends = history_trends(
            history.target, report, dag_id=history.dag_id or None, task_id=history.task_id or None
        )
    return render_html(report, title=outputs.title, trends=trends)


def file_url(path: Any) -> str:
    """A written file's URL: a URL as it is, a local path as ``file://``."""
    text = str(path)
    return text if is_uri(path) else local_path(path).resolve().as_uri()
