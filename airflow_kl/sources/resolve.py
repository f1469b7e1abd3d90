"""Whatever a caller passes as data, turned into a :class:`~.source.Source` once.

A registry of :class:`SourceKind` entries says which source takes which data:
objects by their Python type (by qualified name, so that no library is
imported to ask), strings and paths by their URI scheme. Another package
adds a kind through the entry-point group ``airflow_kl.sources``::

    [project.entry-points."airflow_kl.sources"]
    jsonl = "my_package.jsonl_source:KIND"

Airflow connections (``{"conn_id": ..., "table": ...}``) are such an entry
point too, registered by the provider package, so this module imports no
Airflow; nor, until data is resolved, numpy (a DAG file that names an
operator loads it).

>>> import pandas as pd
>>> type(resolve(pd.DataFrame({"x": [1.0]}))).__name__
'FrameSource'
>>> type(resolve("flights/month=01/")).__name__
'FileSource'
>>> resolve(3.5)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
airflow_kl.core.errors.SourceError: cannot read data of type float: ...
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, SourceError
from ..core.file_io import is_object_path

if TYPE_CHECKING:
    from .source import Source

ENTRY_POINT_GROUP = "airflow_kl.sources"


@dataclass(frozen=True)
class SourceKind:
    """One kind of source: what it is called, how it opens data, and which data
    it takes (objects whose type, or a base of it, is named in ``types`` as
    ``module.QualifiedName``; strings whose URI scheme is in ``schemes``)."""

    name: str
    """A short name errors and listings use (``"jsonl"``)."""
    open: Callable[[Any], Source]
    """Makes the :class:`~airflow_kl.sources.source.Source` of one piece of data."""
    types: tuple[str, ...] = ()
    """The types it takes, as ``module.QualifiedName`` (``"pandas.core.frame.DataFrame"``):
    naming a type imports nothing."""
    schemes: tuple[str, ...] = ()
    """The URI schemes of the paths it takes (``"jsonl"`` for ``jsonl:///data/x.jsonl``)."""


def _frame(data: Any) -> Source:
    from .memory import FrameSource

    return FrameSource(data)


def _files(data: Any) -> Source:
    from .files import FileSource

    return FileSource(data)


def _polars(data: Any) -> Source:
    from .polars import PolarsSource

    return PolarsSource(data)


def _spark(data: Any) -> Source:
    from .spark import SparkSource

    return SparkSource(data)


def _table(data: Any) -> Source:
    from .lakehouse import table_source

    return table_source(data)


def _database(data: Any) -> Source:
    raise ConfigError(
        f"{_shown_url(data)} is a database: say which rows to read, with "
        "airflow_kl.sql(url, table=...) or airflow_kl.sql(url, query=...) "
        "(the CLI: --table or --query)"
    )


def _shown_url(data: Any) -> str:
    from ..core.text import shown

    url = getattr(data, "url", data)  # an Engine's URL
    render = getattr(url, "render_as_string", None)
    return shown(render(hide_password=True) if render else str(url))


BUILT_IN = (
    SourceKind(
        "frame",
        _frame,
        types=(
            "pandas.DataFrame",  # pandas 3
            "pandas.core.frame.DataFrame",
            "pyarrow.lib.Table",
            "pyarrow.lib.RecordBatch",
        ),
    ),
    SourceKind(
        "polars",
        _polars,
        types=("polars.dataframe.frame.DataFrame", "polars.lazyframe.frame.LazyFrame"),
    ),
    SourceKind(
        "spark",
        _spark,
        types=("pyspark.sql.dataframe.DataFrame", "pyspark.sql.connect.dataframe.DataFrame"),
    ),
    SourceKind("lakehouse table", _table, schemes=("delta", "iceberg")),
    SourceKind(
        "database",
        _database,
        types=("sqlalchemy.engine.base.Engine", "sqlalchemy.engine.url.URL"),
    ),
)

_registered: list[SourceKind] = []


def register(kind: SourceKind) -> None:
    """Add a kind of source (kinds registered later win over earlier ones and
    over the built-in kinds).

    Parameters
    ----------
    kind
        The kind to add. A package can instead name it in the entry-point
        group ``airflow_kl.sources``, so it is found without an import.
    """
    if not isinstance(kind, SourceKind):
        raise ConfigError(f"register takes a SourceKind, got {type(kind).__name__}")
    _registered.insert(0, kind)


@cache
def _from_entry_points() -> tuple[SourceKind, ...]:
    from importlib.metadata import entry_points

    kinds = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            kind = point.load()
        except Exception as exc:  # an outside package that cannot load: named, not fatal
            raise SourceError(
                f"source {point.name!r} ({point.value}) cannot be loaded: {exc}"
            ) from None
        if not isinstance(kind, SourceKind):
            raise SourceError(
                f"entry point {point.name!r} ({point.value}) is not a SourceKind, "
                f"it is {type(kind).__name__}"
            )
        kinds.append(kind)
    return tuple(kinds)


def kinds() -> list[SourceKind]:
    """Every kind, in the order they are asked: registered, entry points, built-in."""
    return [*_registered, *_from_entry_points(), *BUILT_IN]


def _qualified_names(data: Any) -> list[str]:
    return [f"{t.__module__}.{t.__qualname__}" for t in type(data).__mro__]


def scheme_of(text: str) -> str:
    """The URI scheme of a string (``""`` for a local path).

    >>> scheme_of("s3://bucket/flights/"), scheme_of("flights.parquet")
    ('s3', '')
    """
    head, sep, _ = text.partition("://")
    return head.lower() if sep and head.replace("+", "").replace("-", "").isalnum() else ""


def is_database_url(text: str) -> bool:
    """A string SQLAlchemy reads as a database URL (its dialect registry knows
    the scheme).

    >>> is_database_url("duckdb:///warehouse.duckdb"), is_database_url("s3://b/k")
    (True, False)
    """
    scheme = scheme_of(text)
    if not scheme or scheme in ("file", "memory"):
        return False
    try:
        import sqlalchemy as sa

        sa.engine.make_url(text).get_dialect()
    except Exception:  # not a URL SQLAlchemy has a dialect for
        return False
    return True


def resolve(data: Any) -> Source:
    """The :class:`Source` of ``data``: a Source as it is; an object by its type;
    a path, URL or ObjectStoragePath by its scheme (files by default).

    Parameters
    ----------
    data
        A Source, a data object (DataFrame, Arrow table, Spark DataFrame, ...),
        or a path or URI; what no kind takes raises
        :class:`~airflow_kl.SourceError` naming its type.
    """
    from .source import Source

    if isinstance(data, Source):
        return data
    every = kinds()
    names = _qualified_names(data)
    for name in names:
        for kind in every:
            if name in kind.types:
                return kind.open(data)
    if isinstance(data, (str, os.PathLike)) or is_object_path(data):
        text = str(data) if is_object_path(data) else os.fspath(data)
        scheme = scheme_of(text) if isinstance(text, str) else ""
        for kind in every:
            if scheme and scheme in kind.schemes:
                return kind.open(data)
        if isinstance(text, str) and is_database_url(text):
            return _database(text)
        if isinstance(text, str):
            from .lakehouse import format_of

            # delta+s3://..., or a folder holding a _delta_log (looked for with the
            # credentials an ObjectStoragePath carries)
            if format_of(text, data) == "delta":
                return _table(text)
        return _files(data)
    raise SourceError(
        f"cannot read data of type {type(data).__name__}: pass a pandas or Polars frame, "
        "a pyarrow Table, a path or URL of Parquet/CSV, ak.sql(...) or a Spark DataFrame"
    )
