"""GX metric ``table.airflow_kl_segment_bin_counts``: every segment's bin counts.

Asked for by the drift expectation when its profile is segmented: one pass
over the batch, grouped by segment, by the counting code of
:mod:`airflow_kl.sources` (so GX and ``check_drift`` count identically). The
value is a list, one ``{feature: counts}`` per segment of the profile, OTHER
last.
"""

from __future__ import annotations

from great_expectations.execution_engine import (
    PandasExecutionEngine,
    SparkDFExecutionEngine,
    SqlAlchemyExecutionEngine,
)
from great_expectations.expectations.metrics.metric_provider import metric_value
from great_expectations.expectations.metrics.table_metric_provider import TableMetricProvider

from ..sources.resolve import resolve
from ..sources.source import GroupBy, Source
from .domain import as_lists, metric_profile, table_domain

SEGMENT_METRIC = "table.airflow_kl_segment_bin_counts"


def segment_counts(source: Source, kwargs: dict) -> list[dict[str, list[int]]]:
    p = metric_profile(kwargs)
    return [as_lists(g) for g in source.count(p.features, GroupBy(p.segments)).groups]


class TableAirflowKLSegmentBinCounts(TableMetricProvider):
    """``[{feature: [count per bin]} per segment, OTHER last]``."""

    metric_name = SEGMENT_METRIC
    value_keys = ("profile",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return segment_counts(resolve(df), metric_value_kwargs)

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        from ..sources.sql import SelectableSource

        selectable = table_domain(execution_engine, metric_domain_kwargs)
        with execution_engine.get_connection() as conn:
            return segment_counts(SelectableSource(conn, selectable), metric_value_kwargs)

    @metric_value(engine=SparkDFExecutionEngine)
    def _spark(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return segment_counts(resolve(df), metric_value_kwargs)
