"""Delta Lake tables, read through delta-rs (``deltalake``, the ``delta`` extra).

A Delta table is Parquet files plus a log of commits (``_delta_log/``). Read as
a plain folder it would count files that later commits removed; read here,
only the files of the chosen version are counted: the latest, a version
number, or the version current at a time (``as_of``). Only the projected
columns are read, batch by batch, and ``partitions`` (equalities on
partition columns) prune whole files before any is opened.

``since=N`` reads only the rows that the commits after version ``N`` added,
each file as its commit wrote it: a compaction (files removed and added with
``dataChange: false``) adds no rows and is skipped, and a commit that deleted
or rewrote rows is named and refused, because the rows appended after ``N``
can no longer be told apart from the others.

Tables whose protocol has deletion vectors are refused with the reader's
reason (delta-rs does not apply them), so a deleted row is never counted.

>>> import pyarrow as pa, tempfile, deltalake
>>> path = tempfile.mkdtemp()
>>> deltalake.write_deltalake(path, pa.table({"x": [1.0, 2.0]}))
>>> deltalake.write_deltalake(path, pa.table({"x": [3.0]}), mode="append")
>>> source = DeltaSource(path, since=0)
>>> source.count_rows(), source.read_version()["appended"]
(1, [1])
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import cached_property
from typing import Any
from urllib.parse import unquote

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from ..core.binning import require_columns
from ..core.errors import ConfigError, SourceError
from .arrow_batches import BATCH_ROWS, ArrowBatchSource, Piece, parquet_pieces
from .table_versions import check_version_choice, partition_filter

SCHEMES = ("delta",)


def delta_uri(text: str) -> str:
    """The table's own URI from a ``delta://`` one: ``delta:///data/t`` is the local
    folder ``/data/t``, ``delta+s3://bucket/t`` the table at ``s3://bucket/t``.

    >>> delta_uri("delta:///data/t"), delta_uri("delta+s3://b/t"), delta_uri("s3://b/t")
    ('/data/t', 's3://b/t', 's3://b/t')
    """
    text = str(text)
    if text.startswith("delta+"):
        return text[len("delta+") :]
    if text.startswith("delta://"):
        return text[len("delta://") :]
    return text


def default_storage_options(uri: str) -> dict[str, str]:
    """delta-rs's storage options for ``uri``: on S3, the endpoint of
    ``AWS_ENDPOINT_URL`` (plain HTTP allowed when it says ``http://``); delta-rs
    reads the standard AWS variables for the rest."""
    if not uri.startswith(("s3://", "s3a://")):
        return {}
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    options: dict[str, str] = {}
    if endpoint:
        options["AWS_ENDPOINT_URL"] = endpoint
        if endpoint.startswith("http://"):
            options["AWS_ALLOW_HTTP"] = "true"
    return options


class DeltaSource(ArrowBatchSource):
    """A Delta Lake table: its folder (local or object storage) or a ``delta://``
    URI; what :func:`airflow_kl.delta` returns, whose parameters it takes."""

    engine = "Delta"

    def __init__(
        self,
        table: Any,
        *,
        version: int | None = None,
        as_of: datetime | str | None = None,
        since: int | None = None,
        partitions: Mapping[str, Any] | None = None,
        storage_options: Mapping[str, str] | None = None,
    ) -> None:
        self.uri = delta_uri(str(table))
        self.version, self.as_of, self.since = check_version_choice(
            version, as_of, since, "version"
        )
        self.partitions = dict(partitions or {})
        self.options = (
            dict(storage_options)
            if storage_options is not None
            else default_storage_options(self.uri)
        )

    def __str__(self) -> str:
        return self.uri

    @cached_property
    def table(self) -> Any:
        """The ``deltalake.DeltaTable`` at the chosen version."""
        from deltalake import DeltaTable
        from deltalake.exceptions import DeltaError, TableNotFoundError

        try:
            table = DeltaTable(self.uri, version=self.version, storage_options=self.options)
            if self.as_of is not None:
                table.load_as_version(self.as_of)
        except TableNotFoundError:
            raise SourceError(f"no Delta table at {self.uri!r} (no _delta_log)") from None
        except (DeltaError, OSError, ValueError) as exc:
            raise SourceError(f"cannot open Delta table {self.uri!r}: {exc}") from None
        if self.as_of is not None and table.version() == 0:
            # before the first commit delta-rs loads version 0: its commit's time says so
            info = next((a["commitInfo"] for a in self._commit(0) if "commitInfo" in a), {})
            if info.get("timestamp", 0) / 1000 > self.as_of.timestamp():
                raise ConfigError(
                    f"{self.uri!r} has no version as of {self.as_of.isoformat()}: its first "
                    f"commit is later"
                )
        if self.since is not None and self.since > table.version():
            raise ConfigError(
                f"since={self.since} is after version {table.version()} of {self.uri!r}"
            )
        return table

    @cached_property
    def _whole(self) -> ds.Dataset:
        from deltalake.exceptions import DeltaError

        try:  # a local table is read through Arrow's own file system, not Python calls
            return self.table.to_pyarrow_dataset(filesystem=_local_filesystem(self.uri))
        except DeltaError as exc:  # e.g. deletion vectors, which this reader does not apply
            raise SourceError(f"cannot read Delta table {self.uri!r}: {exc}") from None

    @cached_property
    def dataset(self) -> ds.Dataset:
        """The table's files at the version, or those committed after ``since``."""
        if self.since is None:
            return self._whole
        fs, fmt = self._whole.filesystem, ds.ParquetFileFormat()
        fragments = [
            fmt.make_fragment(path, filesystem=fs, partition_expression=expression)
            for _, path, expression in self._added
        ]
        return ds.FileSystemDataset(fragments, self._whole.schema, fmt, fs)

    @property
    def appended(self) -> list[int]:
        """The versions after ``since`` whose commits added rows (oldest first)."""
        return sorted({version for version, _, _ in self._added})

    @cached_property
    def _log(self) -> Any:
        """The table's folder as an Arrow filesystem, through delta-rs's own storage."""
        import pyarrow.fs as pafs
        from deltalake.fs import DeltaStorageHandler

        return pafs.PyFileSystem(DeltaStorageHandler(self.uri, self.options))

    def _commit(self, version: int) -> list[dict]:
        """The actions of one commit, from its JSON file in ``_delta_log``."""
        name = f"_delta_log/{version:020d}.json"
        try:
            with self._log.open_input_stream(name) as stream:
                return [json.loads(line) for line in stream.read().splitlines() if line.strip()]
        except (OSError, FileNotFoundError):
            raise SourceError(
                f"commit {version} of {self.uri!r} is no longer in its log; "
                "check since a later version, or the whole table"
            ) from None

    @cached_property
    def _added(self) -> list[tuple[int, str, ds.Expression]]:
        """``(version, path, partition values)`` of each file that a commit after
        ``since`` added with new rows; a commit that removed rows is refused."""
        schema, added = self._whole.schema, []
        for version in range(self.since + 1, self.table.version() + 1):  # type: ignore[operator]
            actions = self._commit(version)
            operation = next(
                (a["commitInfo"].get("operation", "?") for a in actions if "commitInfo" in a), "?"
            )
            removed = [a["remove"] for a in actions if a.get("remove", {}).get("dataChange")]
            if removed:
                raise SourceError(
                    f"commit {version} of {self.uri!r} ({operation}) deleted or rewrote rows "
                    f"({len(removed)} files removed): the rows appended since version "
                    f"{self.since} cannot be told apart; check the whole table instead"
                )
            for action in actions:
                add = action.get("add")
                if not add or not add.get("dataChange", True):
                    continue  # a compaction's files hold rows already counted
                if add.get("deletionVector"):
                    raise SourceError(
                        f"commit {version} of {self.uri!r} added a file with a deletion "
                        "vector, which this reader does not apply"
                    )
                added.append((version, unquote(add["path"]), _partition_expression(add, schema)))
        return added

    def schema(self) -> pa.Schema:
        return self.dataset.schema

    def count_rows(self) -> int | None:
        return self.dataset.count_rows(filter=self._filter())

    def _filter(self) -> ds.Expression | None:
        if not self.partitions:
            return None
        schema = self.dataset.schema
        columns = self.table.metadata().partition_columns
        return partition_filter(self.partitions, {c: schema.field(c).type for c in columns}, self)

    def batches(
        self,
        columns: list[str] | None = None,
        column_types: Mapping[str, pa.DataType] | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of the projected ``columns``, a file at a time."""
        dataset = self.dataset
        if columns is not None:
            require_columns(list(dataset.schema.names), columns, self.uri)
        try:
            yield from dataset.to_batches(
                columns=columns,
                filter=self._filter(),
                batch_size=batch_rows,
                batch_readahead=1,
                fragment_readahead=1,
            )
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(f"cannot read Delta table {self.uri!r}: {exc}") from None

    def pieces(self, columns: list[str]) -> Iterator[Piece]:
        """Each row group of each file, read by its columns as files' are: a
        partition column from the file's partition values, a column the file
        does not store by name (added later, or mapped) through Arrow's dataset."""
        dataset = self.dataset
        require_columns(list(dataset.schema.names), columns, self.uri)
        return self._row_groups(dataset)

    def _row_groups(self, dataset: ds.Dataset) -> Iterator[Piece]:
        fs = dataset.filesystem
        for fragment in dataset.get_fragments(filter=self._filter()):
            shown = f"{self.uri}/{fragment.path}"
            try:
                parquet = pq.ParquetFile(
                    fs.open_input_file(fragment.path), buffer_size=1 << 20, pre_buffer=False
                )
            except (pa.ArrowInvalid, OSError) as exc:
                raise SourceError(f"cannot read {shown!r}: {exc}") from None
            groups = fragment.split_by_row_group()

            def other(group: int, columns: list[str], groups=groups) -> pa.Table:
                return groups[group].to_table(columns=columns, schema=dataset.schema)

            keys = ds.get_partition_keys(fragment.partition_expression)
            yield from parquet_pieces(parquet, shown, dataset.schema, keys, other)

    def read_version(self) -> dict[str, Any]:
        """The version read: ``{"format", "table", "version"}``, with ``since`` and
        the versions ``appended`` after it whose rows were counted, and the
        ``partitions``, when given."""
        read: dict[str, Any] = {"format": "delta", "table": self.uri}
        read["version"] = self.table.version()
        if self.since is not None:
            read |= {"since": self.since, "appended": self.appended}
        if self.partitions:
            read["partitions"] = {k: str(v) for k, v in self.partitions.items()}
        return read


def _local_filesystem(uri: str) -> Any:
    """Arrow's local file system rooted at the table's folder, or None (delta-rs's
    own storage) for a table in object storage."""
    import pyarrow.fs as pafs

    if "://" in uri and not uri.startswith("file://"):
        return None
    root = os.path.abspath(uri.removeprefix("file://"))
    return pafs.SubTreeFileSystem(root, pafs.LocalFileSystem())


def _partition_expression(add: Mapping[str, Any], schema: pa.Schema) -> ds.Expression:
    """The equalities a file's partition values say, typed as the table's columns
    (they are text in the log; null is ``is_null``)."""
    expression = ds.scalar(True)
    for name, text in (add.get("partitionValues") or {}).items():
        field = ds.field(name)
        if text is None:
            expression = expression & field.is_null()
        else:
            value = pa.array([text]).cast(schema.field(name).type)[0]
            expression = expression & (field == value)
    return expression
