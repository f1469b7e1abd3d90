"""The store's schema, versioned: Alembic revisions under ``versions/``,
applied on start so a store written by an earlier release gains the new
columns and keeps every row.

The revision applied is kept in ``airflow_kl_alembic_version`` (not
Alembic's default ``alembic_version``), so a store inside Airflow's own
metadata database never touches Airflow's migrations. One process migrates
while the others wait, then find the store at head: on PostgreSQL under an
advisory lock, on SQLite inside ``BEGIN IMMEDIATE`` (the database's write
lock, taken before the first statement; Python's sqlite3 would otherwise run
the DDL outside any transaction, and processes starting together on a new
store would each create its tables).

>>> import sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> upgrade(engine) == HEAD == current_revision(engine)
True
>>> sorted(sa.inspect(engine).get_table_names())  # doctest: +NORMALIZE_WHITESPACE
['airflow_kl_alembic_version', 'airflow_kl_history', 'airflow_kl_pair_history',
 'airflow_kl_reports', 'airflow_kl_segment_history']
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from ..database import writing

VERSION_TABLE = "airflow_kl_alembic_version"
_LOCK_KEY = 0x61666B6C  # "afkl": the PostgreSQL advisory lock of a migration


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    return ScriptDirectory.from_config(config)


HEAD = _scripts().get_current_head()


def current_revision(engine: sa.Engine) -> str | None:
    """The revision a store is at; None for an empty database or a store
    written before revisions (0.5.0 and earlier)."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: sa.Engine) -> str:
    """Bring the store's tables to the newest revision, in one transaction;
    returns it."""
    scripts = _scripts()

    def to_head(revision, context):
        return scripts._upgrade_revs("head", revision)

    context = EnvironmentContext(Config(), scripts, fn=to_head, destination_rev="head")
    with engine.connect() as conn, writing(conn, lock=_LOCK_KEY), context as env:
        env.configure(connection=conn, version_table=VERSION_TABLE)
        env.run_migrations()
    return HEAD
