"""GX metric ``table.airflow_kl_bin_counts``: every profiled feature's bin counts.

One metric over the table, not one per column: the drift expectations of a
suite ask for it with the same arguments (the features they are judged
with), so GX computes it once per batch, in one pass, and each expectation
reads its column's counts and its family's p-values from it. One small
method per execution engine, each delegating to the counting code of
:mod:`airflow_kl.sources`, so GX and ``check_drift`` count identically.
The bins arrive as the metric value kwarg ``profile``: the family's profile
as JSON text (parsed once per text).
"""

from __future__ import annotations

from typing import Any

from great_expectations.execution_engine import (
    PandasExecutionEngine,
    SparkDFExecutionEngine,
    SqlAlchemyExecutionEngine,
)
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider

from ..core.profile import FeatureProfile
from ..sources.resolve import resolve
from ..sources.source import Source
from .domain import as_lists, metric_profile, table_domain

METRIC = "table.airflow_kl_bin_counts"


def features_from_kwargs(kwargs: dict[str, Any]) -> dict[str, FeatureProfile]:
    return dict(metric_profile(kwargs).features)


def bin_counts(source: Source, kwargs: dict[str, Any]) -> dict[str, list[int]]:
    return as_lists(source.count(features_from_kwargs(kwargs)).totals())


class TableAirflowKLBinCounts(TableMetricProvider):
    """``{feature: [count per bin (value bins, [OTHER,] MISSING)]}``."""

    metric_name = METRIC
    value_keys = ("profile",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return bin_counts(resolve(df), metric_value_kwargs)

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        from ..sources.sql import SelectableSource

        selectable = table_domain(execution_engine, metric_domain_kwargs)
        with execution_engine.get_connection() as conn:
            return bin_counts(SelectableSource(conn, selectable), metric_value_kwargs)

    @metric_value(engine=SparkDFExecutionEngine)
    def _spark(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return bin_counts(resolve(df), metric_value_kwargs)
