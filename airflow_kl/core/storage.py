"""Atomic text writes and reads for local paths and fsspec-style URIs.

A local write goes to a temporary file in the same directory, is fsynced and
then ``os.replace``-d over the target, so a reader sees the old file or the new
one, never half of either. Object stores (``s3://``, ``gs://``, Airflow's
``ObjectStoragePath``) make a single PUT visible atomically, so there the
text is written in one call.

>>> import tempfile, pathlib
>>> target = pathlib.Path(tempfile.mkdtemp()) / "a.json"
>>> atomic_write_text(target, '{"x": 1}')
>>> read_text(target)
'{"x": 1}'
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from .errors import ConfigError, SourceError


def is_uri(path: Any) -> bool:
    """True for ``scheme://`` strings (but not ``file://``) and ObjectStoragePath objects."""
    if isinstance(path, str):
        return "://" in path and not path.startswith("file://")
    return not isinstance(path, os.PathLike) and hasattr(path, "open")


def _local(path: Any) -> Path:
    text = os.fspath(path)
    return Path(text[len("file://") :] if text.startswith("file://") else text)


def atomic_write_text(path: Any, text: str) -> None:
    """Write ``text`` to ``path`` so that the old content survives any crash."""
    if is_uri(path):
        with _open_uri(path, "w") as handle:
            handle.write(text)
        return
    target = _local(path)
    directory = target.parent
    if not directory.is_dir():
        raise SourceError(
            f"cannot write {str(target)!r}: directory {str(directory)!r} does not exist"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.fchmod(fd, _mode_for(target))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def within(base: Any, path: Any) -> str:
    """``path`` resolved (symlinks and ``..`` followed), if it stays inside ``base``.

    >>> within("/data", "/data/reports/a.json")
    '/data/reports/a.json'
    >>> within("/data", "/data/../etc/passwd")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: path '/data/../etc/passwd' escapes base directory '/data'
    """
    if is_uri(path):
        raise ConfigError(f"path {path!r} is a URI; with a base directory only local paths work")
    root = Path(os.fspath(base)).resolve()
    resolved = (root / os.fspath(path)).resolve()
    if not resolved.is_relative_to(root):
        raise ConfigError(f"path {os.fspath(path)!r} escapes base directory {os.fspath(base)!r}")
    return str(resolved)


def _mode_for(target: Path) -> int:
    """Keep an existing file's mode; a new file gets 0o666 less the umask, like open()."""
    try:
        return target.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def read_text(path: Any) -> str:
    """Read a whole text file from a local path or a URI."""
    if is_uri(path):
        with _open_uri(path, "r") as handle:
            return handle.read()
    target = _local(path)
    try:
        return target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SourceError(f"file not found: {str(target)!r}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{str(target)!r} is not UTF-8 text: {exc}") from None
    except IsADirectoryError:
        raise SourceError(f"{str(target)!r} is a directory, expected a file") from None


def _open_uri(path: Any, mode: str):
    if not isinstance(path, str):  # ObjectStoragePath and friends
        return path.open(mode)
    try:
        import fsspec
    except ImportError as exc:  # pragma: no cover - fsspec ships with Airflow
        raise SourceError(f"reading {path!r} needs fsspec: pip install fsspec") from exc
    return fsspec.open(path, mode, encoding="utf-8")
