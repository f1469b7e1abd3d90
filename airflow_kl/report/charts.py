"""Per-feature bar charts (reference vs current share per bin) as inline SVG.

Static SVG from matplotlib: the HTML report needs no JavaScript and no
network to show its charts. Labels are the text they are: matplotlib would
read ``$...$`` as math (and fail on ``$\\foo$``), so every chart is drawn with
``text.parse_math`` off, and control characters in a label are escaped.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..core.pair_results import PairResult  # noqa: E402
from ..core.partitions import natural_order  # noqa: E402
from ..core.results import FeatureResult  # noqa: E402
from ..core.text import printable  # noqa: E402

# Every label as plain text: no mathtext, no LaTeX.
AS_TEXT = {"text.parse_math": False, "text.usetex": False}

REFERENCE_COLOR = "#4c78a8"
CURRENT_COLOR = "#f58518"
DRIFT_COLOR = "#a1150d"


def shares(feature: FeatureResult) -> tuple[list[float], list[float]]:
    """Raw shares of each bin (missing and OTHER included) on both sides."""
    ref_total = sum(b.reference_count for b in feature.bins) or 1
    cur_total = sum(b.current_count for b in feature.bins) or 1
    return (
        [b.reference_count / ref_total for b in feature.bins],
        [b.current_count / cur_total for b in feature.bins],
    )


def feature_svg(feature: FeatureResult) -> str:
    """An SVG bar chart of bin shares, reference beside current."""
    ref, cur = shares(feature)
    labels = [printable(b.label) for b in feature.bins]
    width = max(6.0, 0.55 * len(labels) + 2)
    with matplotlib.rc_context(AS_TEXT):
        return _bars(labels, ref, cur, width)


def _bars(labels: list[str], ref: list[float], cur: list[float], width: float) -> str:
    fig, ax = plt.subplots(figsize=(width, 2.8), dpi=96)
    xs = range(len(labels))
    ax.bar([x - 0.2 for x in xs], ref, width=0.4, color=REFERENCE_COLOR, label="reference")
    ax.bar([x + 0.2 for x in xs], cur, width=0.4, color=CURRENT_COLOR, label="current")
    ax.set_xticks(list(xs))
    ax.set_xticklabels(labels, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel("share of rows")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    return _svg(fig)


def pair_svg(pair: PairResult) -> str:
    """A heatmap of a pair's cells: each cell's term of the dependence part
    (darker: more of the change in association), written over with the cell's
    share of the first side's rows and the share the other side's association
    predicts at these marginals. Rows are the first feature's cells."""
    with matplotlib.rc_context(AS_TEXT):
        return _heatmap(pair)


def _heatmap(pair: PairResult) -> str:
    both = [
        [r + c for r, c in zip(ref, cur, strict=True)]
        for ref, cur in zip(pair.reference_counts, pair.current_counts, strict=True)
    ]
    rows = [i for i, r in enumerate(both) if any(r)] or [0]  # cells empty on both sides: left out
    cols = [j for j in range(len(both[0])) if any(r[j] for r in both)] or [0]
    terms = [[max(pair.contributions[i][j], 0.0) for j in cols] for i in rows]
    shares, expected = pair.shares(), pair.expected
    size = (max(4.5, 1.5 * len(cols) + 2.5), max(2.6, 0.9 * len(rows) + 1.4))
    fig, ax = plt.subplots(figsize=size, dpi=96)
    image = ax.imshow(terms, cmap="Oranges", aspect="auto")
    for y, i in enumerate(rows):
        for x, j in enumerate(cols):
            text = f"{shares[i][j]:.1%}\n({expected[i][j]:.1%})"
            ax.text(x, y, text, ha="center", va="center", fontsize=7)
    ax.set_xticks(range(len(cols)))
    labels = [printable(pair.column_labels[j]) for j in cols]
    ax.set_xticklabels(labels, rotation=30, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([printable(pair.row_labels[i]) for i in rows], fontsize=7)
    ax.set_xlabel(printable(pair.features[1]), fontsize=8)
    ax.set_ylabel(printable(pair.features[0]), fontsize=8)
    side = "current" if pair.direction == "current||reference" else "reference"
    ax.set_title(f"share of {side} rows (expected)", fontsize=8, loc="left")
    fig.colorbar(image, ax=ax, label="dependence term")
    return _svg(fig)


def _svg(fig) -> str:
    """The figure as an inline ``<svg>`` element (no XML prolog), closing it."""
    fig.tight_layout()
    out = io.StringIO()
    with matplotlib.rc_context({**AS_TEXT, "svg.fonttype": "none"}):  # labels stay text
        fig.savefig(out, format="svg")
    plt.close(fig)
    text = out.getvalue()
    return text[text.index("<svg") :]


def trend_svg(
    rows: list[dict], threshold: float | None = None, gid: str = "trend", value: str = "kl"
) -> str:
    """KL per partition (history rows of one feature) as an SVG line chart, with
    the threshold as a dashed line and drifted partitions as red points; with
    ``value="dependence"``, a pair's dependence part (its rows' ``dependence``).

    A partition checked more than once shows its latest check; partitions go
    in :func:`~airflow_kl.core.partitions.natural_order` (``2`` before ``10``). The SVG groups
    have ids ``{gid}-kl``, ``{gid}-drift`` (one mark per drifted partition) and
    ``{gid}-threshold``; ``gid`` must be unique in the page.
    """
    latest = {r["partition_key"]: r for r in sorted(rows, key=lambda r: r["checked_at"])}
    points = [latest[k] for k in sorted(latest, key=natural_order)]
    with matplotlib.rc_context(AS_TEXT):
        return _trend(points, threshold, gid, value)


def _trend(points: list[dict], threshold: float | None, gid: str, value: str = "kl") -> str:
    label = "KL" if value == "kl" else value
    keys = [printable(r["partition_key"]) for r in points]
    kls = [r[value] if r[value] is not None else float("nan") for r in points]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(keys) + 2), 2.4), dpi=96)
    ax.plot(range(len(keys)), kls, marker="o", color=CURRENT_COLOR, label=label, gid=f"{gid}-kl")
    drifted = [i for i, r in enumerate(points) if r["status"] == "drift"]
    if drifted:
        ax.scatter(
            drifted,
            [kls[i] for i in drifted],
            color=DRIFT_COLOR,
            zorder=3,
            s=36,
            label="drift",
            gid=f"{gid}-drift",
        )
    if threshold is not None:
        ax.axhline(
            threshold,
            color=DRIFT_COLOR,
            linestyle="--",
            linewidth=1,
            label="threshold",
            gid=f"{gid}-threshold",
        )
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, fontsize=8)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(keys, rotation=35, ha="right", fontsize=8)
    ax.set_ylabel(label)
    ax.set_title(f"{label} by partition", fontsize=9, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    return _svg(fig)
