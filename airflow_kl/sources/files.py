"""Parquet and CSV files or folders, read in record batches with pyarrow.

Only the profiled columns are read (projection), and counts are added batch
by batch, so checking a partition holds one batch in memory at a time.
Accepted: ``.parquet``/``.pq`` files, ``.csv`` (also ``.csv.gz``, ``.csv.bz2``,
``.zip`` holding one CSV), and folders of either (hive folders such as
``month=7/`` become columns), on the local disk or in object storage (see
:mod:`.location`).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ..core.binning import require_columns
from ..core.errors import SourceError
from .arrow_batches import BATCH_ROWS, ArrowBatchSource, Piece, parquet_pieces
from .location import Location, is_location, locate, storage_errors

CSV_BLOCK = 16 << 20
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


def is_path(data: Any) -> bool:
    """A file or folder: a local path, an fsspec URL or an ObjectStoragePath."""
    return is_location(data)


def _format_of(path: str) -> str:
    name = path.rstrip("/").rsplit("/", 1)[-1].lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise SourceError(
        f"unsupported file type {name!r}: expected .parquet, .csv[.gz|.bz2], .zip or a folder"
    )


def _csv_convert(column_types: Mapping[str, pa.DataType] | None) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types=dict(column_types or {}), strings_can_be_null=True)


def _file_format(fmt: str, column_types: Mapping[str, pa.DataType] | None) -> ds.FileFormat:
    if fmt == "csv":
        return ds.CsvFileFormat(
            convert_options=_csv_convert(column_types),
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK),
        )
    return ds.ParquetFileFormat()


_HIVE_CLASH = re.compile(r"Unable to merge: Field (\S+) has incompatible types")


def _zip_member(zf: zipfile.ZipFile, name: str) -> str:
    members = [n for n in zf.namelist() if not n.endswith("/")]
    if len(members) != 1 or not members[0].lower().endswith(CSV_SUFFIXES):
        raise SourceError(f"{name!r} must hold exactly one CSV file, has {members}")
    return members[0]


def _header_names(line: bytes) -> list[str]:
    return pacsv.read_csv(io.BytesIO(line)).column_names if line.strip() else []


def _decompressed(raw: Any, name: str) -> Any:
    """The file's text: ``.gz`` and ``.bz2`` files are decompressed as they are read."""
    import bz2
    import gzip

    lower = name.lower()
    if lower.endswith(".gz"):
        return gzip.open(raw, "rb")
    if lower.endswith(".bz2"):
        return bz2.open(raw, "rb")
    return contextlib.nullcontext(raw)


def _line_blocks(stream: Any) -> Iterator[bytes]:
    """Blocks of about ``CSV_BLOCK`` bytes, each ending at a line end."""
    rest = b""
    while True:
        data = stream.read(CSV_BLOCK)
        if not data:
            if rest.strip():
                yield rest
            return
        buffer = rest + data
        cut = buffer.rfind(b"\n") + 1
        if cut == 0:
            rest = buffer
            continue
        block, rest = buffer[:cut], buffer[cut:]
        yield block


class FileSource(ArrowBatchSource):
    """A Parquet or CSV file, or a folder of them, read in record batches.

    The location is found, its kind asked and a folder listed once, when first
    needed: every read after that (schema, row count, batches, both passes of a
    profile) reuses the same file list, so an object store answers one LIST.
    """

    def __init__(self, data: Any) -> None:
        self.location = locate(data)
        self._datasets: dict[tuple, ds.Dataset] = {}

    def __str__(self) -> str:
        return self.location.name

    @cached_property
    def _is_folder(self) -> bool:
        kind = self.location.info().type
        if kind == pafs.FileType.NotFound:
            raise SourceError(f"no such file or folder: {self.location.name!r}")
        return kind == pafs.FileType.Directory

    @cached_property
    def files(self) -> list[str]:
        """The data files: the file itself, or every file under the folder."""
        return self.location.files() if self._is_folder else [self.location.path]

    @cached_property
    def format(self) -> str:
        """``parquet``, ``csv`` or ``zip`` (a zipped CSV)."""
        if not self._is_folder:
            return _format_of(self.location.path)
        formats = {_format_of(name) for name in self.files}
        if not formats:
            raise SourceError(f"folder {self.location.name!r} holds no data files")
        if len(formats) > 1 or "zip" in formats:
            raise SourceError(f"folder {self.location.name!r} mixes file types {sorted(formats)}")
        return formats.pop()

    @property
    def engine(self) -> str:  # type: ignore[override]
        return "Parquet" if self.format == "parquet" else "CSV"

    def dataset(self, column_types: Mapping[str, pa.DataType] | None = None) -> ds.Dataset:
        """The files as an Arrow dataset (hive folders such as ``month=7/`` are
        columns), built from the one listing, once per set of CSV read types."""
        key = tuple(sorted((name, str(t)) for name, t in (column_types or {}).items()))
        if key not in self._datasets:
            self._datasets[key] = self._discover(column_types)
        return self._datasets[key]

    def _discover(self, column_types: Mapping[str, pa.DataType] | None) -> ds.Dataset:
        loc, file_format = self.location, _file_format(self.format, column_types)

        def of(partitioning: Any) -> ds.Dataset:
            if not self._is_folder:
                return ds.dataset(loc.path, filesystem=loc.fs, format=file_format)
            return ds.dataset(
                self.files,
                filesystem=loc.fs,
                format=file_format,
                partitioning=partitioning,
                partition_base_dir=loc.path,
            )

        try:
            return of("hive")
        except pa.ArrowTypeError as exc:  # a folder key that the files hold too, typed apart
            stored = of(None)
            name = _HIVE_CLASH.search(str(exc))
            if name is None or name[1] not in stored.schema.names:
                raise
            # the files' column is the truth (``month=02/`` repeats ``month`` = 2)
            return of(ds.partitioning(pa.schema([stored.schema.field(name[1])]), flavor="hive"))

    @contextmanager
    def _read_errors(self) -> Iterator[None]:
        """Arrow, zip and OS errors while reading as one SourceError naming the
        location (or StorageUnavailable when its store cannot be reached)."""
        try:
            with storage_errors(self.location.name):
                yield
        except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, zipfile.BadZipFile) as exc:
            raise SourceError(f"cannot read {self.location.name!r}: {exc}") from None

    @contextmanager
    def _zipped_csv(self, column_types) -> Iterator[pacsv.CSVStreamingReader]:
        loc = self.location
        with (
            loc.open() as raw,
            zipfile.ZipFile(raw) as zf,
            zf.open(_zip_member(zf, loc.name)) as handle,
        ):
            yield pacsv.open_csv(handle, convert_options=_csv_convert(column_types))

    def schema(self) -> pa.Schema:
        """Parquet's stored schema; for CSV the types Arrow infers from the first
        block (numbers are then read as float64)."""
        with self._read_errors():
            if self.format == "zip":
                with self._zipped_csv(None) as reader:
                    return reader.schema
            return self.dataset().schema

    def count_rows(self) -> int | None:
        """Rows from Parquet's metadata (None for CSV: unknown cheaply)."""
        with self._read_errors():
            return self.dataset().count_rows() if self.format == "parquet" else None

    def batches(
        self,
        columns: list[str] | None = None,
        column_types: Mapping[str, pa.DataType] | None = None,
        batch_rows: int = BATCH_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of the projected ``columns``."""
        loc = self.location
        with self._read_errors():
            if self.format == "zip":
                with self._zipped_csv(column_types) as reader:
                    for batch in reader:
                        yield batch.select(columns) if columns is not None else batch
                return
            dataset = self.dataset(column_types)
            if columns is not None:
                require_columns(list(dataset.schema.names), columns, loc.name)
            files = self._stored_parquet_files(dataset, columns)
            if files:
                yield from self._parquet_row_groups(files, columns, batch_rows)
            elif self.format == "csv" and self._stored_columns(dataset, columns):
                yield from self._csv_blocks(sorted(dataset.files), columns, column_types)
            else:  # hive partition columns: the dataset scanner, with little readahead
                yield from dataset.to_batches(
                    columns=columns, batch_size=batch_rows, batch_readahead=1, fragment_readahead=1
                )

    def _stored_columns(self, dataset: ds.Dataset, columns: list[str] | None) -> bool:
        """Whether every wanted column is in the files themselves (none is a hive key)."""
        if not dataset.files:
            return False
        physical = set(self._csv_header(dataset.files[0]))
        return set(columns if columns is not None else dataset.schema.names) <= physical

    def _csv_header(self, name: str) -> list[str]:
        """The column names of a CSV file: its first line."""
        with self.location.open_stream(name) as raw, _decompressed(raw, name) as stream:
            return _header_names(stream.readline())

    def _csv_blocks(
        self, files: list[str], columns: list[str] | None, column_types
    ) -> Iterator[pa.RecordBatch]:
        """CSV files parsed ``CSV_BLOCK`` bytes at a time (cut at a line end), so at
        most one block and its table are held, whatever the file's size. (Arrow's
        streaming reader reads ahead without bound: its peak grows with the file.)
        Like Arrow's reader, types not given are inferred from the first block and
        then kept, and a value may not span lines."""
        include = list(columns) if columns is not None else None
        types = dict(column_types or {})
        for name in files:
            with self.location.open_stream(name) as raw, _decompressed(raw, name) as stream:
                names = _header_names(stream.readline())
                read = pacsv.ReadOptions(column_names=names, use_threads=False)
                for block in _line_blocks(stream):
                    convert = pacsv.ConvertOptions(
                        column_types=types, strings_can_be_null=True, include_columns=include
                    )
                    table = pacsv.read_csv(
                        io.BytesIO(block), read_options=read, convert_options=convert
                    )
                    types = {field.name: field.type for field in table.schema}
                    yield from table.to_batches()
                    del table
                    # the C library's allocator (ARROW_DEFAULT_MEMORY_POOL=system, which
                    # the Snowflake connector sets) keeps what a block freed unless asked
                    pa.default_memory_pool().release_unused()

    def _stored_parquet_files(self, dataset: ds.Dataset, columns: list[str] | None) -> list[str]:
        """The Parquet files to read directly, row group by row group: all of them when
        every wanted column is stored in the files (none is a hive folder key), else []."""
        if self.format != "parquet" or not dataset.files:
            return []
        physical = set(pq.read_schema(dataset.files[0], filesystem=self.location.fs).names)
        wanted = set(columns if columns is not None else dataset.schema.names)
        return sorted(dataset.files) if wanted <= physical else []

    def _open_parquet(self, name: str) -> pq.ParquetFile:
        """A Parquet file read through a 1 MiB buffered stream, without pre-buffering
        whole column chunks: memory follows what is decoded, not the file's size (on
        an object store, each read is a ranged request)."""
        return pq.ParquetFile(self.location.open(name), buffer_size=1 << 20, pre_buffer=False)

    def _parquet_row_groups(
        self, files: list[str], columns: list[str] | None, batch_rows: int
    ) -> Iterator[pa.RecordBatch]:
        """One row group at a time through a 1 MiB buffered stream: peak memory is about
        one decoded row group of the projected columns, whatever the file's size
        (the dataset scanner's read-ahead holds several)."""
        for name in files:
            parquet = self._open_parquet(name)
            for group in range(parquet.num_row_groups):
                yield from parquet.iter_batches(
                    batch_size=batch_rows, columns=columns, row_groups=[group]
                )

    def pieces(self, columns: list[str]) -> Iterator[Piece] | None:
        """Parquet's row groups, each read by its columns through a 1 MiB buffered
        stream: an ungrouped count holds one decoded column chunk at a time. None
        for CSV, or when a hive folder key is among ``columns``."""
        if self.format != "parquet":
            return None
        with self._read_errors():
            dataset = self.dataset()
            require_columns(list(dataset.schema.names), columns, self.location.name)
            files = self._stored_parquet_files(dataset, columns)
        return self._parquet_pieces(files) if files else None

    def _parquet_pieces(self, files: list[str]) -> Iterator[Piece]:
        for name in files:
            shown = _shown(self.location, name)
            try:
                parquet = self._open_parquet(name)
            except (pa.ArrowInvalid, OSError) as exc:
                raise SourceError(f"cannot read {shown!r}: {exc}") from None
            yield from parquet_pieces(parquet, shown)


def iter_batches(
    data: Any,
    columns: list[str] | None = None,
    column_types: Mapping[str, pa.DataType] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Record batches of the projected ``columns`` of a file or folder."""
    return FileSource(data).batches(columns, column_types, batch_rows)


def read_schema(data: Any) -> pa.Schema:
    """The Arrow schema of a file or folder (:meth:`FileSource.schema`)."""
    return FileSource(data).schema()


def count_rows(data: Any) -> int | None:
    """Rows of a Parquet file or folder from its metadata (None for CSV)."""
    return FileSource(data).count_rows()


def read_table(data: Any, columns: list[str] | None = None) -> pa.Table:
    """The projected columns of a file or folder as one Arrow table."""
    source = data if isinstance(data, FileSource) else FileSource(data)
    batches = list(source.batches(columns))
    if not batches:
        raise SourceError(f"{source.location.name!r} has no rows")
    return pa.Table.from_batches(batches)


def _shown(loc: Location, name: str) -> str:
    """A file of ``loc`` as the user would write it (a URL keeps its scheme)."""
    if loc.name == loc.path or "://" not in loc.name:
        return name
    return loc.name.split("://", 1)[0] + "://" + name
