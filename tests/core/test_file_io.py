"""Atomic writes and reads, locally and through fsspec (its in-memory
filesystem speaks the same API as s3fs/gcsfs; S3 itself is tested against a
real S3-protocol server in tests/sources/test_object_storage.py)."""

import os
import stat
import uuid
from pathlib import Path

import pytest

from airflow_kl.core.errors import ConfigError, SourceError, StorageUnavailable
from airflow_kl.core.file_io import (
    atomic_write_text,
    is_object_path,
    is_uri,
    local_path,
    read_text,
    remote_fs,
    storage_errors,
    within,
)


def memory_url(name="p.json") -> str:
    return f"memory://airflow-kl-tests/{uuid.uuid4().hex}/{name}"


def test_what_is_a_uri():
    from upath import UPath

    assert is_uri("s3://bucket/key") and is_uri("memory://x/y")
    assert not is_uri("file:///tmp/x") and not is_uri("/tmp/x") and not is_uri("a:b")
    assert not is_uri(Path("/tmp/x")) and not is_uri(42)
    assert is_uri(UPath("memory://b/x")) and not is_uri(UPath("/tmp/x"))
    assert is_object_path(UPath("/tmp/x")) and not is_object_path(Path("/tmp/x"))


def test_local_paths():
    from upath import UPath

    assert local_path("file:///tmp/a.json") == Path("/tmp/a.json")
    assert local_path("/tmp/a.json") == Path("/tmp/a.json")
    assert local_path(Path("rel/a.json")) == Path("rel/a.json")
    assert local_path(UPath("/tmp/b.json")) == Path("/tmp/b.json")


def test_an_unknown_protocol_is_named():
    with pytest.raises(SourceError) as info:
        remote_fs("nosuchproto://bucket/key")
    assert str(info.value).startswith("cannot use 'nosuchproto://bucket/key': ")


def test_write_and_read_through_fsspec():
    url = memory_url()
    atomic_write_text(url, '{"é": 1}\n')
    assert read_text(url) == '{"é": 1}\n'
    atomic_write_text(url, "second")
    assert read_text(url) == "second"
    fs, key = remote_fs(url)
    fs.pipe_file(key, b"\xff\xfe")
    with pytest.raises(SourceError) as info:
        read_text(url)
    assert str(info.value).startswith(f"{url!r} is not UTF-8 text: ")
    with pytest.raises(SourceError) as info:
        read_text(memory_url("missing.json"))
    assert str(info.value).startswith("no such file or folder: 'memory://")


@pytest.mark.parametrize(
    "error,kind,message",
    [
        (
            ConnectionError("refused"),
            StorageUnavailable,
            "cannot reach the storage of 'x': refused",
        ),
        (TimeoutError("slow"), StorageUnavailable, "cannot reach the storage of 'x': slow"),
        (FileNotFoundError("k"), SourceError, "no such file or folder: 'x'"),
        (
            PermissionError("denied"),
            SourceError,
            "access to 'x' was refused (denied): check the credentials "
            "(AWS_* variables, or the Airflow connection)",
        ),
        (SourceError("as it was"), SourceError, "as it was"),
        (  # botocore's, by name: the core imports no cloud client
            type("NoCredentialsError", (Exception,), {})("Unable to locate credentials"),
            SourceError,
            "no credentials to read 'x' (Unable to locate credentials): set AWS_ACCESS_KEY_ID "
            "and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE), or give the task an Airflow connection",
        ),
        (
            FileNotFoundError("http://h/x"),
            StorageUnavailable,
            "cannot reach the storage of 'x': refused",
        ),
    ],
)
def test_storage_errors_say_what_to_do(error, kind, message):
    if isinstance(error, FileNotFoundError) and error.args[0].startswith("http"):
        error.__cause__ = ConnectionError("refused")  # fsspec's HTTP store: not found, because
    with pytest.raises(kind) as info, storage_errors("x"):
        raise error
    assert type(info.value) is kind and str(info.value) == message


def test_a_local_write_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "p.json"
    target.write_text("old")
    target.chmod(0o600)
    atomic_write_text(target, "new")
    assert target.read_text() == "new" and stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640)])
def test_a_new_file_gets_the_umask_mode(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        atomic_write_text(tmp_path / "n.json", "x")
        assert os.umask(umask) == umask  # the process umask is left as it was
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "n.json").stat().st_mode) == mode


def test_file_uris_and_missing_directories(tmp_path):
    atomic_write_text(f"file://{tmp_path}/u.json", "via uri")
    assert (tmp_path / "u.json").read_text() == "via uri"
    assert read_text(f"file://{tmp_path}/u.json") == "via uri"
    with pytest.raises(SourceError) as info:
        atomic_write_text(tmp_path / "nope" / "a.json", "x")
    assert str(info.value) == (
        f"cannot write {str(tmp_path / 'nope' / 'a.json')!r}: "
        f"directory {str(tmp_path / 'nope')!r} does not exist"
    )


def test_a_failed_replace_leaves_no_temp_file(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "inside").write_text("keep")
    with pytest.raises(OSError):
        atomic_write_text(tmp_path / "d", "cannot replace a non-empty directory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d"]
    assert (tmp_path / "d" / "inside").read_text() == "keep"


def test_temp_files_are_hidden_siblings(tmp_path, monkeypatch):
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src).parent, Path(src).name))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    atomic_write_text(tmp_path / "p.json", "x")
    ((parent, name),) = seen
    assert parent == tmp_path and name.startswith(".p.json.") and name.endswith(".tmp")


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda d: d / "none.json", "file not found: {path!r}"),
        (lambda d: d, "{path!r} is a directory, expected a file"),
    ],
)
def test_local_read_errors_name_the_path(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(SourceError) as info:
        read_text(path)
    assert str(info.value) == message.format(path=str(path))


def test_a_local_file_that_is_not_utf8(tmp_path):
    (tmp_path / "b.json").write_bytes(b"\xff")
    with pytest.raises(SourceError) as info:
        read_text(tmp_path / "b.json")
    assert str(info.value).startswith(f"{str(tmp_path / 'b.json')!r} is not UTF-8 text: ")


def test_within_refuses_uris_and_escapes(tmp_path):
    with pytest.raises(ConfigError) as info:
        within(tmp_path, "s3://b/k")
    assert str(info.value) == (
        "path 's3://b/k' is a URI; with a base directory only local paths work"
    )
    assert within(tmp_path, "a/b.json") == str(tmp_path.resolve() / "a" / "b.json")


def test_local_object_paths_are_not_uris():
    from upath import UPath

    for local in ("file:///tmp/x", "local:///tmp/x", "/tmp/x"):
        assert not is_uri(UPath(local)), local


def test_object_paths_write_and_read_through_their_own_filesystem():
    from upath import UPath

    path = UPath(memory_url())
    atomic_write_text(path, "through the path object")
    assert read_text(path) == "through the path object"
    assert path.read_text() == "through the path object"


def test_client_library_connection_errors_mean_unreachable():
    import aiohttp
    from botocore.exceptions import EndpointConnectionError

    expected = "cannot reach the storage of 's3://b/k'"
    for error in (
        EndpointConnectionError(endpoint_url="http://127.0.0.1:1"),
        aiohttp.ClientConnectionError("reset"),
    ):
        with pytest.raises(StorageUnavailable, match=expected), storage_errors("s3://b/k"):
            raise error


def test_a_write_to_a_store_nobody_listens_on_is_unreachable_and_named():
    """A real connection refused (fsspec's HTTP filesystem, a closed port)."""
    url = "http://127.0.0.1:1/airflow-kl/p.json"
    with pytest.raises(StorageUnavailable) as info:
        atomic_write_text(url, "x")
    assert str(info.value).startswith(f"cannot reach the storage of {url!r}: ")


def test_a_missing_client_library_is_no_error(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "aiohttp", None)  # import aiohttp now fails
    with pytest.raises(StorageUnavailable), storage_errors("x"):
        raise ConnectionError("down")


def test_the_old_module_name_still_imports_and_warns():
    import importlib
    import sys

    sys.modules.pop("airflow_kl.core.storage", None)
    with pytest.warns(DeprecationWarning, match="airflow_kl.core.file_io"):
        old = importlib.import_module("airflow_kl.core.storage")
    assert old.atomic_write_text is atomic_write_text
