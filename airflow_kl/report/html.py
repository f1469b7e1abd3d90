"""One self-contained HTML file per drift report: summary, features sorted by KL,
and per feature a reference-vs-current chart of bin shares with each bin's KL
contribution. Opens with no network (inline CSS and SVG, no scripts).

>>> import airflow_kl as ak, pandas as pd
>>> ref = pd.DataFrame({"c": ["a"] * 150 + ["b"] * 50})
>>> page = render_html(ak.check_drift(ak.build_profile(ref), ref))
>>> "No drift" in page and "<svg" in page and "<script" not in page
True
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

import jinja2

from ..core.file_io import atomic_write_text
from ..core.measures import MEASURES, summary_measures
from ..core.results import DriftReport
from ..core.status import STATUSES
from .charts import feature_svg, pair_svg
from .glossary import TERMS, settings_rows, title_of
from .templates import PAGE

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _fmt(value: float | None) -> str:
    """A measure; blank for one the report was written without."""
    if value is None:
        return ""
    return "inf" if math.isinf(value) else f"{value:.4f}"


def _pfmt(value: float) -> str:
    return f"{value:.2e}" if value < 1e-4 else f"{value:.4f}"


def render_html(
    report: DriftReport | Mapping[str, Any],
    title: str = "",
    trends: Mapping[str, str] | None = None,
) -> str:
    """The report page as a string; ``trends`` maps features to extra SVG (history)."""
    if not isinstance(report, DriftReport):
        report = DriftReport.from_dict(dict(report))
    features = sorted(
        report.features.values(), key=lambda f: (-1.0 if math.isnan(f.kl) else -f.kl, f.name)
    )
    pairs = sorted(
        report.pairs.values(),
        key=lambda p: (-1.0 if math.isnan(p.dependence) else -p.dependence, p.name),
    )
    counts = Counter(dict.fromkeys(STATUSES, 0))
    counts.update(f.status for f in features)
    return _ENV.from_string(PAGE).render(
        report=report,
        features=features,
        counts=counts,
        title=title,
        charts={f.name: feature_svg(f) for f in features},
        pairs=pairs,
        pair_charts={p.name: pair_svg(p) for p in pairs},
        trends=dict(trends or {}),
        summary=summary_measures(),
        details=[m for m in MEASURES if not m.in_summary],
        fmt=_fmt,
        pfmt=_pfmt,
        settings=settings_rows(report.settings),
        terms=TERMS,
        title_of=title_of,
    )


def history_trends(
    target: Any, report: DriftReport, dag_id: str | None = None, task_id: str | None = None
) -> dict[str, str]:
    """Per-feature KL trend charts from a results-history database."""
    from .charts import trend_svg
    from .history import trend

    out = {}
    for i, (name, f) in enumerate(report.features.items()):
        rows = trend(target, name, dag_id=dag_id, task_id=task_id)
        if len(rows) > 1:
            out[name] = trend_svg(rows, f.threshold, gid=f"trend-{i}")
    return out


def write_html(
    report: DriftReport | Mapping[str, Any],
    path: Any,
    title: str = "",
    trends: Mapping[str, str] | None = None,
) -> str:
    """Render and write atomically; returns the path.

    Parameters
    ----------
    report
        A :class:`~airflow_kl.DriftReport`, or its dict (a report's JSON, parsed).
    path
        Where the page goes: a local path or an fsspec URI.
    title
        Shown after "Drift report:" in the heading and the tab (default: nothing).
    trends
        Each feature's KL trend over earlier runs, as an SVG chart by feature
        name (what the results history draws); None for none.
    """
    atomic_write_text(path, render_html(report, title, trends))
    return str(path)
