"""Backtests: every past partition of a table judged in one pass, as its own
check would judge it, and thresholds chosen from that history.

>>> import airflow_kl as ak, pandas as pd, numpy as np
>>> rng = np.random.default_rng(1)
>>> year = pd.DataFrame({"month": np.repeat([1, 2, 3], 500), "x": rng.normal(size=1500)})
>>> year.loc[year.month == 3, "x"] += 1.0
>>> profile = ak.build_profile(year[year.month == 1], features=["x"], bins=5)
>>> timeline = ak.backtest(profile, year, partition_by="month")
>>> [(p, r.status) for p, r in timeline.reports.items()]
[('1', 'ok'), ('2', 'ok'), ('3', 'drift')]
"""

from __future__ import annotations

from .run import backtest
from .timeline import Backtest

__all__ = ["Backtest", "backtest"]
