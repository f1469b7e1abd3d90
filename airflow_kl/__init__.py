"""airflow-kl: binned KL-divergence drift checks for batch data.

Names load on first use, so ``import airflow_kl.core`` (numpy and scipy
only) never imports pandas, pyarrow, Airflow or Great Expectations.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.5.0"

_LAZY = {
    "backtest": ".backtesting",
    "Backtest": ".backtesting",
    "build_profile": ".api",
    "check_drift": ".api",
    "count_bins": ".api",
    "compare_counts": ".core.compare",
    "count_profile": ".api",
    "count_partition_bins": ".api",
    "count_segment_bins": ".api",
    "merge_profiles": ".core.merge",
    "reference_from_reports": ".core.merge",
    "CheckSettings": ".core.settings",
    "AirflowKLError": ".core.errors",
    "ConfigError": ".core.errors",
    "ProfileError": ".core.errors",
    "SchemaError": ".core.errors",
    "SourceError": ".core.errors",
    "FeatureProfile": ".core.profile",
    "Profile": ".core.profile",
    "DriftReport": ".core.results",
    "FeatureResult": ".core.results",
    "SegmentResult": ".core.results",
    "SegmentProfile": ".core.segments",
    "sql": ".sources.sql",
    "delta": ".sources.lakehouse",
    "iceberg": ".sources.lakehouse",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])
