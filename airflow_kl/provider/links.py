"""Operator extra link: the check's HTML drift report, one click from the task."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseOperatorLink

from .compat import XCom

HTML_XCOM_KEY = "drift_report_html"


class DriftReportLink(BaseOperatorLink):
    """Links to the URL the check pushed under XCom key ``drift_report_html``."""

    name = "Drift report"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return XCom.get_value(ti_key=ti_key, key=HTML_XCOM_KEY) or ""


DATA_DOCS_XCOM_KEY = "gx_data_docs"


class DataDocsLink(BaseOperatorLink):
    """Links to the Data Docs index the validation pushed under XCom key ``gx_data_docs``."""

    name = "Data Docs"

    def get_link(self, operator: Any, *, ti_key: Any) -> str:
        return XCom.get_value(ti_key=ti_key, key=DATA_DOCS_XCOM_KEY) or ""
