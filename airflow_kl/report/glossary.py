"""What the words on a report page mean, in one place: the page's "Terms"
section and the hover titles of its column headings read them.

>>> TERMS["KL"][:40]
'Kullback-Leibler divergence D(current ‖ '
>>> title_of("KL contribution").split(". ")[0]
"One bin's term p·ln(p/q) of the KL (for current ‖ reference)"
"""

from __future__ import annotations

from typing import Any

from ..core.options import OPTION

TERMS: dict[str, str] = {
    "KL": "Kullback-Leibler divergence D(current ‖ reference) = Σ p·ln(p/q) over the "
    "bins, p the current share of a bin and q the reference's (both smoothed): 0 when "
    "the shares are equal, larger the more the current rows moved. The verdict is about it.",
    "JS": "Jensen-Shannon divergence: the mean KL of each side to their midpoint; "
    "symmetric and at most ln 2 (1 in bits).",
    "PSI": "Population stability index Σ (p − q)·ln(p/q): the KL of both directions "
    "added. A common rule of thumb reads above 0.25 as a large shift.",
    "Hellinger": "Hellinger distance, between 0 (same shares) and 1 (no bin in common).",
    "TV": "Total variation distance: half the sum of |p − q|, the share of rows that "
    "would have to move bins to make the two the same; between 0 and 1.",
    "p-value": "Of the G-test (the likelihood-ratio test of a 2 × bins table, with "
    "Williams' correction) that the current and reference rows come from the same "
    "shares, corrected for testing many features (see correction). A feature drifts "
    "only when its KL reaches the threshold and this is below alpha.",
    "KL contribution": "One bin's term p·ln(p/q) of the KL (for current ‖ reference). It "
    "is negative where the bin "
    "holds a smaller share of the current rows than of the reference (p < q); the terms "
    "add up to the KL, which is never negative.",
    "threshold": "The KL at or above which a feature drifts (when its p-value is also "
    "below alpha).",
    "status": "ok: judged, no drift; drift: KL at or above the threshold and a p-value "
    "below alpha; insufficient_data: fewer rows than min_rows on a side, not judged.",
    "bin": "A number's bins are ranges between edges taken from the reference "
    "(its quantiles, or equally spaced), the first and last open-ended; a category's "
    "are its most frequent reference values, then OTHER for every other value. "
    "MISSING holds the nulls (and NaN).",
    "holm, bonferroni, bh": "How the p-values are corrected for judging many features "
    "at once: holm, Holm's step-down method; bonferroni, each multiplied by the number "
    "of features judged; bh, Benjamini-Hochberg (the false discovery rate); none, "
    "uncorrected.",
    "dependence part": "Of a pair's joint KL, the part the change in how the two features "
    "relate explains: KL(P ‖ P^), where P^ is the reference's joint refitted to the current "
    "marginals (its association kept). 0 when only the features' own shares moved. A pair "
    "drifts when it reaches the threshold and the homogeneous-association test's p-value "
    "is below alpha.",
    "marginal part": "Of a pair's joint KL, the part the features' own drift explains: "
    "KL(P^ ‖ Q). The two parts add up to the joint KL.",
    "MI ref": "Mutual information of the pair in the reference: how much knowing one "
    "feature's cell tells about the other's (0 when independent).",
    "MI cur": "Mutual information of the pair in the current rows.",
    "nats, bits": "The unit of KL and JS: natural logarithms, or bits (base 2: the nats divided "
    "by ln 2). PSI is in nats either way.",
}


def title_of(heading: str) -> str:
    """The hover text of a column heading ("" for one the glossary has no word on)."""
    return TERMS.get(heading, "")


def shown_setting(name: str, value: Any, settings: dict[str, Any]) -> str:
    """A setting as the page shows it: ``none`` for None (as the CLI spells it),
    per-feature thresholds after the default.

    >>> shown_setting("alpha", None, {})
    'none'
    >>> shown_setting("threshold", {"x": 0.2}, {"default_threshold": 0.1})
    '0.1 (x: 0.2)'
    """
    if value is None:
        return "none"
    if name == "threshold" and isinstance(value, dict):
        default = settings.get("default_threshold", OPTION["threshold"].default)
        named = ", ".join(f"{k}: {v}" for k, v in value.items())
        return f"{default} ({named})" if named else str(default)
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def settings_rows(settings: dict[str, Any]) -> list[tuple[str, str, str]]:
    """``(name, value, meaning)`` per setting of a report; ``default_threshold``
    is shown within ``threshold``."""
    rows = []
    for name, value in settings.items():
        if name == "default_threshold":
            continue
        meaning = OPTION[name].help.split(";")[0] if name in OPTION else ""
        rows.append((name, shown_setting(name, value, settings), meaning))
    return rows
