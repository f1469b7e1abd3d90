"""Airflow internals the tests reach that moved between the supported minors
(the package's own differences live in airflow_kl/provider/compat.py)."""

from __future__ import annotations

from typing import Any


def dag_bag(folder: str) -> Any:
    """A ``DagBag`` of ``folder``: ``airflow.dag_processing.dagbag`` from 3.2,
    ``airflow.models.dagbag`` in 3.1."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models.dagbag import DagBag
    return DagBag(dag_folder=folder)
