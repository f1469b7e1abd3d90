"""A backtest's timeline as one self-contained HTML page: the verdict of
every partition, the suggested thresholds, and per feature the KL across
partitions (the dashboard's trend chart, with the threshold and the drift
points). Inline CSS and SVG, no scripts.

>>> import airflow_kl as ak, pandas as pd
>>> year = pd.DataFrame({"month": [1] * 100 + [2] * 100, "x": list(range(200))})
>>> timeline = ak.backtest(ak.build_profile(year[year.month == 1], features=["x"]), year, "month")
>>> page = render_timeline(timeline)
>>> 'data-partition="2"' in page and "<svg" in page and "<script" not in page
True
"""

from __future__ import annotations

import math
from typing import Any

import jinja2

from ..core.file_io import atomic_write_text
from ..core.results import measure_text
from ..core.thresholds import Suggestion
from ..report.charts import trend_svg
from ..report.templates import TIMELINE
from .timeline import Backtest

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def feature_trends(timeline: Backtest) -> list[tuple[str, str]]:
    """(feature, KL-by-partition SVG) for every feature, drifted ones first;
    the SVG ids are ``b-f{i}-kl``, ``b-f{i}-drift``, ``b-f{i}-threshold``."""
    reports = list(timeline.reports.items())
    names = list(reports[0][1].features) if reports else []
    drifts = {n: sum(r.features[n].drifted for _, r in reports) for n in names}
    names.sort(key=lambda n: (-drifts[n], n))
    out = []
    for i, name in enumerate(names):
        rows = [
            {
                "partition_key": p,
                "kl": None if math.isnan(r.features[name].kl) else r.features[name].kl,
                "status": r.features[name].status,
                "checked_at": 0,
            }
            for p, r in reports
        ]
        threshold = reports[0][1].features[name].threshold
        out.append((name, trend_svg(rows, threshold, gid=f"b-f{i}")))
    return out


def render_timeline(
    timeline: Backtest,
    title: str = "",
    suggestion: Suggestion | None = None,
    normal: list[str] | None = None,
    max_alarm_rate: float = 0.0,
) -> str:
    """The timeline page as a string."""
    return _ENV.from_string(TIMELINE).render(
        timeline=timeline,
        title=title,
        trends=feature_trends(timeline),
        suggestion=suggestion,
        suggestion_rate=f"{max_alarm_rate:.0%}",
        normal=normal or timeline.partitions,
        fmt=measure_text,
    )


def write_timeline(timeline: Backtest, path: Any, **kwargs: Any) -> str:
    """Render and write atomically; returns the path."""
    atomic_write_text(path, render_timeline(timeline, **kwargs))
    return str(path)
