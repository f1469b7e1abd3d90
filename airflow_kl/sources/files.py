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
import os
import re
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ..core.binning import check_feature_names, require_columns
from ..core.errors import ConfigError, SourceError
from ..core.partitions import check_value_types, merge_found
from ..core.profile import FeatureProfile
from ..core.segments import SegmentProfile
from ..core.values import NULL, layout_of, unsupported
from .frame import count_frame
from .location import Location, is_location, locate, storage_errors
from .partitions import count_partitions
from .segments import count_segments, empty_groups, segment_rows

BATCH_ROWS = 131_072
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


def _folder_format(loc: Location) -> str:
    formats = {_format_of(name) for name in loc.files()}
    if not formats:
        raise SourceError(f"folder {loc.name!r} holds no data files")
    if len(formats) > 1 or "zip" in formats:
        raise SourceError(f"folder {loc.name!r} mixes file types {sorted(formats)}")
    return formats.pop()


def _csv_convert(column_types: Mapping[str, pa.DataType] | None) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types=dict(column_types or {}), strings_can_be_null=True)


def _dataset(loc: Location, fmt: str, column_types: Mapping[str, pa.DataType] | None) -> ds.Dataset:
    if fmt == "csv":
        file_format = ds.CsvFileFormat(
            convert_options=_csv_convert(column_types),
            read_options=pacsv.ReadOptions(block_size=CSV_BLOCK),
        )
    else:
        file_format = ds.ParquetFileFormat()
    try:
        return ds.dataset(loc.path, filesystem=loc.fs, format=file_format, partitioning="hive")
    except pa.ArrowTypeError as exc:  # a folder key that the files hold too, typed apart
        stored = ds.dataset(loc.path, filesystem=loc.fs, format=file_format, partitioning=None)
        name = _HIVE_CLASH.search(str(exc))
        if name is None or name[1] not in stored.schema.names:
            raise
        # the files' column is the truth (``month=02/`` repeats ``month`` = 2)
        keys = ds.partitioning(pa.schema([stored.schema.field(name[1])]), flavor="hive")
        return ds.dataset(loc.path, filesystem=loc.fs, format=file_format, partitioning=keys)


_HIVE_CLASH = re.compile(r"Unable to merge: Field (\S+) has incompatible types")


def _zip_member(zf: zipfile.ZipFile, name: str) -> str:
    members = [n for n in zf.namelist() if not n.endswith("/")]
    if len(members) != 1 or not members[0].lower().endswith(CSV_SUFFIXES):
        raise SourceError(f"{name!r} must hold exactly one CSV file, has {members}")
    return members[0]


def iter_batches(
    data: str | os.PathLike,
    columns: list[str] | None = None,
    column_types: Mapping[str, pa.DataType] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Record batches of the projected ``columns`` of a file or folder."""
    loc = locate(data)
    fmt = _location_format(loc)
    with _read_errors(loc):
        if fmt == "zip":
            with _zipped_csv(loc, column_types) as reader:
                for batch in reader:
                    yield batch.select(columns) if columns is not None else batch
            return
        dataset = _dataset(loc, fmt, column_types)
        if columns is not None:
            require_columns(list(dataset.schema.names), columns, loc.name)
        files = _stored_parquet_files(loc, dataset, fmt, columns)
        if files:
            yield from _parquet_row_groups(loc, files, columns, batch_rows)
        elif fmt == "csv" and _stored_columns(loc, dataset, columns):
            yield from _csv_blocks(loc, sorted(dataset.files), columns, column_types)
        else:  # hive partition columns: the dataset scanner, with little readahead
            yield from dataset.to_batches(
                columns=columns, batch_size=batch_rows, batch_readahead=1, fragment_readahead=1
            )


def _stored_columns(loc: Location, dataset: ds.Dataset, columns: list[str] | None) -> bool:
    """Whether every wanted column is in the files themselves (none is a hive key)."""
    if not dataset.files:
        return False
    physical = set(_csv_header(loc, dataset.files[0]))
    return set(columns if columns is not None else dataset.schema.names) <= physical


def _csv_header(loc: Location, name: str) -> list[str]:
    """The column names of a CSV file: its first line."""
    with loc.open_stream(name) as raw, _decompressed(raw, name) as stream:
        return _header_names(stream.readline())


def _header_names(line: bytes) -> list[str]:
    return pacsv.read_csv(io.BytesIO(line)).column_names if line.strip() else []


def _csv_blocks(
    loc: Location, files: list[str], columns: list[str] | None, column_types
) -> Iterator[pa.RecordBatch]:
    """CSV files parsed ``CSV_BLOCK`` bytes at a time (cut at a line end), so at
    most one block and its table are held, whatever the file's size. (Arrow's
    streaming reader reads ahead without bound: its peak grows with the file.)
    Like Arrow's reader, types not given are inferred from the first block and
    then kept, and a value may not span lines."""
    include = list(columns) if columns is not None else None
    types = dict(column_types or {})
    for name in files:
        with loc.open_stream(name) as raw, _decompressed(raw, name) as stream:
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


@contextmanager
def _read_errors(loc: Location) -> Iterator[None]:
    """Arrow, zip and OS errors while reading ``loc`` as one SourceError naming it
    (or StorageUnavailable when its store cannot be reached)."""
    try:
        with storage_errors(loc.name):
            yield
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, zipfile.BadZipFile) as exc:
        raise SourceError(f"cannot read {loc.name!r}: {exc}") from None


@contextmanager
def _zipped_csv(loc: Location, column_types) -> Iterator[pacsv.CSVStreamingReader]:
    with (
        loc.open() as raw,
        zipfile.ZipFile(raw) as zf,
        zf.open(_zip_member(zf, loc.name)) as handle,
    ):
        yield pacsv.open_csv(handle, convert_options=_csv_convert(column_types))


def _engine(fmt: str) -> str:
    return "Parquet" if fmt == "parquet" else "CSV"


def read_schema(data: str | os.PathLike) -> pa.Schema:
    """The Arrow schema of a file or folder: Parquet's stored one; for CSV the
    types Arrow infers from the first block (numbers are then read as float64)."""
    loc = locate(data)
    fmt = _location_format(loc)
    with _read_errors(loc):
        if fmt == "zip":
            with _zipped_csv(loc, None) as reader:
                return reader.schema
        return _dataset(loc, fmt, None).schema


def _location_format(loc: Location) -> str:
    """``parquet``, ``csv`` or ``zip`` for a file, or the one format of a folder's files."""
    kind = loc.info().type
    if kind == pafs.FileType.NotFound:
        raise SourceError(f"no such file or folder: {loc.name!r}")
    return _folder_format(loc) if kind == pafs.FileType.Directory else _format_of(loc.path)


def _stored_parquet_files(
    loc: Location, dataset: ds.Dataset, fmt: str, columns: list[str] | None
) -> list[str]:
    """The Parquet files to read directly, row group by row group: all of them when
    every wanted column is stored in the files (none is a hive folder key), else []."""
    if fmt != "parquet" or not dataset.files:
        return []
    physical = set(pq.read_schema(dataset.files[0], filesystem=loc.fs).names)
    wanted = set(columns if columns is not None else dataset.schema.names)
    return sorted(dataset.files) if wanted <= physical else []


def _open_parquet(loc: Location, name: str) -> pq.ParquetFile:
    """A Parquet file read through a 1 MiB buffered stream, without pre-buffering
    whole column chunks: memory follows what is decoded, not the file's size (on
    an object store, each read is a ranged request)."""
    return pq.ParquetFile(loc.open(name), buffer_size=1 << 20, pre_buffer=False)


def _parquet_row_groups(
    loc: Location, files: list[str], columns: list[str] | None, batch_rows: int
) -> Iterator[pa.RecordBatch]:
    """One row group at a time through a 1 MiB buffered stream: peak memory is about
    one decoded row group of the projected columns, whatever the file's size
    (the dataset scanner's read-ahead holds several)."""
    for name in files:
        parquet = _open_parquet(loc, name)
        for group in range(parquet.num_row_groups):
            yield from parquet.iter_batches(
                batch_size=batch_rows, columns=columns, row_groups=[group]
            )


def read_table(data: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """The projected columns of a file or folder as one Arrow table."""
    batches = list(iter_batches(data, columns))
    if not batches:
        raise SourceError(f"{locate(data).name!r} has no rows")
    return pa.Table.from_batches(batches)


def csv_read_types(value_types: Mapping[str, str]) -> dict[str, pa.DataType]:
    """The Arrow types CSV columns are read as, from their value types: the same
    for the profile and every check, so a CSV compared with itself cannot differ.
    Numbers are read as float64 (the type they are compared in, whatever the
    first block looked like), booleans as bool (``true``/``True``/``1`` ...),
    strings as strings; dates and timestamps keep Arrow's reading of them."""
    read_as = {"number": pa.float64(), "boolean": pa.bool_(), "string": pa.string()}
    return {name: read_as[v] for name, v in value_types.items() if v in read_as}


Progress = Callable[[int], None]


def count_rows(data: str | os.PathLike) -> int | None:
    """Rows of a Parquet file or folder from its metadata (None for CSV: unknown cheaply)."""
    loc = locate(data)
    fmt = _location_format(loc)
    with _read_errors(loc):
        return _dataset(loc, fmt, None).count_rows() if fmt == "parquet" else None


def count_files(
    data: str | os.PathLike,
    features: Mapping[str, FeatureProfile],
    progress: Progress | None = None,
) -> dict[str, np.ndarray]:
    """Sum of per-batch counts; peak memory is one batch of the profiled columns
    (for Parquet, one column chunk of one row group). ``progress`` is called
    with the rows of each batch or row group read."""
    totals = {name: np.zeros(len(fp.counts), dtype=np.int64) for name, fp in features.items()}
    for part in _count_parts(data, features):
        for name, counts in part.items():
            if name != ROWS_KEY:
                totals[name] += counts
        if progress is not None:
            progress(int(part[ROWS_KEY]))
    return totals


ROWS_KEY = "\0rows"


def segment_rows_files(data: str | os.PathLike, by: Sequence[str]):
    """``({key: rows}, value types)`` of the segment columns, batch by batch (a
    column's type is the first one a batch shows that is not all null)."""
    rows: Counter = Counter()
    found = [NULL] * len(by)
    engine = _engine(_location_format(locate(data)))
    for batch in iter_batches(data, list(by)):
        part, values = segment_rows(batch, by, engine)
        rows.update(part)
        found = [v if f == NULL else f for f, v in zip(found, values, strict=True)]
    return dict(rows), tuple(found)


def count_files_segments(
    data: str | os.PathLike,
    features: Mapping[str, FeatureProfile],
    segments: SegmentProfile,
    progress: Progress | None = None,
) -> list[dict[str, np.ndarray]]:
    """Per segment, the sum of per-batch counts (one batch of the features and
    segment columns in memory at a time)."""
    types = csv_read_types(
        {
            **{n: fp.value for n, fp in features.items()},
            **dict(zip(segments.by, segments.values, strict=True)),
        }
    )
    engine = _engine(_location_format(locate(data)))
    totals = empty_groups(features, len(segments.counts))
    columns = list(dict.fromkeys([*features, *segments.by]))
    for batch in iter_batches(data, columns, types):
        part = count_segments(batch, features, segments.by, segments.keys, segments.values, engine)
        for total, counted in zip(totals, part, strict=True):
            for name in total:
                total[name] += counted[name]
        if progress is not None:
            progress(len(batch))
    return totals


def count_files_partitions(
    data: str | os.PathLike,
    features: Mapping[str, FeatureProfile],
    partition_by: str,
    segments: SegmentProfile | None = None,
    every: str | None = None,
    progress: Progress | None = None,
) -> tuple[str, dict]:
    """``(value type, {raw partition value: groups})``, the sum of per-batch
    counts (a hive folder key such as ``month=01/`` is a column like any)."""
    by = dict(zip(segments.by, segments.values, strict=True)) if segments else {}
    types = csv_read_types({**{n: fp.value for n, fp in features.items()}, **by})
    engine = _engine(_location_format(locate(data)))
    found: dict = {}
    values = []
    for batch in iter_batches(data, list(dict.fromkeys([*features, *by, partition_by])), types):
        value, part = count_partitions(batch, features, partition_by, segments, every, engine)
        values.append(value)
        merge_found(found, part)
        if progress is not None:
            progress(len(batch))
    return check_value_types(values, partition_by, engine), found


def _count_parts(data, features: Mapping[str, FeatureProfile]) -> Iterator[dict[str, Any]]:
    loc = locate(data)
    fmt = _location_format(loc)
    files: list[str] = []
    if fmt == "parquet":
        with _read_errors(loc):
            dataset = _dataset(loc, fmt, None)
            require_columns(list(dataset.schema.names), list(features), loc.name)
            files = _stored_parquet_files(loc, dataset, fmt, list(features))
    if files:
        yield from _count_parquet_columns(loc, files, features)
        return
    types = csv_read_types({name: fp.value for name, fp in features.items()})
    for batch in iter_batches(data, list(features), types):
        yield {**count_frame(batch, features, _engine(fmt)), ROWS_KEY: len(batch)}


def _count_parquet_columns(loc: Location, files: list[str], features: Mapping[str, FeatureProfile]):
    """Row group by row group, column by column: one decoded column chunk at a time."""
    for name in files:
        try:
            parquet = _open_parquet(loc, name)
            require_columns(parquet.schema_arrow.names, list(features), name)
            for group in range(parquet.num_row_groups):
                part: dict[str, Any] = {ROWS_KEY: parquet.metadata.row_group(group).num_rows}
                for feature, fp in features.items():
                    chunk = parquet.read_row_group(group, columns=[feature], use_threads=False)
                    part.update(count_frame(chunk, {feature: fp}, "Parquet"))
                yield part
        except (pa.ArrowInvalid, OSError) as exc:
            raise SourceError(f"cannot read {_shown(loc, name)!r}: {exc}") from None


SAMPLE_ROWS = 2_000_000


@dataclass
class _Tally:
    """Pass-1 state of one feature: exact value counts (categorical) or a sample
    of values (numeric), and the Arrow type it was read as."""

    value: str
    source_type: str
    counts: Counter = field(default_factory=Counter)
    missing: int = 0
    sample: list[pa.Array] = field(default_factory=list)


def _profiled_types(data, schema: pa.Schema, features: list[str] | None, engine: str):
    """``{feature: value type}`` from the schema; a named feature of an unsupported
    type is refused, unnamed ones are left out."""
    from .frame import arrow_value_type
    from .profiling import default_features

    names = list(schema.names)
    if check_feature_names(features) is not None:
        require_columns(names, list(features), "reference")
    found = {}
    for name in features if features is not None else names:
        value = arrow_value_type(schema.field(name).type)
        if value is None and features is not None:
            raise unsupported(name, str(schema.field(name).type), engine)
        found[name] = value or unsupported(name, str(schema.field(name).type), engine)
    chosen = list(features) if features is not None else default_features(found)
    return {name: found[name] for name in chosen}


def profile_files(
    data: str | os.PathLike,
    features: list[str] | None,
    bins: int = 10,
    top_k: int = 20,
    binning: str = "quantile",
    edges: Mapping[str, list[float]] | None = None,
    sample_rows: int | None = None,
    seed: int = 0,
) -> tuple[dict[str, FeatureProfile], dict[str, Any]]:
    """Profile a file or folder in two streamed passes, in bounded memory.

    Kinds come from the schema (Parquet's, or for CSV Arrow's reading of its
    first block, recorded so every check reads the file the same way).
    Pass 1 keeps a uniform random sample of at most about ``sample_rows`` rows
    (``SAMPLE_ROWS`` when not given) of each numeric column (every row when the
    data has fewer: then the edges are exactly the in-memory ones) and exact
    value counts of categorical columns. Edges are quantiles of that sample:
    with ``m`` sampled values the rank of an estimated q-quantile has a
    standard error of ``sqrt(q (1 - q) / m)``, at most 0.035 percentage points for
    ``m = 2,000,000``. Pass 2 counts every row exactly into those edges, so the
    profile's counts are exact whatever the sample. A CSV's row count is not
    known beforehand: its sample is thinned as it grows (see
    :func:`_first_pass`), so memory stays bounded at any size. Returns the
    features and a note on how the edges were made (stored in the profile's
    settings).
    """
    engine = _engine(_location_format(locate(data)))
    value_types = _profiled_types(data, read_schema(data), features, engine)
    explicit = dict(edges or {})
    unknown = sorted(set(explicit) - set(value_types))
    if unknown:
        raise ConfigError(f"edges given for {unknown[0]!r}, which is not a profiled feature")
    sample_rows = SAMPLE_ROWS if sample_rows is None else sample_rows
    total = count_rows(data)
    rate = 1.0 if total is None or total <= sample_rows else sample_rows / total
    tallies, rows, rate = _first_pass(
        data, value_types, rate, np.random.default_rng(seed), sample_rows
    )
    if rows == 0:
        raise SourceError(
            f"reference {locate(data).name!r} has no rows; a profile needs at least one"
        )
    result = {
        name: _feature_from_tally(name, tally, bins, top_k, binning, explicit.get(name), engine)
        for name, tally in tallies.items()
    }
    if rate < 1.0:  # edges came from a sample: count every row exactly
        numeric = {n: f for n, f in result.items() if f.kind == "numeric"}
        exact = count_files(data, numeric)
        for name, fp in numeric.items():
            result[name] = fp.with_counts(exact[name])
    note = {
        "rows": rows,
        "edges_from": "all rows"
        if rate >= 1.0
        else f"uniform sample of about {sample_rows} rows (seed {seed})",
    }
    return result, note


def _first_pass(
    data, value_types: Mapping[str, str], rate: float, rng, sample_rows: int
) -> tuple[dict, int, float]:
    """Exact value counts of categorical features and a uniform sample of numeric
    ones; returns the tallies, the rows read and the final sampling rate.

    Each row is kept with probability ``rate``. When the row count is unknown
    (CSV) and the sample outgrows ``2 * sample_rows``, every kept row is kept
    again with probability 1/2 and ``rate`` halves, so each row's chance stays
    the same (``rate``) and the sample stays between ``sample_rows`` and twice
    that, whatever the file's size.
    """
    from .frame import value_counts

    tallies: dict[str, _Tally] = {}
    rows = sampled = 0
    for batch in iter_batches(data, list(value_types), csv_read_types(value_types)):
        rows += len(batch)
        keep = None if rate >= 1.0 else pa.array(rng.random(len(batch)) < rate)
        sampled += len(batch) if keep is None else keep.true_count
        for name, value in value_types.items():
            col = batch.column(name)
            tally = tallies.setdefault(name, _Tally(value, str(col.type)))
            if layout_of(value) == "categorical":
                vc, missing = value_counts(col)
                tally.counts.update(vc)
                tally.missing += missing
            else:
                tally.sample.append(col if keep is None else col.filter(keep))
        while sampled > 2 * sample_rows:
            half = pa.array(rng.random(sampled) < 0.5)
            for tally in tallies.values():
                if tally.sample:
                    whole = pa.chunked_array(tally.sample, type=tally.sample[0].type)
                    tally.sample = [whole.combine_chunks().filter(half)]
            sampled, rate = half.true_count, rate / 2
    return tallies, rows, rate


def _feature_from_tally(name, tally: _Tally, bins, top_k, binning, edges, engine):
    from .frame import profile_column
    from .profiling import categorical_profile

    if not tally.sample:
        return categorical_profile(
            name, dict(tally.counts), tally.missing, top_k, tally.source_type, tally.value
        )
    column = pa.chunked_array(tally.sample, type=tally.sample[0].type)
    tally.sample = []  # free the sample before the next column
    return profile_column(name, column, bins, top_k, binning, edges, engine)


def _shown(loc: Location, name: str) -> str:
    """A file of ``loc`` as the user would write it (a URL keeps its scheme)."""
    if loc.name == loc.path or "://" not in loc.name:
        return name
    return loc.name.split("://", 1)[0] + "://" + name
