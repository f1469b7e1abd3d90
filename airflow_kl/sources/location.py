"""Where a file or folder lives, and the filesystem that reads it.

A location is a local path (or ``file://`` URI), an fsspec URL (``s3://``,
``gs://``, ``abfs://``, ``memory://``, ...; credentials come the library's
usual way, for S3 the ``AWS_*`` variables including ``AWS_ENDPOINT_URL``), or
an Airflow ``ObjectStoragePath`` (whose connection supplies them). Remote
files are read through fsspec wrapped as a pyarrow filesystem, so Parquet is
read with ranged requests, one row group and only the wanted columns at a time.

Errors name the location: a missing object or bucket and a refused
credential are :class:`SourceError` (bad input: retrying changes nothing); a
store that cannot be reached is :class:`StorageUnavailable` (worth a retry).

>>> loc = locate("memory://lake/part.csv")
>>> loc.name, loc.path
('memory://lake/part.csv', '/lake/part.csv')
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs

from ..core.errors import SourceError
from ..core.file_io import is_object_path, is_uri, remote_fs, storage_errors

HIDDEN = (".", "_")  # names that are not data: the same rule as Arrow's datasets
# Ranged reads of 16 MiB: few requests per row group on a high-latency store, and
# little memory (s3fs's default, 50 MiB read ahead, costs ~130 MiB more at peak).
READ_BLOCK = 16 << 20


def is_location(data: Any) -> bool:
    """A path, a URL string, or an ObjectStoragePath-like object (``fs``, ``path``)."""
    return isinstance(data, (str, os.PathLike)) or is_object_path(data)


@dataclass(frozen=True)
class Location:
    """A file or folder on a pyarrow filesystem; ``name`` is how the user wrote it."""

    fs: pafs.FileSystem
    path: str
    name: str
    remote: Any = None  # the fsspec filesystem behind ``fs``, for an object store

    def info(self) -> pafs.FileInfo:
        """What is at the path. On an object store, asked of fsspec itself: Arrow's
        handler reads every failure (no credentials, a host that does not answer)
        as "not found"."""
        with storage_errors(self.name):
            if self.remote is None:
                return self.fs.get_file_info(self.path)
            try:
                found = self.remote.info(self.path)
            except FileNotFoundError as exc:
                if exc.__cause__ is not None:  # why fsspec found nothing: raised as such
                    raise
                return pafs.FileInfo(self.path, pafs.FileType.NotFound)
        kind = pafs.FileType.Directory if found.get("type") == "directory" else pafs.FileType.File
        return pafs.FileInfo(self.path, kind, size=found.get("size"))

    def files(self) -> list[str]:
        """Every data file under a folder (hidden and ``_`` files left out), sorted."""
        with storage_errors(self.name):
            infos = self.fs.get_file_info(pafs.FileSelector(self.path, recursive=True))
        return sorted(
            i.path
            for i in infos
            if i.type == pafs.FileType.File and not i.base_name.startswith(HIDDEN)
        )

    def open(self, path: str | None = None) -> pa.NativeFile:
        """A random-access file; on an object store each read is a ranged request
        of at least ``READ_BLOCK`` bytes, read ahead and kept one block at a time."""
        with storage_errors(self.name):
            if self.remote is None:
                return self.fs.open_input_file(path or self.path)
            handle = self.remote.open(path or self.path, "rb", block_size=READ_BLOCK)
            return pa.PythonFile(handle, mode="r")

    def open_stream(self, path: str | None = None) -> Any:
        """A Python binary file read front to back: Arrow's CSV reader then reads
        one block at a time (on an Arrow stream it reads ahead, and its memory
        grows with the file)."""
        with storage_errors(self.name):
            if self.remote is None:
                return open(path or self.path, "rb")  # noqa: SIM115 - the caller closes it
            return self.remote.open(path or self.path, "rb", block_size=READ_BLOCK)


def locate(data: Any) -> Location:
    """The :class:`Location` of a path, URL or ObjectStoragePath."""
    if not is_location(data):
        raise SourceError(f"not a path or URL: {data!r}")
    if is_uri(data):
        fs, path = remote_fs(data)
        return Location(pafs.PyFileSystem(pafs.FSSpecHandler(fs)), path, str(data), fs)
    if is_object_path(data):  # a local ObjectStoragePath
        return _local(str(data.path))
    text = os.fspath(data)
    return _local(text[len("file://") :] if text.startswith("file://") else text)


def _local(text: str) -> Location:
    return Location(pafs.LocalFileSystem(), str(Path(text).absolute()), text)
