"""The SQL a DAG author writes, checked before anything runs.

A filter (``where=``, ``--where``) is one boolean expression and a query
(``query=``, ``--query``) one ``SELECT``: each is parsed by sqlglot in the
target database's dialect, and anything else is refused as an input error,
naming what was found. So a second statement cannot ride along (DuckDB runs
every statement of a call), ``SELECT ... INTO`` writes no table, a
data-changing ``WITH`` is refused, and a comment cannot swallow what follows
(each text is placed on lines of its own, inside parentheses). A ``;`` or a
``--`` inside a string literal is text, as the database reads it.

A filter is a condition on the table's own rows: it holds no subquery (so it
reads no other table, and no file through DuckDB's ``FROM 'path.csv'``), and
functions that read files or the network (DuckDB's ``read_csv``,
PostgreSQL's ``pg_read_file``, ClickHouse's ``file``, ...) are refused. A
query may read what its author chooses, as in ``SQLExecuteQueryOperator``, but
writes nothing; where the database allows it the scan also runs in a
read-only transaction (PostgreSQL).

>>> check_filter("m = 1 OR m = 2", "duckdb")
'm = 1 OR m = 2'
>>> check_filter("1=1; COPY t TO 'x.csv'", "duckdb")
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: a SQL filter must be one boolean expression, got 2 ...
>>> parenthesised("m = 1 OR m = 2")
'(\\nm = 1 OR m = 2\\n)'
"""

from __future__ import annotations

from typing import Any

from ..core.errors import ConfigError

# Functions that read a file, a URL or another database from inside a query.
FILE_FUNCTIONS = frozenset(
    {
        # DuckDB
        "read_csv",
        "read_csv_auto",
        "read_parquet",
        "parquet_scan",
        "read_json",
        "read_json_auto",
        "read_json_objects",
        "read_ndjson",
        "read_text",
        "read_blob",
        "glob",
        "sniff_csv",
        "sqlite_scan",
        "postgres_scan",
        "mysql_scan",
        "iceberg_scan",
        "delta_scan",
        # PostgreSQL
        "pg_read_file",
        "pg_read_binary_file",
        "pg_ls_dir",
        "pg_stat_file",
        "lo_import",
        "lo_export",
        "dblink",
        # MySQL / MariaDB
        "load_file",
        # ClickHouse
        "file",
        "url",
        "s3",
        "hdfs",
        "remote",
        "remotesecure",
        "mysql",
        "postgresql",
        "executable",
        # SQLite
        "readfile",
        "writefile",
        "load_extension",
    }
)


def check_filter(where: str, dialect: str) -> str:
    """``where`` unchanged if it is one boolean expression with no statement,
    subquery that writes, or file-reading function; else a ConfigError."""
    found = _parsed("filter", where, dialect, "one boolean expression")
    from sqlglot import exp

    if isinstance(found, (exp.Query, exp.DDL, exp.DML, exp.Command, exp.Copy)) or not isinstance(
        found, exp.Condition
    ):
        raise ConfigError(
            f"a SQL filter must be one boolean expression, got a {_kind(found)}: {where!r}"
        )
    if any(isinstance(node, exp.Query) for node in found.walk()):
        raise ConfigError(
            "a SQL filter is a condition on the table's own rows and reads no other "
            f"table (no subquery); give a query (query=, --query) instead: {where!r}"
        )
    _refuse_inside("filter", found, where, functions=True)
    return where


def check_query(query: str, dialect: str) -> str:
    """``query`` unchanged if it is one ``SELECT`` (a ``UNION``, a ``WITH``)
    that writes nothing; else a ConfigError."""
    found = _parsed("query", query, dialect, "one SELECT")
    from sqlglot import exp

    if not isinstance(found, exp.Query):
        raise ConfigError(f"a SQL query must be one SELECT, got a {_kind(found)}: {query!r}")
    _refuse_inside("query", found, query, functions=False)
    return query


def parenthesised(text: str) -> str:
    """``text`` as one term, on lines of its own: an ``OR`` in it stays inside,
    and a ``--`` comment ends before the closing parenthesis."""
    return f"(\n{text}\n)"


def _parsed(what: str, text: Any, dialect: str, wanted: str) -> Any:
    import sqlglot
    from sqlglot.errors import SqlglotError

    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"a SQL {what} must be {wanted} as text, got {text!r}")
    try:
        statements = [s for s in sqlglot.parse(text, read=dialect or None) if s is not None]
    except SqlglotError as exc:
        said = str(exc).splitlines()[0]
        raise ConfigError(
            f"a SQL {what} must be {wanted}; it does not parse ({said}): {text!r}"
        ) from None
    if len(statements) != 1:
        raise ConfigError(
            f"a SQL {what} must be {wanted}, got {len(statements)} statements: {text!r}"
        )
    return statements[0]


def _refuse_inside(what: str, found: Any, text: str, functions: bool) -> None:
    """Refuse a write anywhere in the tree (``SELECT ... INTO``, a ``DELETE`` in a
    ``WITH``) and, with ``functions``, a function that reads files."""
    from sqlglot import exp

    for node in found.walk():
        if isinstance(node, (exp.DDL, exp.DML, exp.Into, exp.Command, exp.Copy)):
            raise ConfigError(f"a SQL {what} must not write ({_kind(node)}): {text!r}")
        if functions and isinstance(node, exp.Func):
            name = (node.name if isinstance(node, exp.Anonymous) else node.sql_name()).lower()
            if name in FILE_FUNCTIONS:
                raise ConfigError(
                    f"a SQL {what} must not read files or other databases ({name}): {text!r}"
                )


def _kind(node: Any) -> str:
    return node.key.upper().replace("_", " ")
