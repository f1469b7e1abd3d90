"""Resolve an operator's ``source`` argument into something the API can count.

- a path (``str``/``Path``), ``file://`` URI or object-storage URL (``s3://``,
  ``gs://``, ...; credentials from the operator's ``conn_id`` when given) of
  a Parquet/CSV file or folder;
- ``{"conn_id": ..., "table": ... | "sql": ..., "where": ..., "parameters": {...}}``:
  a SQL source through an Airflow connection, counted by pushdown;
- ``{"spark_conn_id": ..., "table": ... | "sql": ...}``: a table or query on a
  Spark Connect server (``sc://host:port``) named by an Airflow connection,
  counted there: the worker needs no JVM;
- ``{"delta": path, "since": ..., "as_of": ..., "version": ..., "partitions": {...}}``
  or ``{"iceberg": "iceberg://CATALOG/NAMESPACE.TABLE", "snapshot_id": ..., ...}``:
  a Delta Lake or Iceberg table at a version, or the rows appended since one;
- a callable returning a pandas DataFrame or Arrow table (called at run time).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..config import sql_engine
from ..core.errors import ConfigError
from ..core.text import shown
from ..sources.resolve import SourceKind, resolve

SQL_KEYS = {"conn_id", "table", "sql", "where", "parameters", "schema"}
SPARK_KEYS = {"spark_conn_id", "table", "sql"}


def check_sql_mapping(source: Mapping[str, Any]) -> None:
    """A SQL source mapping names a connection and exactly one of table or sql."""
    unknown = set(source) - SQL_KEYS
    one_of = (source.get("table") is None) != (source.get("sql") is None)
    if unknown or "conn_id" not in source or not one_of:
        raise ConfigError(
            f"a SQL source needs conn_id and one of table or sql; got keys "
            f"{sorted(source)} (allowed: {sorted(SQL_KEYS)})"
        )


def storage_path(path: Any, conn_id: str | None) -> Any:
    """With ``conn_id``, an object-storage URL becomes an ``ObjectStoragePath``
    whose credentials come from that Airflow connection; anything else is kept."""
    from ..core.file_io import is_uri

    if conn_id and isinstance(path, str) and is_uri(path):
        from airflow.sdk import ObjectStoragePath

        return ObjectStoragePath(path, conn_id=conn_id)
    return path


def spark_connect_url(conn_id: str) -> str:
    """``sc://host:port[/;token=...;use_ssl=true]`` from an Airflow connection
    (host, port, and the extras ``token`` and ``use_ssl``)."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    host = (conn.host or "").removeprefix("sc://")
    if not host:
        raise ConfigError(f"Spark Connect connection {conn_id!r} has no host")
    url = f"sc://{host}:{conn.port or 15002}"
    extra = conn.extra_dejson
    params = [f"token={extra['token']}"] if extra.get("token") else []
    if str(extra.get("use_ssl", "")).lower() in ("1", "true", "yes"):
        params.append("use_ssl=true")
    return url + ("/;" + ";".join(params) if params else "")


def spark_connect_source(source: Mapping[str, Any]) -> Any:
    """A Spark Connect DataFrame for ``{"spark_conn_id", "table" | "sql"}``."""
    unknown = set(source) - SPARK_KEYS
    if unknown or (source.get("table") is None) == (source.get("sql") is None):
        raise ConfigError(
            f"a Spark Connect source needs spark_conn_id and one of table or sql; got keys "
            f"{sorted(source)} (allowed: {sorted(SPARK_KEYS)})"
        )
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(spark_connect_url(source["spark_conn_id"])).getOrCreate()
    if source.get("table") is not None:
        return spark.table(source["table"])
    return spark.sql(source["sql"])


def connection_source(source: Mapping[str, Any]) -> Any:
    """The source of a mapping that names an Airflow connection: a SQL table or
    query (``conn_id``), or a Spark Connect table or query (``spark_conn_id``);
    a mapping that names a Delta or Iceberg table instead is that table's."""
    from ..sources.lakehouse import is_table_mapping, table_source

    if is_table_mapping(source):
        return table_source(source)
    if "spark_conn_id" in source:
        return resolve(spark_connect_source(source))
    check_sql_mapping(source)
    from ..sources.sql import SqlSource

    return SqlSource(
        sql_engine(source["conn_id"]),
        table=source.get("table"),
        schema=source.get("schema"),
        query=source.get("sql"),
        where=source.get("where"),
        parameters=source.get("parameters") or {},
    )


# Registered under the entry-point group ``airflow_kl.sources`` (pyproject.toml),
# so the resolver knows connection mappings without importing Airflow itself.
CONNECTIONS = SourceKind("airflow connection", connection_source, types=("builtins.dict",))


def resolve_source(source: Any, conn_id: str | None = None) -> Any:
    """The :class:`~airflow_kl.sources.source.Source` of an operator's ``source``
    (object-storage URLs read with ``conn_id``'s credentials when it is given;
    a callable is called first, at run time)."""
    from ..core.file_io import is_uri
    from ..sources.lakehouse import format_of, table_source

    if isinstance(source, Mapping):
        if conn_id and "delta" in source and is_uri(str(source["delta"])):
            source = {"storage_options": delta_storage_options(conn_id), **source}
        return connection_source(source)
    if isinstance(source, (str, os.PathLike)):
        text = os.fspath(source)
        if text.startswith("file://"):
            return resolve(text[len("file://") :])
        path = storage_path(text, conn_id)
        if conn_id and is_uri(text) and format_of(text, path) == "delta":
            options = delta_storage_options(conn_id)
            return table_source({"delta": text, "storage_options": options})
        return resolve(path)
    if callable(source):
        return resolve(source())
    return resolve(source)


def delta_storage_options(conn_id: str) -> dict[str, str]:
    """delta-rs's storage options (it does not use fsspec) from an Airflow AWS
    connection: the credentials as the amazon provider resolves them (keys, an
    assumed role, a profile), its region and its endpoint."""
    from airflow.providers.amazon.aws.hooks.base_aws import AwsBaseHook

    hook = AwsBaseHook(aws_conn_id=conn_id, client_type="s3")
    credentials = hook.get_credentials()
    options = {
        "AWS_ACCESS_KEY_ID": credentials.access_key,
        "AWS_SECRET_ACCESS_KEY": credentials.secret_key,
    }
    if credentials.token:
        options["AWS_SESSION_TOKEN"] = credentials.token
    if hook.conn_region_name:
        options["AWS_REGION"] = hook.conn_region_name
    endpoint = hook.conn_config.endpoint_url
    if endpoint:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    return options


def describe(source: Any) -> str:
    """A short, password-free description for logs and reports."""
    from ..sources.lakehouse import is_table_mapping

    if is_table_mapping(source):
        fmt = "delta" if "delta" in source else "iceberg"
        since = f" since {source['since']}" if source.get("since") is not None else ""
        return f"{fmt}:{shown(str(source[fmt]))}{since}"
    if isinstance(source, Mapping):
        what = source.get("table") or "query"
        if "spark_conn_id" in source:
            return f"spark:{source['spark_conn_id']}/{what}"
        return f"sql:{source.get('conn_id')}/{what}"
    if callable(source):
        return f"callable:{getattr(source, '__name__', type(source).__name__)}"
    if not isinstance(source, (str, os.PathLike)):
        return str(source)
    return shown(os.fspath(source))
