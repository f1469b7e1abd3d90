"""A backtest of a year shows the month whose dependence changed, and each
month's pairs are those its own check gives (in memory, from Parquet
folders and from a database)."""

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.core.errors import ConfigError

FEATURES, PAIR = ["dep_delay", "arr_delay"], "dep_delay:arr_delay"


def year(seed=21):
    """Twelve months of two correlated features; in month 7 the relation flips
    while each feature keeps its distribution."""
    rng = np.random.default_rng(seed)
    months = []
    for m in range(1, 13):
        rho = -0.6 if m == 7 else 0.6
        x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], 3000)
        months.append(pd.DataFrame({"month": m, "dep_delay": x[:, 0], "arr_delay": x[:, 1]}))
    return pd.concat(months, ignore_index=True)


@pytest.mark.parametrize("where", ["pandas", "Parquet folders", "DuckDB"])
def test_the_month_whose_relation_flipped_drifts_on_its_pair(where, tmp_path):
    rows = year()
    january = ak.build_profile(
        rows[rows.month == 1].drop(columns="month"), pairs="dep_delay:arr_delay"
    )
    data = rows
    if where == "Parquet folders":
        rows.to_parquet(tmp_path / "flights", partition_cols=["month"])
        data = tmp_path / "flights"
    if where == "DuckDB":  # grouped by month and by the pair's cells in one query
        engine = sa.create_engine(f"duckdb:///{tmp_path / 'year.duckdb'}")
        rows.to_sql("flights", engine, index=False)
        data = ak.sql(engine, table="flights")
    run = ak.backtest(january, data, partition_by="month")
    assert run.drifted == ["7"]
    july = run.reports["7"]
    assert july.drifted_features == [] and july.drifted_pairs == ["dep_delay × arr_delay"]
    for month in ("2", "7", "12"):
        alone = ak.check_drift(january, rows[rows.month == int(month)].drop(columns="month"))
        assert run.reports[month].to_dict() == alone.to_dict()
    assert run.table().splitlines()[7].split()[-3:] == ["dep_delay", "×", "arr_delay"]


def test_a_backtest_judges_the_pairs_asked_for():
    rows = year()
    january = ak.build_profile(
        rows[rows.month == 1].drop(columns="month"), pairs="dep_delay:arr_delay"
    )
    run = ak.backtest(january, rows, partition_by="month", pairs=[])
    assert run.drifted == [] and run.reports["7"].pairs == {}
    with pytest.raises(ConfigError, match="pair arr_delay:month is not in the profile"):
        ak.backtest(january, rows, partition_by="month", pairs="arr_delay:month")
