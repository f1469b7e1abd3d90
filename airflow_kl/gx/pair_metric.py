"""GX metric ``table.airflow_kl_pair_bin_counts``: the features' bin counts and
each pair's table.

Asked for by the pair expectation: one pass over the batch, by the counting
code of :mod:`airflow_kl.sources` (the features' counts and, in the same
scan, the pairs' tables), so GX and ``check_drift`` count identically. The
value is ``{"counts": {feature: counts}, "pairs": [[a, b, table], ...]}``:
lists, the form GX keeps a metric value in.
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

from ..sources.resolve import resolve
from ..sources.source import GroupBy, Source
from .domain import metric_profile, table_domain

PAIR_METRIC = "table.airflow_kl_pair_bin_counts"


def pair_counts(source: Source, kwargs: dict) -> dict[str, Any]:
    p = metric_profile(kwargs)
    totals = source.count(p.features, GroupBy(pairs=p.pairs)).totals()
    return {
        "counts": {n: totals[n].tolist() for n in p.features},
        "pairs": [[*pair.features, totals[pair.features].tolist()] for pair in p.pairs],
    }


class TableAirflowKLPairBinCounts(TableMetricProvider):
    """``{"counts": {feature: [count per bin]}, "pairs": [[a, b, table], ...]}``."""

    metric_name = PAIR_METRIC
    value_keys = ("profile",)

    @metric_value(engine=PandasExecutionEngine)
    def _pandas(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return pair_counts(resolve(df), metric_value_kwargs)

    @metric_value(engine=SqlAlchemyExecutionEngine)
    def _sqlalchemy(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        from ..sources.sql import SelectableSource

        selectable = table_domain(execution_engine, metric_domain_kwargs)
        with execution_engine.get_connection() as conn:
            return pair_counts(SelectableSource(conn, selectable), metric_value_kwargs)

    @metric_value(engine=SparkDFExecutionEngine)
    def _spark(cls, execution_engine, metric_domain_kwargs, metric_value_kwargs, **kwargs):
        df = table_domain(execution_engine, metric_domain_kwargs)
        return pair_counts(resolve(df), metric_value_kwargs)
