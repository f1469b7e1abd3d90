"""The verdict words and the dataset's verdict, in plain Python: the branch
helper a DAG file imports reads them without numpy or scipy.

>>> dataset_drifted(["ok", "drift", "ok", "ok"], drift_share=0.5)
False
"""

from __future__ import annotations

from collections.abc import Sequence

OK, DRIFT, INSUFFICIENT = "ok", "drift", "insufficient_data"
STATUSES = (OK, DRIFT, INSUFFICIENT)


def dataset_status(drifted: bool, statuses: Sequence[str]) -> str:
    """The one status of a whole check: ``drift`` when the dataset drifted,
    ``insufficient_data`` when there were features and none could be judged,
    else ``ok``. Every report, store row, branch, exit code and page count
    reads it from here.

    >>> dataset_status(False, ["insufficient_data", "insufficient_data"])
    'insufficient_data'
    >>> dataset_status(True, ["drift", "insufficient_data"]), dataset_status(False, [])
    ('drift', 'ok')
    """
    if drifted:
        return DRIFT
    judged_none = bool(statuses) and all(s == INSUFFICIENT for s in statuses)
    return INSUFFICIENT if judged_none else OK


def dataset_drifted(statuses: Sequence[str], drift_share: float | None = None) -> bool:
    """Any drifted feature, or (with ``drift_share``) at least that share of the
    judged features drifted.

    >>> dataset_drifted(["ok", "drift", "ok", "ok"], drift_share=0.5)
    False
    >>> dataset_drifted(["ok", "drift"])
    True
    """
    drifted = sum(s == DRIFT for s in statuses)
    if drift_share is None:
        return drifted > 0
    judged = sum(s != INSUFFICIENT for s in statuses)
    return judged > 0 and drifted / judged >= drift_share
