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
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from .errors import ConfigError, SourceError, StorageUnavailable


def is_uri(path: Any) -> bool:
    """True for ``scheme://`` strings (but not ``file://``) and object-storage
    path objects (Airflow's ``ObjectStoragePath``) that are not local."""
    if isinstance(path, str):
        return "://" in path and not path.startswith("file://")
    if is_object_path(path):
        return path.protocol not in ("", "file", "local")
    return False


def is_object_path(path: Any) -> bool:
    """An ObjectStoragePath (or any universal_pathlib path): ``fs``, ``path``, ``protocol``."""
    return all(hasattr(path, name) for name in ("fs", "path", "protocol"))


def local_path(path: Any) -> Path:
    """The local path of a path, ``file://`` URI or local ObjectStoragePath."""
    if is_object_path(path):  # a local ObjectStoragePath
        return Path(str(path.path))
    text = os.fspath(path)
    return Path(text[len("file://") :] if text.startswith("file://") else text)


def remote_fs(path: Any) -> tuple[Any, str]:
    """The fsspec filesystem and the path in it of a URL or ObjectStoragePath."""
    if not isinstance(path, str):
        return path.fs, str(path.path)
    try:
        import fsspec

        return fsspec.core.url_to_fs(path)
    except (ImportError, ValueError) as exc:  # unknown protocol, or its package missing
        raise SourceError(f"cannot use {path!r}: {exc}") from None


def _transient() -> tuple[type[BaseException], ...]:
    """Exceptions meaning "the store could not be reached", by client library."""
    kinds: list[type[BaseException]] = [ConnectionError, TimeoutError]
    for module, name in (
        ("botocore.exceptions", "ConnectionError"),
        ("aiohttp", "ClientConnectionError"),
    ):
        with suppress(ImportError):
            kinds.append(getattr(__import__(module, fromlist=[name]), name))
    return tuple(kinds)


# botocore's (and google-auth's) errors for "no credentials were found"
_NO_CREDENTIALS = frozenset(
    {
        "NoCredentialsError",
        "PartialCredentialsError",
        "CredentialRetrievalError",
        "NoAuthTokenError",
        "DefaultCredentialsError",
    }
)


@contextmanager
def storage_errors(name: str) -> Iterator[None]:
    """A storage failure on ``name`` as SourceError (bad input: a missing object or
    bucket, a refused credential) or StorageUnavailable (unreachable: retry)."""
    try:
        yield
    except (SourceError, StorageUnavailable):
        raise
    except _transient() as exc:
        raise StorageUnavailable(f"cannot reach the storage of {name!r}: {exc}") from None
    except FileNotFoundError as exc:
        if isinstance(exc.__cause__, _transient()):  # fsspec's HTTP store says "not found"
            raise StorageUnavailable(
                f"cannot reach the storage of {name!r}: {exc.__cause__}"
            ) from None
        raise SourceError(f"no such file or folder: {name!r}") from None
    except PermissionError as exc:
        raise SourceError(
            f"access to {name!r} was refused ({exc}): check the credentials "
            "(AWS_* variables, or the Airflow connection)"
        ) from None
    except Exception as exc:
        if type(exc).__name__ not in _NO_CREDENTIALS:
            raise
        raise SourceError(
            f"no credentials to read {name!r} ({exc}): set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or give the task an Airflow connection"
        ) from None


def atomic_write_text(path: Any, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that the old content survives any crash."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Any, data: bytes) -> None:
    """Write ``data`` to ``path`` so that the old content survives any crash."""
    if is_uri(path):  # one PUT: the object appears whole, or the old one stays
        fs, key = remote_fs(path)
        with storage_errors(str(path)):
            fs.pipe_file(key, data)
        return
    target = local_path(path)
    directory = target.parent
    if not directory.is_dir():
        raise SourceError(
            f"cannot write {str(target)!r}: directory {str(directory)!r} does not exist"
        )
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    os.fchmod(fd, _mode_for(target))
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
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


_SQLITE_URL = re.compile(r"(?P<scheme>sqlite(?:\+\w+)?):///(?P<path>[^?]*)(?P<query>\?.*)?", re.I)


def within_database(base: Any, target: Any) -> Any:
    """A database target (a SQLite file path or ``sqlite:///`` URL, a server's
    URL, an Engine) with its file confined to ``base`` as :func:`within`
    confines a path; a server database or an engine is not a path and passes.

    >>> within_database("/data", "sqlite:////data/h.db?timeout=5")
    'sqlite:////data/h.db?timeout=5'
    >>> within_database("/data", "sqlite:///../h.db")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.ConfigError: path '../h.db' escapes base directory '/data'
    >>> within_database("/data", "sqlite:///reports/h.db"), within_database("/data", "h.db")
    ('sqlite:////data/reports/h.db', '/data/h.db')
    >>> within_database("/data", "postgresql://db/kl")
    'postgresql://db/kl'
    """
    if not isinstance(target, (str, os.PathLike)):
        return target
    text = os.fspath(target)
    url = _SQLITE_URL.fullmatch(text)
    if url:
        path = within(base, url["path"])
        return f"{url['scheme']}:///{path}{url['query'] or ''}"
    if "://" in text:  # a server's URL, or sqlite:// (in memory): no file to confine
        return text
    return within(base, text)


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
        fs, key = remote_fs(path)
        with storage_errors(str(path)):
            data = fs.cat_file(key)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(f"{str(path)!r} is not UTF-8 text: {exc}") from None
    target = local_path(path)
    try:
        return target.read_bytes().decode("utf-8")  # whatever the locale's encoding
    except FileNotFoundError:
        raise SourceError(f"file not found: {str(target)!r}") from None
    except UnicodeDecodeError as exc:
        raise SourceError(f"{str(target)!r} is not UTF-8 text: {exc}") from None
    except IsADirectoryError:
        raise SourceError(f"{str(target)!r} is a directory, expected a file") from None
