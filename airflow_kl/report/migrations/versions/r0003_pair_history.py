"""Pairs' history: one row per pair per check, keyed as a feature's row is,
with the pair's two features in place of the feature. A store written
before gains the empty table.

Revision ID: r0003
Revises: r0002
"""

import sqlalchemy as sa
from alembic import op

revision = "r0003"
down_revision = "r0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "airflow_kl_pair_history",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("dag_id", sa.String(250), nullable=False),
        sa.Column("task_id", sa.String(250), nullable=False),
        sa.Column("partition_key", sa.String(250), nullable=False),
        sa.Column("feature_a", sa.String(250), nullable=False),
        sa.Column("feature_b", sa.String(250), nullable=False),
        sa.Column("profile_checksum", sa.String(80), nullable=False),
        sa.Column("dependence", sa.Float, nullable=True),
        sa.Column("dependence_infinite", sa.Boolean, nullable=False, default=False),
        sa.Column("p_value", sa.Float),
        sa.Column("measures", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("n_reference", sa.BigInteger),
        sa.Column("n_current", sa.BigInteger),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "dag_id",
            "task_id",
            "partition_key",
            "feature_a",
            "feature_b",
            "profile_checksum",
            name="uq_airflow_kl_pair_history_key",
        ),
    )
