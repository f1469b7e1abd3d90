"""An empty store in a shared database: every store table dropped, the
schema revision too, so the next ReportStore or record migrates afresh."""

import sqlalchemy as sa

from airflow_kl.report.history import METADATA
from airflow_kl.report.migrations import VERSION_TABLE


def emptied(engine: sa.Engine) -> sa.Engine:
    METADATA.drop_all(engine, checkfirst=True)
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {VERSION_TABLE}"))
    return engine
