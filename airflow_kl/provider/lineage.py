"""Drift results as OpenLineage facets of the checked dataset.

With Airflow's OpenLineage provider installed, the check and GX validation
operators report the partition they read as an input dataset carrying

- ``dataQualityAssertions``: one assertion per feature, "binned KL below its
  threshold", with its success, column, threshold (expected) and KL (actual),
  and one per (segment, feature) of a segmented check (named "... where
  origin = JFK"); one per pair, "dependence part of the pair's KL below the
  threshold" (its column ``a,b``); a GX validation adds its suite's other
  expectations;
- ``dataQualityMetrics``: the rows counted, and per column the count and the
  null count.

These are the facets Airflow's SQL check operators emit. Without the
provider nothing here is imported.

>>> dataset_name("s3://lake/flights/month=09/")
('s3://lake', 'flights/month=09')
>>> dataset_name("/data/flights/month=09")
('file', '/data/flights/month=09')
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..core.binning import MISSING
from ..core.file_io import is_object_path
from ..core.results import DriftReport

ASSERTION = "binned_kl_below_threshold"
PAIR_ASSERTION = "pair_dependence_below_threshold"


def dataset_name(source: Any) -> tuple[str, str] | None:
    """OpenLineage (namespace, name) of a path, URL or SQL source; None for a callable."""
    if isinstance(source, Mapping):  # a Spark Connect table is named by its server: left out
        return None if "spark_conn_id" in source else _sql_dataset(source)
    if is_object_path(source):
        source = str(source)
    if not isinstance(source, (str, os.PathLike)):
        return None
    text = os.fspath(source)
    if text.startswith("file://"):
        text = text[len("file://") :]
    if "://" in text:
        scheme, rest = text.split("://", 1)
        bucket, _, key = rest.partition("/")
        return f"{scheme}://{bucket}", key.strip("/")
    return "file", os.path.abspath(text)


def _sql_dataset(source: Mapping[str, Any]) -> tuple[str, str] | None:
    from ..sources.dialects import dialect_named
    from .source_args import sql_engine

    url = sql_engine(source["conn_id"]).url
    dialect = dialect_named(url.get_backend_name())
    namespace = f"{dialect.lineage_scheme}://{url.host or 'localhost'}:{url.port or ''}".rstrip(":")
    table = source.get("table") or "query"
    parts = [url.database, source.get("schema") or dialect.default_schema]
    return namespace, ".".join(p for p in (*parts, table) if p)


def named_assertions(module: Any) -> bool:
    """Whether the installed OpenLineage client's ``Assertion`` has ``name``,
    ``description``, ``expected`` and ``actual`` (openlineage-python 1.49 and
    later; Airflow 3.1's constraints have an older client)."""
    import attrs

    return "name" in attrs.fields_dict(module.Assertion)


def assertion(module: Any, **fields: Any) -> Any:
    """An ``Assertion`` with the fields the installed client knows (older clients
    lack ``severity`` too). Without ``name``, the name (which tells a segment's
    assertion from the feature's) stands in the ``assertion`` field, so no two
    assertions look alike."""
    import attrs

    known = attrs.fields_dict(module.Assertion)
    if "name" not in known and "name" in fields:
        fields = {**fields, "assertion": fields["name"]}
    return module.Assertion(**{k: v for k, v in fields.items() if k in known})


def drift_facets(
    report: DriftReport, severity: str, extra: list[Any] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(dataset facets, input-dataset facets) of one drift report; ``extra``:
    more assertions (a GX suite's other expectations)."""
    from openlineage.client.facet_v2 import (
        data_quality_assertions_dataset as assertions,
    )
    from openlineage.client.facet_v2 import (
        data_quality_metrics_input_dataset as metrics,
    )

    by = " / ".join(report.segment_by)

    def check(name: str, f: Any, segment: str = "") -> Any:
        where = f" where {by} = {segment}" if segment else ""
        return assertion(
            assertions,
            assertion=ASSERTION,
            success=f.status == "ok",
            column=name,
            severity=severity,
            name=f"binned KL of {name}{where}",
            description=f"{f.status}: D_KL(current || reference) = {f.kl:.6g}, p = {f.p_value:.3g}",
            expected=f"< {f.threshold}",
            actual=repr(f.kl),
        )

    def pair_check(p: Any) -> Any:
        return assertion(
            assertions,
            assertion=PAIR_ASSERTION,
            success=p.status == "ok",
            column=",".join(p.features),
            severity=severity,
            name=f"dependence of {p.name}",
            description=(
                f"{p.status}: KL {p.kl:.6g} = dependence {p.dependence:.6g} + marginal "
                f"{p.marginal:.6g}, p = {p.p_value:.3g}"
            ),
            expected=f"< {p.threshold}",
            actual=repr(p.dependence),
        )

    checks = [check(name, f) for name, f in report.features.items()]
    checks += [check(n, f, s.label) for s in report.segments for n, f in s.features.items()]
    checks += [pair_check(p) for p in report.pairs.values()]
    columns = {
        name: metrics.ColumnMetrics(
            nullCount=sum(b.current_count for b in f.bins if b.label == MISSING),
            count=float(f.n_current),
        )
        for name, f in report.features.items()
    }
    rows = max((f.n_current for f in report.features.values()), default=0)
    dataset = {
        "dataQualityAssertions": assertions.DataQualityAssertionsDatasetFacet(
            assertions=[*checks, *extra]
        )
    }
    inputs = {
        "dataQualityMetrics": metrics.DataQualityMetricsInputDatasetFacet(
            columnMetrics=columns, rowCount=rows
        )
    }
    return dataset, inputs


def operator_lineage(
    source: Any, report: DriftReport | None, severity: str, extra: list[Any] = ()
) -> Any:
    """An ``OperatorLineage`` with the source as input dataset and the facets of
    ``report``; None when the provider is missing or there is nothing to say."""
    try:
        from airflow.providers.openlineage.extractors import OperatorLineage
        from openlineage.client.event_v2 import InputDataset
    except ImportError:  # the provider is not installed
        return None
    name = dataset_name(source)
    if name is None or report is None:
        return None
    dataset, inputs = drift_facets(report, severity, extra)
    return OperatorLineage(
        inputs=[InputDataset(namespace=name[0], name=name[1], facets=dataset, inputFacets=inputs)]
    )
