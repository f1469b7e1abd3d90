"""Run a GX suite on one partition: the validation result, and optionally Data Docs.

Airflow-free, so the provider's validation operator stays a thin adapter and
these steps are tested without Airflow. A partition is a pandas or Spark
DataFrame, or a SQL table or query (counted in the database by GX's SQL
engine); the run is a GX ``Checkpoint`` whose ``UpdateDataDocsAction`` builds
the Data Docs site into a folder when one is given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import great_expectations as gx

from ..core.decision import dataset_drifted
from ..core.errors import ConfigError, SourceError
from ..core.file_io import read_text
from ..core.pair_results import PairResult
from ..core.results import DriftReport, FeatureResult, SegmentResult

SITE = "airflow_kl"


def load_suite(path: str | os.PathLike) -> gx.ExpectationSuite:
    """A suite from its JSON file (``suite.to_json_dict()``); anything else is refused.

    Parameters
    ----------
    path
        The suite's JSON file.
    """
    from great_expectations.core.expectation_suite import expectationSuiteSchema

    text = read_text(path)
    try:
        data = json.loads(text)
        return gx.ExpectationSuite(**expectationSuiteSchema.load(data))
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{os.fspath(path)!r} is not JSON: {exc}") from None
    except Exception as exc:  # marshmallow and GX raise their own types for a bad suite
        raise ConfigError(f"{os.fspath(path)!r} is not a GX expectation suite: {exc}") from None


@dataclass(frozen=True)
class Validation:
    """What a run produced: GX's result and the Data Docs index (if built)."""

    result: Any
    """GX's ``CheckpointResult`` of the run."""
    docs_index: Path | None = None
    """The Data Docs page of the run, when ``docs_dir`` was given; else None."""

    @property
    def success(self) -> bool:
        """True when every expectation succeeded."""
        return bool(self.result.success)

    def to_dict(self) -> dict[str, Any]:
        """The result as strict JSON (``describe_dict``), with the suite's statistics."""
        described = self.result.describe_dict()
        json.dumps(described, allow_nan=False)  # strict JSON, or fail here
        return described

    def drift_report(self) -> DriftReport | None:
        """The binned-KL expectations' results as one drift report (None when the
        suite has none): the same features, statistics and verdicts, and the
        pairs of its pair expectations."""
        from .expectation import ExpectColumnBinnedKlDivergenceToBeLessThan as Expectation
        from .pair_expectation import ExpectColumnPairDependenceDriftToBeLessThan as PairExpectation

        features, checksum, by, family = {}, "", (), {}
        segments: dict[str, tuple[Any, dict[str, FeatureResult]]] = {}
        pairs: dict[tuple[str, str], PairResult] = {}
        for r in self.result.results:
            details = (r.result or {}).get("details")
            if r.expectation_config.type == PairExpectation.expectation_type and details:
                pair = PairResult.from_dict(details)
                pairs[pair.features] = pair
                continue
            if r.expectation_config.type != Expectation.expectation_type or not details:
                continue
            column = r.expectation_config.kwargs["column"]
            features[column] = FeatureResult.from_dict(column, details)
            checksum = details.get("profile_checksum", checksum)
            family = details if "bins_checksum" in details else family
            by = tuple(details.get("segment_by", by))
            for row in details.get("segments", ()):
                key = None if row["key"] is None else tuple(row["key"])
                segments.setdefault(row["segment"], (key, {}))[1][column] = FeatureResult.from_dict(
                    column, row
                )
        if not features:
            return None
        share = family.get("settings", {}).get("drift_share")

        def verdict(cols: dict[str, FeatureResult]) -> bool:
            return dataset_drifted([f.status for f in cols.values()], share)

        judged = tuple(
            SegmentResult(key, label, cols, verdict(cols))
            for label, (key, cols) in segments.items()
        )
        drifted = family.get("dataset_drifted")  # over the whole family, as check_drift decides
        if drifted is None:  # a result written by airflow-kl 0.5
            drifted = verdict(features)
        return DriftReport(
            features=features,
            drifted=bool(drifted)
            or any(s.drifted for s in judged)
            or any(p.drifted for p in pairs.values()),
            pairs=pairs,
            settings=dict(family.get("settings", {})),
            profile_checksum=checksum,
            bins_checksum=str(family.get("bins_checksum", "")),
            segment_by=by if judged else (),
            segments=judged,
        )

    def failed(self) -> list[str]:
        """``expectation_type(column)`` (``(a, b)`` for a pair) of every
        expectation that did not succeed."""
        return [
            f"{r.expectation_config.type}({', '.join(columns_of(r.expectation_config.kwargs))})"
            for r in self.result.results
            if not r.success
        ]


def columns_of(kwargs: dict[str, Any]) -> list[str]:
    """The columns an expectation reads: ``column``, or ``column_A`` and
    ``column_B``, or ``column_list``.

    >>> columns_of({"column_A": "a", "column_B": "b"}), columns_of({"column": "x"})
    (['a', 'b'], ['x'])
    """
    if kwargs.get("column"):
        return [kwargs["column"]]
    if kwargs.get("column_A"):
        return [kwargs["column_A"], kwargs["column_B"]]
    return list(kwargs.get("column_list") or [])


def batch_definition(
    context: Any,
    data: Any = None,
    *,
    connection_string: str | None = None,
    table: str | None = None,
    query: str | None = None,
) -> tuple[Any, dict[str, Any]]:
    """A GX batch definition for the partition, and the parameters of its run."""
    if connection_string is not None:
        if (table is None) == (query is None):
            raise ConfigError("a SQL partition needs exactly one of table= or query=")
        source = context.data_sources.add_or_update_sql(
            "airflow_kl_sql", connection_string=connection_string
        )
        if table is not None:
            asset = source.add_table_asset("airflow_kl_table", table_name=table)
        else:
            asset = source.add_query_asset("airflow_kl_query", query=query)
        return asset.add_batch_definition_whole_table("whole"), {}
    if data is None:
        raise SourceError("nothing to validate: give a DataFrame or a SQL table/query")
    if type(data).__module__.startswith("pyspark."):
        source = context.data_sources.add_or_update_spark("airflow_kl_spark")
    else:
        source = context.data_sources.add_or_update_pandas("airflow_kl_pandas")
    asset = source.add_dataframe_asset("airflow_kl_frame")
    return asset.add_batch_definition_whole_dataframe("whole"), {"dataframe": data}


def run_suite(
    suite: gx.ExpectationSuite,
    data: Any = None,
    *,
    connection_string: str | None = None,
    table: str | None = None,
    query: str | None = None,
    docs_dir: str | os.PathLike | None = None,
    context: Any = None,
) -> Validation:
    """Validate ``suite`` on the partition through a Checkpoint; with ``docs_dir``
    the Data Docs site for the run is built there.

    Parameters
    ----------
    suite
        The expectation suite (:func:`build_suite`, :func:`load_suite`).
    data
        A pandas or Spark DataFrame, or an :func:`airflow_kl.sql` source; None
        with ``connection_string``.
    connection_string
        A SQLAlchemy URL of the database holding the partition.
    table
        The partition's table in that database (or ``query``).
    query
        A ``SELECT`` whose rows are the partition (or ``table``).
    docs_dir
        A folder to build the run's Data Docs site in, or None for none.
    context
        A GX Data Context to run in (default: a new ephemeral one).
    """
    context = context or gx.get_context(mode="ephemeral")
    suite = context.suites.add_or_update(suite)
    batch, params = batch_definition(
        context, data, connection_string=connection_string, table=table, query=query
    )
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(data=batch, suite=suite, name=f"{suite.name}_run")
    )
    actions = []
    if docs_dir is not None:
        Path(docs_dir).mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name=SITE,
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(Path(docs_dir).resolve()),
                },
            },
        )
        actions.append(gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[SITE]))
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=f"{suite.name}_checkpoint", validation_definitions=[definition], actions=actions
        )
    )
    outcome = checkpoint.run(batch_parameters=params)
    result = next(iter(outcome.run_results.values()))
    index = Path(docs_dir).resolve() / "index.html" if docs_dir is not None else None
    return Validation(result, index)


def validate(
    suite: gx.ExpectationSuite,
    data: Any = None,
    *,
    connection_string: str | None = None,
    table: str | None = None,
    query: str | None = None,
    context: Any = None,
) -> Any:
    """Run ``suite`` on ``data`` (pandas or Spark DataFrame, or ``ak.sql(...)``) or
    on a SQL ``table`` or ``query``; an ephemeral context unless one is given.
    Returns GX's result.

    Parameters
    ----------
    suite
        The expectation suite (:func:`build_suite`, :func:`load_suite`).
    data
        A pandas or Spark DataFrame, or an :func:`airflow_kl.sql` source; None
        with ``connection_string``.
    connection_string
        A SQLAlchemy URL of the database holding the partition.
    table
        The partition's table in that database (or ``query``).
    query
        A ``SELECT`` whose rows are the partition (or ``table``).
    context
        A GX Data Context to run in (default: a new ephemeral one).
    """
    if hasattr(data, "gx_partition"):  # ak.sql(...)
        return run_suite(suite, context=context, **data.gx_partition()).result
    return run_suite(
        suite,
        data,
        connection_string=connection_string,
        table=table,
        query=query,
        context=context,
    ).result
