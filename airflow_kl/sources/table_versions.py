"""What the lakehouse sources share: the choice of a table's version (a
version or snapshot, a time, rows appended since) checked once, and partition
equalities turned into the filter that prunes files.

>>> check_version_choice(None, "2013-09-01", 8, "version")
(None, datetime.datetime(2013, 9, 1, 0, 0, tzinfo=datetime.timezone.utc), 8)
>>> check_version_choice(3, "2013-09-01", None, "version")
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: give version or as_of, not both
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ..core.errors import ConfigError


def _whole_number(value: Any, name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from None
    if number < 0:
        raise ConfigError(f"{name} must be 0 or more, got {number}")
    return number


def as_time(value: datetime | str, name: str = "as_of") -> datetime:
    """A time given as a ``datetime`` or ISO 8601 text, in UTC when it names no zone.

    >>> as_time("2013-09-01T12:00:00+02:00").isoformat()
    '2013-09-01T12:00:00+02:00'
    """
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{name} must be an ISO 8601 time, got {value!r}") from None
    if not isinstance(value, datetime):
        raise ConfigError(f"{name} must be a time, got {value!r}")
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def check_version_choice(
    version: Any, as_of: Any, since: Any, version_word: str, ordered: bool = True
) -> tuple[int | None, datetime | None, int | None]:
    """``(version, as_of, since)`` checked: whole numbers, a time, not both of
    ``version`` and ``as_of``, and (when versions are ``ordered``, as Delta's
    are and Iceberg's snapshot ids are not) ``since`` not after ``version``."""
    number = _whole_number(version, version_word)
    since_number = _whole_number(since, "since")
    if number is not None and as_of is not None:
        raise ConfigError(f"give {version_word} or as_of, not both")
    time = as_time(as_of) if as_of is not None else None
    if ordered and number is not None and since_number is not None and since_number > number:
        raise ConfigError(f"since={since_number} is after {version_word}={number}")
    return number, time, since_number


def partition_filter(
    partitions: Mapping[str, Any], partition_types: Mapping[str, Any], table: Any
) -> Any:
    """The Arrow filter of ``partitions`` (``{column: value}``, each a partition
    column of ``table``), or None when there are none; values are compared as the
    column's type (text from the command line included)."""
    if not partitions:
        return None
    import pyarrow as pa
    import pyarrow.dataset as ds

    expression = None
    for name, value in partitions.items():
        if name not in partition_types:
            raise ConfigError(
                f"{name!r} is not a partition column of {table} "
                f"(its partition columns: {list(partition_types) or 'none'})"
            )
        if value is None:
            term = ds.field(name).is_null()
        else:
            try:
                typed = pa.array([value]).cast(partition_types[name])[0]
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                raise ConfigError(
                    f"partition value {value!r} of {name!r} is not a {partition_types[name]}"
                ) from None
            term = ds.field(name) == typed
        expression = term if expression is None else expression & term
    return expression
