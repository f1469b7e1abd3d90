"""Delta Lake and Iceberg tables as the resolver sees them: a ``delta://`` or
``iceberg://`` URI, a folder holding a ``_delta_log``, or a mapping that names
the table and its version (``{"delta": path, "since": 8}``), the form a
templated operator argument takes.

>>> type(table_source({"iceberg": "iceberg://lake/nyc.flights", "since": 5})).__name__
'IcebergSource'
>>> table_source({"delta": "/data/t", "snapshot_id": 3})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: a Delta table takes the keys [...], not ['snapshot_id']
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..core.errors import ConfigError

DELTA_KEYS = {"delta", "version", "as_of", "since", "partitions", "storage_options"}
ICEBERG_KEYS = {"iceberg", "snapshot_id", "as_of", "since", "partitions"}
FORMATS = ("delta", "iceberg")


def delta(
    table: Any,
    *,
    version: int | None = None,
    as_of: Any = None,
    since: int | None = None,
    partitions: Mapping[str, Any] | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> Any:
    """A Delta Lake table (its folder, local or in object storage), for
    :func:`~airflow_kl.build_profile` and :func:`~airflow_kl.check_drift`: the
    latest version, ``version``, the version current ``as_of`` a time, or only
    the rows that commits after version ``since`` appended. It returns a
    :class:`~airflow_kl.sources.delta.DeltaSource`.

    Parameters
    ----------
    table
        The table's folder or URI (``s3://bucket/flights``, ``delta:///data/t``).
    version
        The version to read (default: the latest).
    as_of
        A time (``datetime`` or ISO 8601 text): the version current then.
    since
        Read only the rows that commits after this version added; a commit
        that deleted or rewrote rows is refused, a compaction skipped.
    partitions
        Equalities on partition columns (``{"month": 9}``), which prune files.
    storage_options
        delta-rs's options (credentials, endpoint); by default the standard
        AWS variables.

    Examples
    --------
    >>> import airflow_kl as ak, pyarrow as pa, deltalake, tempfile
    >>> path = tempfile.mkdtemp()
    >>> for month in (1, 2):
    ...     deltalake.write_deltalake(path, pa.table({"x": [1.0 * month] * 10}), mode="append")
    >>> profile = ak.build_profile(ak.delta(path, version=0))
    >>> ak.check_drift(profile, ak.delta(path, since=0)).data_version["appended"]
    [1]
    """
    from .delta import DeltaSource

    return DeltaSource(
        table,
        version=version,
        as_of=as_of,
        since=since,
        partitions=partitions,
        storage_options=storage_options,
    )


def iceberg(
    table: str,
    *,
    snapshot_id: int | None = None,
    as_of: Any = None,
    since: int | None = None,
    partitions: Mapping[str, Any] | None = None,
) -> Any:
    """An Apache Iceberg table, ``iceberg://CATALOG/NAMESPACE.TABLE`` (the catalog
    configured as pyiceberg configures it), for
    :func:`~airflow_kl.build_profile` and :func:`~airflow_kl.check_drift`: the
    current snapshot, ``snapshot_id``, the snapshot current ``as_of`` a time, or
    only the rows that snapshots after ``since`` appended. It returns an
    :class:`~airflow_kl.sources.iceberg.IcebergSource`.

    Parameters
    ----------
    table
        The table's URI.
    snapshot_id
        The snapshot to read (default: the current one).
    as_of
        A time (``datetime`` or ISO 8601 text): the snapshot current then.
    since
        Read only the rows that later snapshots appended; an ``overwrite`` or
        ``delete`` snapshot is refused, a ``replace`` (compaction) skipped.
    partitions
        Equalities on columns (``{"month": 9}``), pruning files through the
        partition spec.
    """
    from .iceberg import IcebergSource

    return IcebergSource(
        table, snapshot_id=snapshot_id, as_of=as_of, since=since, partitions=partitions
    )


def is_table_mapping(data: Any) -> bool:
    """A mapping that names a Delta or Iceberg table."""
    return isinstance(data, Mapping) and any(f in data for f in FORMATS)


def table_source(data: Any, **choice: Any) -> Any:
    """The Delta or Iceberg source of a URI, a Delta folder or a mapping; ``choice``
    (``since``, ``as_of``, ``version``/``snapshot_id``, ``partitions``) adds to a
    URI's. Anything else is refused, naming it."""
    if is_table_mapping(data):
        fmt = "delta" if "delta" in data else "iceberg"
        keys = DELTA_KEYS if fmt == "delta" else ICEBERG_KEYS
        unknown = sorted(set(data) - keys)
        if unknown or all(f in data for f in FORMATS):
            raise ConfigError(
                f"a {'Delta' if fmt == 'delta' else 'Iceberg'} table takes the keys "
                f"{sorted(keys)}, not {unknown or list(FORMATS)}"
            )
        given = {k: v for k, v in data.items() if k != fmt and v is not None}
        return _open(str(data[fmt]), fmt, {**given, **choice})
    return _open(str(data), None, choice)


def _open(location: str, fmt: str | None, choice: dict[str, Any]) -> Any:
    fmt = fmt or format_of(location)
    if fmt == "iceberg":
        from .iceberg import IcebergSource

        return IcebergSource(location, **_only(choice, ICEBERG_KEYS, "an Iceberg table"))
    if fmt == "delta":
        from .delta import DeltaSource

        return DeltaSource(location, **_only(choice, DELTA_KEYS, "a Delta table"))
    raise ConfigError(
        f"{location!r} is not a Delta or Iceberg table: {', '.join(sorted(choice))} "
        "apply to a table with versions (a folder with a _delta_log, delta://..., "
        "iceberg://CATALOG/NAMESPACE.TABLE)"
    )


def _only(choice: dict[str, Any], keys: set[str], what: str) -> dict[str, Any]:
    unknown = sorted(set(choice) - keys)
    if unknown:
        raise ConfigError(f"{unknown[0]} does not apply to {what}")
    return choice


def format_of(location: str, data: Any = None) -> str | None:
    """``"delta"``, ``"iceberg"`` or None: by the URI's scheme, or for a local
    folder or object-storage URL by a ``_delta_log`` in it (looked for through
    ``data``, an ``ObjectStoragePath`` with its credentials, when given).

    >>> format_of("iceberg://lake/nyc.flights"), format_of("delta+s3://b/t")
    ('iceberg', 'delta')
    """
    scheme = location.partition("://")[0].lower() if "://" in location else ""
    if scheme == "iceberg":
        return "iceberg"
    if scheme == "delta" or scheme.startswith("delta+"):
        return "delta"
    if not scheme or scheme == "file":
        path = location.removeprefix("file://")
        return "delta" if os.path.isdir(os.path.join(path, "_delta_log")) else None
    return "delta" if has_delta_log(location if data is None else data) else None


def has_delta_log(location: Any) -> bool:
    """Whether a folder in object storage (or on disk) holds a ``_delta_log``:
    one metadata request."""
    import pyarrow.fs as pafs

    from .location import locate, storage_errors

    try:
        found = locate(location)
        with storage_errors(found.name):
            info = found.fs.get_file_info(found.path.rstrip("/") + "/_delta_log")
    except Exception:  # not a location the stores know: the file source says why
        return False
    return info.type == pafs.FileType.Directory
