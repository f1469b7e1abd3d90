"""The store's database, shared by many processes: write transactions that
can run side by side, and its failures as the project's typed errors.

SQLite lets one writer in at a time, but Python's sqlite3 starts a
transaction only at the first data-changing statement: two processes that
both read first (an upsert, a migration's "which revision am I at") then
both try to write, and one fails with "database is locked" at once, without
waiting. So on SQLite a write transaction is ``BEGIN IMMEDIATE``: it takes
the write lock at its start and the others wait for it (the connection's
busy timeout). On PostgreSQL a transaction-scoped advisory lock serialises
what must run alone (the migrations); rows are already safe under its MVCC.

>>> import sqlalchemy as sa
>>> engine = sa.create_engine("sqlite://")
>>> with engine.connect() as conn, writing(conn):
...     _ = conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
...     _ = conn.exec_driver_sql("INSERT INTO t VALUES (1)")
>>> with engine.connect() as conn:
...     conn.exec_driver_sql("SELECT x FROM t").all()
[(1,)]
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import sqlalchemy as sa

from ..core.errors import DatabaseUnavailable, StoreError
from ..core.text import first_line

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def writing(conn: sa.Connection, lock: int | None = None) -> Iterator[sa.Connection]:
    """A transaction on ``conn`` that holds the database's write lock from its
    first statement (SQLite), or the advisory lock ``lock`` (PostgreSQL);
    committed when the block ends, rolled back if it raises."""
    if conn.dialect.name != "sqlite":
        with conn.begin():
            if lock is not None and conn.dialect.name == "postgresql":
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": lock})
            yield conn
        return
    raw = conn.connection.dbapi_connection
    legacy = raw.isolation_level
    raw.isolation_level = None  # no implicit BEGIN: the one below is the transaction
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.exec_driver_sql("ROLLBACK")
            raise
        conn.exec_driver_sql("COMMIT")
    finally:
        conn.rollback()  # SQLAlchemy's own bookkeeping; the database has nothing open
        raw.isolation_level = legacy


def plain_errors(fn: F) -> F:
    """``fn`` with the database's errors as typed ones: a database out of reach,
    locked or timing out is :class:`DatabaseUnavailable` (retried in Airflow);
    a file that cannot be opened or written, or a statement the database
    refuses, is :class:`StoreError`; each in one line. (A URL SQLAlchemy cannot
    open is a StoreError where the engine is made.)"""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except sa.exc.DBAPIError as exc:
            raise typed_error(exc) from None

    return wrapper  # type: ignore[return-value]


def typed_error(exc: sa.exc.DBAPIError) -> Exception:
    """The typed error of a failed statement or connection (see :func:`plain_errors`)."""
    from ..sources.dialects import dialect_named, sqlstate

    name = _dialect_name(exc)
    said = first_line(exc.orig)
    if name == "sqlite":
        if "locked" in said or "busy" in said:
            return DatabaseUnavailable(f"the results database is locked: {said}")
        return StoreError(
            f"the results database cannot be used: {said} (check its path and permissions)"
        )
    dialect = dialect_named(name or "ansi")
    unreachable = isinstance(exc, sa.exc.OperationalError) and sqlstate(exc) is None
    if exc.connection_invalidated or unreachable or dialect.retryable(exc):
        return DatabaseUnavailable(f"the results database is unavailable: {said}")
    return StoreError(f"the results database refused the statement: {said}")


def _dialect_name(exc: sa.exc.DBAPIError) -> str:
    module = type(exc.orig).__module__.split(".")[0]
    return {"sqlite3": "sqlite", "psycopg2": "postgresql", "psycopg": "postgresql"}.get(
        module, module
    )
