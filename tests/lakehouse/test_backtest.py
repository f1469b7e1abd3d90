"""A year of a table's partitions in one pass: the backtest of a Delta or
Iceberg table by its partition column equals each month's own check."""

from __future__ import annotations

import pytest

import airflow_kl as ak
from tests.conftest import FLIGHT_FEATURES

from .test_appended import FORMATS


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_month_of_the_table_equals_its_own_check(fmt, monthly, flights):
    profile = ak.build_profile(monthly["january"], features=FLIGHT_FEATURES)
    table = ak.delta(monthly[fmt]) if fmt == "delta" else ak.iceberg(monthly[fmt])
    timeline = ak.backtest(profile, table, "month")
    assert timeline.partitions == [str(m) for m in range(1, 10)]
    for m in range(1, 10):
        alone = ak.check_drift(profile, flights[flights.month == m])
        assert timeline.reports[str(m)].to_dict() == alone.to_dict(), m
    assert "9" in timeline.drifted
