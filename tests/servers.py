"""Servers the tests (and benchmarks) start themselves from the machine's binaries."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class PostgresNotInstalled(RuntimeError):
    """Debian's PostgreSQL binaries are not on this machine."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def postgres_server(root: Path) -> Iterator[str]:
    """A PostgreSQL server from Debian's binaries with its data under ``root``;
    yields its SQLAlchemy URL and stops it on exit.

    initdb refuses root, so when run as root the data directory belongs to the
    ``postgres`` user and the server runs as that user (runuser).
    """
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    if not bins:
        raise PostgresNotInstalled(
            "PostgreSQL binaries not found; `make test` installs them (scripts/system-deps.sh)"
        )
    bindir = bins[-1]
    data = root / "data"
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
        os.chmod(root, 0o700)
        as_user = ["runuser", "-u", "postgres", "--"]
        for parent in list(root.parents)[:-1]:  # let the postgres user reach the data dir
            os.chmod(parent, os.stat(parent).st_mode | 0o011)
    port = free_port()

    def run(*cmd: str) -> None:
        subprocess.run([*as_user, *cmd], check=True, capture_output=True)

    run(
        f"{bindir}/initdb",
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "postgres",
        "--locale=C",
        "-E",
        "UTF8",
    )
    run(
        f"{bindir}/pg_ctl",
        "-D",
        str(data),
        "-l",
        str(root / "log"),
        "-w",
        "-o",
        f"-h 127.0.0.1 -p {port} -k {root}",
        "start",
    )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        if data.exists():  # (another pytest run may have pruned this session's temp dirs)
            run(f"{bindir}/pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")


class MariaDBNotInstalled(RuntimeError):
    """Debian's MariaDB server binaries are not on this machine."""


@contextmanager
def mariadb_server(root: Path) -> Iterator[str]:
    """A MariaDB server from Debian's ``mariadb-server`` with its data under
    ``root``, on a loopback port; yields its SQLAlchemy URL (database ``kl``)
    and stops it on exit."""
    import time

    server = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    install = shutil.which("mariadb-install-db") or "/usr/bin/mariadb-install-db"
    if not (os.path.exists(server) and os.path.exists(install)):
        raise MariaDBNotInstalled(
            "MariaDB binaries not found; `make test` installs them (scripts/system-deps.sh)"
        )
    data, port = root / "data", free_port()
    user = "root" if os.geteuid() == 0 else os.environ.get("USER", "mysql")
    common = ["--no-defaults", f"--datadir={data}"]
    subprocess.run(
        [install, *common, "--auth-root-authentication-method=normal", "--skip-test-db",
         f"--user={user}"],
        check=True, capture_output=True,
    )  # fmt: skip
    log = open(root / "log", "wb")  # noqa: SIM115 (closed when the server stops)
    process = subprocess.Popen(
        [server, *common, f"--socket={root / 'sock'}", f"--port={port}",
         "--bind-address=127.0.0.1", f"--user={user}", "--skip-name-resolve",
         "--innodb-buffer-pool-size=64M", "--character-set-server=utf8mb4"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"MariaDB did not start: {(root / 'log').read_text()[-2000:]}"
                    ) from None
                time.sleep(0.2)
        import sqlalchemy as sa

        engine = sa.create_engine(f"mysql+pymysql://root@127.0.0.1:{port}/")
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE DATABASE kl"))
        engine.dispose()
        yield f"mysql+pymysql://root@127.0.0.1:{port}/kl"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
