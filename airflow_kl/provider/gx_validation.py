"""``GXValidationOperator``: validate one partition against a Great Expectations suite.

The suite is the user's own (a callable taking the GX context, as GX's
operators take it, or a suite JSON file), plus, when ``profile`` is given,
the binned-KL drift expectations built from it with the one set of check
options. The validation result (``describe_dict()``, strict JSON) is the
task's XCom ``return_value``, pushed before any exception; a failed
validation raises :class:`ValidationFailed` (never retried), warns or skips.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..core.errors import AirflowKLError
from ..core.options import OPTION_NAMES
from .exceptions import InvalidDriftInput, ValidationFailed
from .gate import ACTIONS, OUTPUT_FIELDS, DriftGateOperator, choice, confine
from .links import DATA_DOCS_XCOM_KEY, DataDocsLink, DriftReportLink
from .source_args import describe, resolve_source, storage_path

ON_FAILURE = ACTIONS


class GXValidationOperator(DriftGateOperator):
    """Validate a partition with a GX suite; a data-quality gate.

    :param source: a Parquet/CSV path or folder (read into pandas, only the
        suite's columns), a SQL mapping ``{"conn_id", "table" | "sql",
        "where", "parameters"}`` validated by GX's SQL engine in the database,
        or a callable returning a pandas or Spark DataFrame.
    :param suite: a callable ``suite(context) -> ExpectationSuite``.
    :param suite_path: or a suite JSON file (templated).
    :param profile: a profile path (templated): adds the binned-KL expectation
        of every profiled feature (``features`` to choose), built with the
        check options (``threshold``, ``alpha``, ... as everywhere).
    :param on_failure: ``"fail"`` (raise :class:`ValidationFailed`), ``"warn"``
        or ``"skip"``.
    :param data_docs_dir: a folder (templated) where the run's Data Docs site is
        built; its index is the task's "Data Docs" extra link.
    :param partition_key: the partition's name in the history (templated).
    :param conn_id: the Airflow connection for object-storage URLs among
        ``source``, ``suite_path`` and ``profile`` (``data_docs_dir`` is local).

    The binned-KL expectations' results are a drift report, written as every
    gate writes one (``report_path``, ``html_path``, ``html_url``,
    ``history_db``, ``history_conn_id``: :class:`DriftGateOperator`) and kept
    in the report store, shown by the "Drift report" link.
    """

    template_fields = (
        "source",
        "suite_path",
        "profile",
        "features",
        *OPTION_NAMES,
        "data_docs_dir",
        *OUTPUT_FIELDS,
    )
    template_fields_renderers = {"source": "json"}
    ui_color = "#eef7ee"
    operator_extra_links = (DriftReportLink(), DataDocsLink())

    def __init__(
        self,
        *,
        source: Any,
        suite: Callable[[Any], Any] | None = None,
        suite_path: str | None = None,
        profile: str | None = None,
        features: list[str] | None = None,
        on_failure: str = "fail",
        data_docs_dir: str | None = None,
        partition_key: str = "{{ ds }}",
        base_dir: str | None = None,
        conn_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            source=source, partition_key=partition_key, base_dir=base_dir, conn_id=conn_id, **kwargs
        )
        self.suite, self.suite_path = suite, suite_path
        self.profile, self.features = profile, features
        self.on_failure, self.data_docs_dir = on_failure, data_docs_dir

    def execute(self, context: Any) -> dict[str, Any]:
        choice("on_failure", self.on_failure, ON_FAILURE)
        self.source, self.suite_path, self.profile, self.data_docs_dir = confine(
            self.base_dir, self.source, self.suite_path, self.profile, self.data_docs_dir
        )
        self.confine_outputs()
        try:
            validation = self._validate()
        except AirflowKLError as exc:
            raise InvalidDriftInput(str(exc)) from exc
        result = validation.to_dict()
        context["ti"].xcom_push(key="return_value", value=result)
        if validation.docs_index is not None:
            context["ti"].xcom_push(key=DATA_DOCS_XCOM_KEY, value=validation.docs_index.as_uri())
            self.log.info("Data Docs: %s", validation.docs_index.as_uri())
        drift = validation.drift_report()
        self._validation, self._drift = validation, drift  # for OpenLineage, when it asks
        if drift is not None:
            self.log.info("binned-KL drift of %s\n%s", describe(self.source), drift.table())
            self.publish(drift, context, source=describe(self.source))
        self._act(validation)
        return result

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """The partition as input dataset with one assertion per expectation (the
        binned-KL ones with their KL and threshold) and the drift metrics."""
        validation = getattr(self, "_validation", None)
        if validation is None:
            return None
        try:
            from openlineage.client.facet_v2 import data_quality_assertions_dataset as dq
        except ImportError:
            return None
        from ..gx.expectation import ExpectColumnBinnedKlDivergenceToBeLessThan as Drift
        from ..gx.pair_expectation import ExpectColumnPairDependenceDriftToBeLessThan as Pair
        from ..gx.validation import columns_of
        from .lineage import assertion, operator_lineage

        severity = "error" if self.on_failure == "fail" else "warn"
        others = [
            assertion(
                dq,
                assertion=r.expectation_config.type,
                success=bool(r.success),
                column=",".join(columns_of(r.expectation_config.kwargs)) or None,
                severity=severity,
            )
            for r in validation.result.results
            if r.expectation_config.type not in (Drift.expectation_type, Pair.expectation_type)
        ]
        return operator_lineage(self.source, self._drift, severity, others)

    def _validate(self) -> Any:
        """Build the suite (before any data is read), then run it on the partition."""
        import great_expectations as gx

        from ..gx.validation import columns_of, run_suite

        gx_context = gx.get_context(mode="ephemeral")
        suite = self._suite(gx_context)
        columns = sorted(
            {c for e in suite.expectations for c in columns_of(e.configuration.kwargs)}
        )
        self.log.info("validating %s with suite %s", describe(self.source), suite.name)
        partition = self._partition(columns)
        return run_suite(suite, **partition, docs_dir=self.data_docs_dir, context=gx_context)

    def _suite(self, gx_context: Any) -> Any:
        import great_expectations as gx

        from ..gx import build_suite, load_suite

        if self.suite is not None and self.suite_path is not None:
            raise InvalidDriftInput("give suite= or suite_path=, not both")
        if self.suite is not None:
            suite = self.suite(gx_context)
            if not isinstance(suite, gx.ExpectationSuite):
                raise InvalidDriftInput(
                    f"suite= must return a GX ExpectationSuite, got {type(suite).__name__}"
                )
        elif self.suite_path is not None:
            suite = load_suite(storage_path(self.suite_path, self.conn_id))
        else:
            suite = gx.ExpectationSuite(name="airflow_kl_validation")
        if self.profile is not None:
            # an option that judges a dataset (drift_share) is refused by build_suite when set
            options = self.check_options()
            profile = storage_path(self.profile, self.conn_id)
            for expectation in build_suite(profile, features=self.features, **options).expectations:
                suite.expectations.append(expectation)
        if not suite.expectations:
            raise InvalidDriftInput(
                "the suite has no expectations: give suite, suite_path or profile"
            )
        return suite

    def _partition(self, columns: list[str]) -> dict[str, Any]:
        """The run's data: a DataFrame, or a SQL connection string with a table or query."""
        if isinstance(self.source, Mapping):
            return _sql_partition(self.source)
        from ..sources.files import FileSource, read_table
        from ..sources.memory import FrameSource

        source = resolve_source(self.source, self.conn_id)
        if isinstance(source, FileSource):
            return {"data": read_table(source, columns or None).to_pandas()}
        if isinstance(source, FrameSource):
            data = source.data
            return {"data": data if hasattr(data, "iloc") else data.to_pandas()}
        raise InvalidDriftInput(
            f"GX validation reads files, frames and SQL connections, not {source}"
        )

    def _act(self, validation: Any) -> None:
        if not validation.success:
            failed = ", ".join(validation.failed())
            message = f"validation failed: {failed} ({describe(self.source)})"
            self.act(self.on_failure, message, ValidationFailed(message))


def _sql_partition(source: Mapping[str, Any]) -> dict[str, Any]:
    """A GX SQL partition for an Airflow connection (:meth:`SqlSource.gx_partition`)."""
    from .source_args import resolve_source

    return resolve_source(source).gx_partition()
