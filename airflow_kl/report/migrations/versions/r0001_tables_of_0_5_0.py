"""The tables as 0.5.0 created them, each created only where missing: a
store written before revisions is adopted as it stands.

Revision ID: r0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "r0001"
down_revision = None
branch_labels = None
depends_on = None


def _result_columns() -> list[sa.Column]:
    return [
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250), nullable=False),
        sa.Column("partition_key", sa.String(250), nullable=False),
        sa.Column("feature", sa.String(250), nullable=False),
        sa.Column("profile_checksum", sa.String(80), nullable=False),
        sa.Column("kl", sa.Float, nullable=True),
        sa.Column("kl_infinite", sa.Boolean, nullable=False),
        sa.Column("js", sa.Float),
        sa.Column("psi", sa.Float),
        sa.Column("p_value", sa.Float),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("n_reference", sa.BigInteger),
        sa.Column("n_current", sa.BigInteger),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
    ]


def _tables() -> dict:
    return {
        "airflow_kl_history": lambda: op.create_table(
            "airflow_kl_history",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            *_result_columns(),
            sa.UniqueConstraint(
                "dag_id",
                "task_id",
                "partition_key",
                "feature",
                "profile_checksum",
                name="uq_airflow_kl_history_key",
            ),
        ),
        "airflow_kl_segment_history": lambda: op.create_table(
            "airflow_kl_segment_history",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("segment", sa.String(500), nullable=False),
            *_result_columns(),
            sa.UniqueConstraint(
                "dag_id",
                "task_id",
                "partition_key",
                "segment",
                "feature",
                "profile_checksum",
                name="uq_airflow_kl_segment_history_key",
            ),
        ),
        "airflow_kl_reports": lambda: op.create_table(
            "airflow_kl_reports",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("dag_id", sa.String(250), nullable=False),
            sa.Column("run_id", sa.String(250), nullable=False),
            sa.Column("task_id", sa.String(250), nullable=False),
            sa.Column("map_index", sa.Integer, nullable=False),
            sa.Column("partition_key", sa.String(250), nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("status", sa.String(20), nullable=False),
            sa.Column("drifted_features", sa.Text, nullable=False),
            sa.Column("report_json", sa.Text, nullable=False),
            sa.Column("html", sa.Text, nullable=False),
            sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
            sa.UniqueConstraint(
                "dag_id", "run_id", "task_id", "map_index", name="uq_airflow_kl_report"
            ),
        ),
    }


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, create in _tables().items():
        if name not in existing:
            create()
