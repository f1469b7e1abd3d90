"""Parquet and CSV files or folders, read in record batches with pyarrow.

Only the profiled columns are read (projection), and counts are added batch
by batch, so checking a partition holds one batch in memory at a time.
Accepted: ``.parquet``/``.pq`` files, ``.csv`` (also ``.csv.gz``, ``.csv.bz2``,
``.zip`` holding one CSV), and folders of either (hive folders such as
``month=7/`` become columns).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from ..core.errors import SourceError
from ..core.profile import FeatureProfile
from .frame import count_frame, require_columns

BATCH_ROWS = 131_072
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".tsv", ".txt")
PARQUET_SUFFIXES = (".parquet", ".pq")


def is_path(data: Any) -> bool:
    return isinstance(data, (str, os.PathLike))


def _format_of(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(".zip"):
        return "zip"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise SourceError(
        f"unsupported file type {path.name!r}: expected .parquet, .csv[.gz|.bz2], .zip or a folder"
    )


def _folder_format(path: Path) -> str:
    files = [p for p in path.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    formats = {_format_of(p) for p in files}
    if not formats:
        raise SourceError(f"folder {str(path)!r} holds no data files")
    if len(formats) > 1 or "zip" in formats:
        raise SourceError(f"folder {str(path)!r} mixes file types {sorted(formats)}")
    return formats.pop()


def _csv_convert(column_types: Mapping[str, pa.DataType] | None) -> pacsv.ConvertOptions:
    return pacsv.ConvertOptions(column_types=dict(column_types or {}), strings_can_be_null=True)


def _dataset(path: Path, fmt: str, column_types: Mapping[str, pa.DataType] | None) -> ds.Dataset:
    if fmt == "csv":
        file_format = ds.CsvFileFormat(
            convert_options=_csv_convert(column_types),
            read_options=pacsv.ReadOptions(block_size=16 << 20),
        )
    else:
        file_format = ds.ParquetFileFormat()
    return ds.dataset(str(path), format=file_format, partitioning="hive")


def _zip_member(path: Path) -> tuple[zipfile.ZipFile, str]:
    zf = zipfile.ZipFile(path)
    members = [n for n in zf.namelist() if not n.endswith("/")]
    if len(members) != 1 or not members[0].lower().endswith(CSV_SUFFIXES):
        zf.close()
        raise SourceError(f"{str(path)!r} must hold exactly one CSV file, has {members}")
    return zf, members[0]


def iter_batches(
    data: str | os.PathLike,
    columns: list[str] | None = None,
    column_types: Mapping[str, pa.DataType] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> Iterator[pa.RecordBatch]:
    """Record batches of the projected ``columns`` of a file or folder."""
    path = Path(data)
    if not path.exists():
        raise SourceError(f"no such file or folder: {str(path)!r}")
    fmt = _folder_format(path) if path.is_dir() else _format_of(path)
    try:
        if fmt == "zip":
            zf, member = _zip_member(path)
            with zf, zf.open(member) as handle:
                reader = pacsv.open_csv(handle, convert_options=_csv_convert(column_types))
                for batch in reader:
                    yield batch.select(columns) if columns is not None else batch
            return
        dataset = _dataset(path, fmt, column_types)
        if columns is not None:
            require_columns(list(dataset.schema.names), columns, str(path))
        yield from dataset.to_batches(columns=columns, batch_size=batch_rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, zipfile.BadZipFile) as exc:
        raise SourceError(f"cannot read {str(path)!r}: {exc}") from None


def read_table(data: str | os.PathLike, columns: list[str] | None = None) -> pa.Table:
    """The projected columns of a file or folder as one Arrow table."""
    batches = list(iter_batches(data, columns))
    if not batches:
        raise SourceError(f"{os.fspath(data)!r} has no rows")
    return pa.Table.from_batches(batches)


def _csv_types(features: Mapping[str, FeatureProfile]) -> dict[str, pa.DataType]:
    """Read numeric features as float64 and categorical ones as strings, so a
    CSV's type inference on its first block cannot disagree with the profile."""
    return {
        name: (pa.float64() if fp.kind == "numeric" else pa.string())
        for name, fp in features.items()
        if not fp.datetime
    }


def count_files(
    data: str | os.PathLike, features: Mapping[str, FeatureProfile]
) -> dict[str, np.ndarray]:
    """Sum of per-batch counts; peak memory is one batch of the profiled columns."""
    totals = {name: np.zeros(len(fp.counts), dtype=np.int64) for name, fp in features.items()}
    for batch in iter_batches(data, list(features), _csv_types(features)):
        for name, counts in count_frame(batch, features).items():
            totals[name] += counts
    return totals
