"""Pick downstream task ids from a drift report, for ``@task.branch``.

>>> drift_branch({"drifted": True, "features": {}}, drift="retrain", ok="skip")
'retrain'
>>> drift_branch({"drifted": False, "features": {"x": {"status": "insufficient_data"}}},
...              drift="retrain", ok="skip", insufficient="wait")
'wait'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..core.status import DRIFT, INSUFFICIENT, dataset_status

TaskIds = str | Sequence[str]


def drift_branch(
    report: Mapping[str, Any],
    drift: TaskIds,
    ok: TaskIds,
    insufficient: TaskIds | None = None,
) -> TaskIds:
    """``drift`` when the dataset drifted, ``insufficient`` when no feature could be
    judged (falls back to ``ok``), else ``ok``.

    Parameters
    ----------
    report
        A report's dict (what ``KLDriftCheckOperator`` pushes to XCom).
    drift
        The task id (or ids) to follow on drift.
    ok
        The task id (or ids) to follow when nothing drifted.
    insufficient
        The task id (or ids) to follow when no feature could be judged; None
        follows ``ok``.
    """
    statuses = [f.get("status") for f in report.get("features", {}).values()]
    status = dataset_status(bool(report.get("drifted")), statuses)
    if status == DRIFT:
        return drift
    return insufficient if status == INSUFFICIENT and insufficient is not None else ok
