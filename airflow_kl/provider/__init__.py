"""Airflow 3 provider: operators, exceptions and helpers. Every Airflow import
of airflow-kl lives under this package, the UI plugin (:mod:`airflow_kl.plugin`)
and the settings both read (:mod:`airflow_kl.config`).

``get_provider_info`` is importable without Airflow; operators load lazily.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from .info import get_provider_info

_LAZY = {
    "BuildReferenceProfileOperator": ".operators",
    "KLDriftCheckOperator": ".operators",
    "DriftDetected": ".exceptions",
    "InsufficientData": ".exceptions",
    "InvalidDriftInput": ".exceptions",
    "ValidationFailed": ".exceptions",
    "GXValidationOperator": ".gx_validation",
    "KLBacktestOperator": ".backtest",
    "drift_branch": ".branch",
}

__all__ = ["get_provider_info", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
