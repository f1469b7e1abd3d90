"""Provider metadata, read by Airflow through the ``apache_airflow_provider`` entry point."""

from __future__ import annotations

from typing import Any


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-kl",
        "name": "airflow-kl",
        "description": "Binned KL-divergence drift checks for batch data.",
        "versions": ["0.2.0", "0.1.0"],
        "integrations": [{"integration-name": "airflow-kl", "tags": ["software"]}],
        "operators": [
            {
                "integration-name": "airflow-kl",
                "python-modules": [
                    "airflow_kl.provider.operators",
                    "airflow_kl.provider.gx_validation",
                ],
            }
        ],
        "extra-links": [
            "airflow_kl.provider.links.DriftReportLink",
            "airflow_kl.provider.links.DataDocsLink",
        ],
    }
