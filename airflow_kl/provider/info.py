"""Provider metadata, read by Airflow through the ``apache_airflow_provider`` entry point."""

from __future__ import annotations

from typing import Any

# The lowest Airflow the package is tested on (make compat); the `airflow`
# extra of pyproject.toml states the same range.
MIN_AIRFLOW = "3.1.8"


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-kl",
        "name": "airflow-kl",
        "description": "Binned KL-divergence drift checks for batch data.",
        "dependencies": [f"apache-airflow>={MIN_AIRFLOW}"],
        "versions": ["0.5.0", "0.4.0", "0.3.0", "0.2.0", "0.1.0"],
        "integrations": [{"integration-name": "airflow-kl", "tags": ["software"]}],
        "operators": [
            {
                "integration-name": "airflow-kl",
                "python-modules": [
                    "airflow_kl.provider.operators",
                    "airflow_kl.provider.gx_validation",
                    "airflow_kl.provider.backtest",
                ],
            }
        ],
        "extra-links": [
            "airflow_kl.provider.links.DriftReportLink",
            "airflow_kl.provider.links.DataDocsLink",
        ],
        "plugins": [{"name": "airflow_kl", "plugin-class": "airflow_kl.plugin.AirflowKLPlugin"}],
        "config": {
            "airflow_kl": {
                "description": "Where drift checks keep their reports and history, for the UI.",
                "options": {
                    "store": {
                        "description": (
                            "SQLAlchemy URL of the report store that workers write and the "
                            "API server's plugin reads (PostgreSQL when they run on different "
                            "machines); 'none' keeps reports out of it. Empty: "
                            "sqlite:///$AIRFLOW_HOME/airflow_kl.db."
                        ),
                        "version_added": "0.3.0",
                        "type": "string",
                        "example": "postgresql://airflow_kl@db/airflow_kl",
                        "default": "",
                    },
                    "store_conn_id": {
                        "description": "Or an Airflow SQL connection to the report store.",
                        "version_added": "0.3.0",
                        "type": "string",
                        "example": "airflow_kl_store",
                        "default": "",
                    },
                },
            }
        },
    }
