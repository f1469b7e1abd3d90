"""Every measure of a history row, as JSON: a measure added to the list is
recorded without another column. Rows written before keep their KL, JS and
PSI columns; their ``measures`` is null.

Revision ID: r0002
Revises: r0001
"""

import sqlalchemy as sa
from alembic import op

revision = "r0002"
down_revision = "r0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("airflow_kl_history", "airflow_kl_segment_history"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("measures", sa.Text, nullable=True))
