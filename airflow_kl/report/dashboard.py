"""The drift dashboard: the latest verdict of every checked task, and per
feature its KL trend over partitions (per pair its dependence part's), from
the report store.

Self-contained HTML (inline CSS and SVG, no scripts), like the report page.

>>> import airflow_kl as ak, pandas as pd, sqlalchemy as sa
>>> from airflow_kl.report.store import ReportStore, TaskInstanceRef
>>> store = ReportStore(sa.create_engine("sqlite://"))
>>> ref = pd.DataFrame({"x": range(200)})
>>> store.save(TaskInstanceRef("d", "r1", "check"), ak.check_drift(ak.build_profile(ref), ref),
...            html="", partition_key="2013-01", source="ref")
>>> page = render_dashboard(store)
>>> 'href="reports/d/r1/check"' in page and "<script" not in page
True
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection

import jinja2

from ..core.status import STATUSES
from .charts import trend_svg
from .store import ReportStore, StoredReport, TaskInstanceRef
from .templates import DASHBOARD

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def report_link(row: StoredReport) -> str:
    """The report's route relative to the dashboard's (both under the plugin's prefix)."""
    return TaskInstanceRef(row.dag_id, row.run_id, row.task_id, row.map_index).route


def task_trends(store: ReportStore, row: StoredReport, section: int) -> list[tuple[str, str]]:
    """(feature, trend SVG) for each feature of the task's latest report, drifted
    and highest-KL features first, the threshold taken from that report. The
    charts' SVG ids are ``t{section}-f{i}-…`` (see :func:`.charts.trend_svg`)."""
    features = sorted(
        row.report.features.values(),
        key=lambda f: (not f.drifted, -(0.0 if math.isnan(f.kl) else f.kl), f.name),
    )
    return [
        (
            f.name,
            trend_svg(
                store.trend(row.dag_id, row.task_id, f.name), f.threshold, gid=f"t{section}-f{i}"
            ),
        )
        for i, f in enumerate(features)
    ]


def pair_trends(store: ReportStore, row: StoredReport, section: int) -> list[tuple[str, str]]:
    """(pair, trend SVG of its dependence part) for each pair of the task's
    latest report, drifted first; SVG ids ``t{section}-p{i}-…``."""
    pairs = sorted(row.report.pairs.values(), key=lambda p: (not p.drifted, p.name))
    return [
        (
            p.name,
            trend_svg(
                store.pair_trend(row.dag_id, row.task_id, p.features),
                p.threshold,
                gid=f"t{section}-p{i}",
                value="dependence",
            ),
        )
        for i, p in enumerate(pairs)
    ]


def render_dashboard(store: ReportStore, dag_ids: Collection[str] | None = None) -> str:
    """The dashboard page; with ``dag_ids``, only those DAGs' tasks."""
    latest = store.latest(dag_ids)
    counts = Counter(dict.fromkeys(STATUSES, 0))
    counts.update(r.status for r in latest)
    return _ENV.from_string(DASHBOARD).render(
        latest=latest,
        counts=counts,
        links=[report_link(r) for r in latest],
        trends=[task_trends(store, r, i) for i, r in enumerate(latest)],
        pair_trends=[pair_trends(store, r, i) for i, r in enumerate(latest)],
    )
