"""drift_branch: which downstream tasks a drift report picks (no Airflow needed)."""

import pytest

from airflow_kl.provider.branch import drift_branch

OK = {"status": "ok"}
DRIFT = {"status": "drift"}
SHORT = {"status": "insufficient_data"}


@pytest.mark.parametrize(
    "report,expected",
    [
        ({"drifted": True, "features": {"x": DRIFT}}, ["retrain", "alert"]),
        ({"drifted": False, "features": {"x": OK}}, "publish"),
        ({"drifted": False, "features": {"x": SHORT, "y": SHORT}}, "wait"),
        ({"drifted": False, "features": {"x": SHORT, "y": OK}}, "publish"),  # one judged
        ({"drifted": False, "features": {}}, "publish"),  # nothing to judge is not "all short"
        ({"drifted": False}, "publish"),
        ({"drifted": True, "features": {"x": SHORT}}, ["retrain", "alert"]),
    ],
)
def test_the_branch_taken(report, expected):
    assert drift_branch(report, ["retrain", "alert"], "publish", insufficient="wait") == expected


def test_without_an_insufficient_branch_all_short_is_ok():
    report = {"drifted": False, "features": {"x": SHORT}}
    assert drift_branch(report, drift="retrain", ok="publish") == "publish"
