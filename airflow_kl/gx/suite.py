"""Build a GX suite from a profile and run it on a DataFrame, SQL table or Spark frame."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import great_expectations as gx

from ..core.compare import DEFAULT_KEY, DEFAULT_THRESHOLD
from ..core.profile import Profile
from .expectation import ExpectColumnBinnedKlDivergenceToBeLessThan, load_profile


def build_suite(
    profile: Profile | dict | str,
    thresholds: float | Mapping[str, float] = DEFAULT_THRESHOLD,
    name: str = "airflow_kl_drift",
    features: list[str] | None = None,
    **options: Any,
) -> gx.ExpectationSuite:
    """One expectation per profiled feature. ``alpha`` is split over the suite
    (Bonferroni via ``family_size``), so verdicts equal
    ``check_drift(..., correction="bonferroni")``."""
    profile = load_profile(profile)
    names = list(features or profile.features)
    expectations = []
    for column in names:
        if isinstance(thresholds, Mapping):
            threshold = thresholds.get(column, thresholds.get(DEFAULT_KEY, DEFAULT_THRESHOLD))
        else:
            threshold = thresholds
        expectations.append(
            ExpectColumnBinnedKlDivergenceToBeLessThan(
                column=column,
                profile=profile,
                threshold=threshold,
                family_size=len(names),
                **options,
            )
        )
    return gx.ExpectationSuite(name=name, expectations=expectations)


def validate(
    suite: gx.ExpectationSuite,
    data: Any = None,
    *,
    connection_string: str | None = None,
    table: str | None = None,
    context: Any = None,
) -> Any:
    """Run ``suite`` through a ValidationDefinition on ``data`` (pandas or Spark
    DataFrame) or on a SQL ``table``; an ephemeral context unless one is given."""
    context = context or gx.get_context(mode="ephemeral")
    suite = context.suites.add_or_update(suite)
    if table is not None:
        source = context.data_sources.add_or_update_sql(
            "airflow_kl_sql", connection_string=connection_string
        )
        asset = source.add_table_asset("airflow_kl_table", table_name=table)
        batch_def = asset.add_batch_definition_whole_table("whole")
        params: dict[str, Any] = {}
    elif type(data).__module__.startswith("pyspark."):
        source = context.data_sources.add_or_update_spark("airflow_kl_spark")
        asset = source.add_dataframe_asset("airflow_kl_frame")
        batch_def = asset.add_batch_definition_whole_dataframe("whole")
        params = {"dataframe": data}
    else:
        source = context.data_sources.add_or_update_pandas("airflow_kl_pandas")
        asset = source.add_dataframe_asset("airflow_kl_frame")
        batch_def = asset.add_batch_definition_whole_dataframe("whole")
        params = {"dataframe": data}
    definition = gx.ValidationDefinition(data=batch_def, suite=suite, name=f"{suite.name}_run")
    definition = context.validation_definitions.add_or_update(definition)
    return definition.run(batch_parameters=params)
