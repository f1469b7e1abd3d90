"""What both bin-count metrics read from GX: the batch's table, and the
profile passed as the metric value kwarg ``profile``; and the JSON form
their values take."""

from __future__ import annotations

from typing import Any

import numpy as np
from great_expectations.core.metric_domain_types import MetricDomainTypes

from ..core.profile import Profile
from ..core.profile_forms import load_profile


def table_domain(execution_engine: Any, metric_domain_kwargs: dict[str, Any]) -> Any:
    """The batch's table: a DataFrame (pandas, Spark) or a selectable (SQL)."""
    table, _, _ = execution_engine.get_compute_domain(metric_domain_kwargs, MetricDomainTypes.TABLE)
    return table


def metric_profile(metric_value_kwargs: dict[str, Any]) -> Profile:
    """The family's profile, given to the metric as JSON text."""
    return load_profile(metric_value_kwargs["profile"])


def as_lists(counts: dict[str, np.ndarray]) -> dict[str, list[int]]:
    """Counts as JSON lists, the form GX keeps a metric value in.

    >>> as_lists({"x": np.array([2, 0, 1])})
    {'x': [2, 0, 1]}
    """
    return {name: c.tolist() for name, c in counts.items()}
