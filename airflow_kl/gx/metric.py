"""GX metric ``column.airflow_kl_bin_counts``: a column's counts in a profile's bins.

One small method per execution engine, each delegating to the counting code
of :mod:`airflow_kl.sources`, so GX and ``check_drift`` count identically.
The bin definition arrives as the metric value kwarg ``feature``
(:meth:`FeatureProfile.to_dict` plus its ``name``).
"""

from __future__ import annotations

from typing import Any

from great_expectations.compatibility.sqlalchemy import sqlalchemy as sa
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.execution_engine import (
    PandasExecutionEngine,
    SparkDFExecutionEngine,
    SqlAlchemyExecutionEngine,
)
from great_expectations.expectations.metrics.column_aggregate_metric_provider import (
    ColumnAggregateMetricProvider,
)
from great_expectations.expectations.metrics.metric_provider import metric_value

from ..core.profile import FeatureProfile
from ..sources.frame import count_column

METRIC = "column.airflow_kl_bin_counts"


def feature_from_kwargs(kwargs: dict[str, Any]) -> FeatureProfile:
    spec = dict(kwargs["feature"])
    return FeatureProfile.from_dict(spec.pop("name"), spec)


class ColumnAirflowKLBinCounts(ColumnAggregateMetricProvider):
    """Counts per bin (value bins, [OTHER,] MISSING) as a list of ints."""

    metric_name = METRIC
    value_keys = ("feature",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df, _, accessor = execution_engine.get_compute_domain(
            metric_domain_kwargs, MetricDomainTypes.COLUMN
        )
        name = accessor["column"]
        return count_column(name, df[name], feature_from_kwargs(metric_value_kwargs)).tolist()

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        from ..sources.sql import bin_conditions, one_row_of_counts

        selectable, _, accessor = execution_engine.get_compute_domain(
            metric_domain_kwargs, MetricDomainTypes.COLUMN
        )
        fp = feature_from_kwargs(metric_value_kwargs)
        dialect = execution_engine.engine.dialect.name
        conds = bin_conditions(sa.column(accessor["column"]), fp, dialect)
        query = one_row_of_counts(conds).select_from(selectable)
        row = execution_engine.execute_query(query).fetchone()
        return [int(v or 0) for v in row]

    @metric_value(engine=SparkDFExecutionEngine)
    def _spark(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        from ..sources.spark import SparkSource

        df, _, accessor = execution_engine.get_compute_domain(
            metric_domain_kwargs, MetricDomainTypes.COLUMN
        )
        name = accessor["column"]
        fp = feature_from_kwargs(metric_value_kwargs)
        return SparkSource(df).count_bins({name: fp})[name].tolist()
