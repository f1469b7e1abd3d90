"""Apache Iceberg tables, read through pyiceberg (the ``iceberg`` extra).

A table is named ``iceberg://CATALOG/NAMESPACE.TABLE``; the catalog is
configured as pyiceberg configures it (``~/.pyiceberg.yaml``, or variables
such as ``PYICEBERG_CATALOG__CATALOG__URI``). The table's own scan planning
chooses the files: only the projected columns are read, ``partitions``
(equalities) prune files through the partition spec, and a snapshot id or a
time (``as_of``) selects the version. Delete files (merge-on-read) are applied,
so a deleted row is never counted. Files are read one at a time: memory
follows one file's projected columns, not the table's size.

``since=SNAPSHOT_ID`` reads only the rows that the snapshots after it (its
descendants, up to the chosen one) appended. A ``replace`` snapshot (a
compaction) adds no rows and is skipped; an ``overwrite`` or ``delete`` is
named and refused, because the rows appended since can no longer be told
apart from the others.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from functools import cached_property
from typing import Any

import pyarrow as pa

from ..core.binning import require_columns
from ..core.errors import ConfigError, SourceError
from .arrow_batches import BATCH_ROWS, ArrowBatchSource, Piece
from .table_versions import check_version_choice

SCHEMES = ("iceberg",)
COUNTED, SKIPPED = ("append",), ("replace",)


def parse_table_uri(text: str) -> tuple[str, str]:
    """``(catalog, "namespace.table")`` of ``iceberg://CATALOG/NAMESPACE.TABLE``.

    >>> parse_table_uri("iceberg://lake/flights.monthly")
    ('lake', 'flights.monthly')
    >>> parse_table_uri("iceberg://lake/monthly")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: an Iceberg table is ..., got 'iceberg://lake/monthly'
    """
    head, sep, rest = str(text).partition("://")
    catalog, _, name = rest.partition("/")
    if head != "iceberg" or not sep or not catalog or "." not in name.strip("."):
        raise ConfigError(
            f"an Iceberg table is iceberg://CATALOG/NAMESPACE.TABLE, got {str(text)!r}"
        )
    return catalog, name


class IcebergSource(ArrowBatchSource):
    """An Iceberg table named ``iceberg://CATALOG/NAMESPACE.TABLE``; what
    :func:`airflow_kl.iceberg` returns, whose parameters it takes."""

    engine = "Iceberg"
    columns_per_read = 0  # pyiceberg's cost is per read of a file: read its columns together

    def __init__(
        self,
        table: str,
        *,
        snapshot_id: int | None = None,
        as_of: datetime | str | None = None,
        since: int | None = None,
        partitions: Mapping[str, Any] | None = None,
    ) -> None:
        self.uri = str(table)
        self.catalog_name, self.name = parse_table_uri(self.uri)
        self.snapshot_id, self.as_of, self.since = check_version_choice(
            snapshot_id, as_of, since, "snapshot_id", ordered=False
        )
        self.partitions = dict(partitions or {})

    def __str__(self) -> str:
        return self.uri

    @cached_property
    def table(self) -> Any:
        """The ``pyiceberg`` table, loaded from its catalog."""
        from pyiceberg.catalog import load_catalog
        from pyiceberg.exceptions import NoSuchNamespaceError, NoSuchTableError
        from pyiceberg.utils.config import Config

        try:  # the configuration as it is now (pyiceberg reads the variables once, on import)
            properties = Config().get_catalog_config(self.catalog_name) or {}
            catalog = load_catalog(self.catalog_name, **properties)
        except Exception as exc:  # pyiceberg raises ValueError and others for a bad config
            raise SourceError(f"cannot load Iceberg catalog {self.catalog_name!r}: {exc}") from None
        try:
            return catalog.load_table(self.name)
        except (NoSuchTableError, NoSuchNamespaceError):
            raise SourceError(
                f"no table {self.name!r} in Iceberg catalog {self.catalog_name!r}"
            ) from None

    @cached_property
    def snapshot(self) -> Any:
        """The snapshot read (None for a table without one: no rows)."""
        table = self.table
        if self.snapshot_id is not None:
            found = table.snapshot_by_id(self.snapshot_id)
            if found is None:
                raise ConfigError(f"{self.uri} has no snapshot {self.snapshot_id}")
            return found
        if self.as_of is not None:
            found = table.snapshot_as_of_timestamp(int(self.as_of.timestamp() * 1000))
            if found is None:
                raise ConfigError(f"{self.uri} has no snapshot as of {self.as_of.isoformat()}")
            return found
        return table.current_snapshot()

    @cached_property
    def appended(self) -> list[int]:
        """The snapshots after ``since`` whose rows are read (oldest first); a
        snapshot that deleted or rewrote rows is refused."""
        if self.since is None:
            return []
        if self.table.snapshot_by_id(self.since) is None:
            raise ConfigError(f"{self.uri} has no snapshot {self.since} (since)")
        lineage, snapshot = [], self.snapshot
        while snapshot is not None and snapshot.snapshot_id != self.since:
            lineage.append(snapshot)
            parent = snapshot.parent_snapshot_id
            snapshot = self.table.snapshot_by_id(parent) if parent is not None else None
        if snapshot is None:
            raise ConfigError(
                f"snapshot {self.since} (since) is not an ancestor of the snapshot read "
                f"of {self.uri}"
            )
        counted = []
        for snapshot in reversed(lineage):
            operation = snapshot.summary.operation.value if snapshot.summary else "?"
            if operation in COUNTED:
                counted.append(snapshot.snapshot_id)
            elif operation not in SKIPPED:
                raise SourceError(
                    f"snapshot {snapshot.snapshot_id} of {self.uri} ({operation}) deleted or "
                    f"rewrote rows: the rows appended since snapshot {self.since} cannot be "
                    "told apart; check the whole table instead"
                )
        return counted

    def _row_filter(self) -> Any:
        from pyiceberg.expressions import AlwaysTrue, And, EqualTo, IsNull

        names = set(self.table.schema().column_names)
        expression: Any = AlwaysTrue()
        for name, value in self.partitions.items():
            if name not in names:
                raise ConfigError(f"{self.uri} has no column {name!r} (partitions)")
            term = IsNull(name) if value is None else EqualTo(name, value)
            expression = And(expression, term)
        return expression

    def _scan(self, columns: list[str] | None) -> Any:
        fields = tuple(columns) if columns is not None else ("*",)
        snapshot = self.snapshot
        if self.since is not None:
            return self.table.incremental_append_scan(
                from_snapshot_id_exclusive=self.since,
                to_snapshot_id_inclusive=snapshot.snapshot_id,
                row_filter=self._row_filter(),
                selected_fields=fields,
            )
        return self.table.scan(
            row_filter=self._row_filter(),
            selected_fields=fields,
            snapshot_id=snapshot.snapshot_id if snapshot is not None else None,
        )

    def schema(self) -> pa.Schema:
        from pyiceberg.io.pyarrow import schema_to_pyarrow

        return schema_to_pyarrow(self._scan(None).projection(), include_field_ids=False)

    def count_rows(self) -> int | None:
        return None  # delete files and row filters make metadata's counts an upper bound

    def batches(
        self,
        columns: list[str] | None = None,
        column_types: Mapping[str, pa.DataType] | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of the projected ``columns``, one data file at a time
        (with its delete files applied)."""
        names = list(self.schema().names) if columns is None else columns
        for read in self.pieces(names):
            yield from read(names).to_batches(batch_rows)

    def pieces(self, columns: list[str]) -> Iterator[Piece]:
        """Each data file (with its delete files applied), read by its columns."""
        require_columns(list(self.schema().names), columns, self.uri)
        return self._files()

    def _files(self) -> Iterator[Piece]:
        from pyiceberg.io.pyarrow import ArrowScan

        if self.snapshot is None or (self.since is not None and not self.appended):
            return
        scan = self._scan(None)

        def reader(task: Any) -> Piece:
            def read(columns: list[str]) -> pa.Table:
                projection = self._scan(columns).projection()
                arrow = ArrowScan(self.table.metadata, self.table.io, projection, scan.row_filter)
                with self._read_errors():
                    return arrow.to_table([task])

            return read

        with self._read_errors():
            tasks = list(scan.plan_files())
        for task in tasks:
            yield reader(task)

    @contextmanager
    def _read_errors(self) -> Iterator[None]:
        """Errors while planning or reading files as one SourceError naming the table."""
        try:
            yield
        except (OSError, ValueError, pa.ArrowInvalid) as exc:
            raise SourceError(f"cannot read Iceberg table {self.uri}: {exc}") from None

    def read_version(self) -> dict[str, Any]:
        """The snapshot read: ``{"format", "table", "snapshot"}``, with ``since``
        and the snapshots ``appended`` after it whose rows were counted, and the
        ``partitions``, when given."""
        snapshot = self.snapshot
        read: dict[str, Any] = {
            "format": "iceberg",
            "table": self.uri,
            "snapshot": snapshot.snapshot_id if snapshot is not None else None,
        }
        if self.since is not None:
            read |= {"since": self.since, "appended": self.appended}
        if self.partitions:
            read["partitions"] = {k: str(v) for k, v in self.partitions.items()}
        return read
