"""Check what ``make dist`` built: one wheel and one sdist of this version, the
wheel holding every file of the package, and the wheel installed into a new,
empty venv answering ``airflow-kl --version`` and ``--help``.

The venv gets the wheel without its dependencies: the command line imports
none of them until a command runs, so this also proves it starts without
numpy, pandas or Airflow installed.

    python scripts/check_dist.py dist
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version() -> str:
    """``__version__`` as written in ``airflow_kl/__init__.py``, the one place."""
    text = (ROOT / "airflow_kl" / "__init__.py").read_text()
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.M)
    if found is None:
        raise SystemExit("airflow_kl/__init__.py writes no __version__")
    return found.group(1)


def package_files() -> set[str]:
    """The files git tracks under ``airflow_kl/``."""
    listed = subprocess.run(
        ["git", "ls-files", "airflow_kl"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return {line for line in listed.stdout.splitlines() if line}


def check(dist: Path, uv: str) -> str:
    """Check ``dist`` and return the ``--version`` line the installed wheel printed."""
    wanted = version()
    wheels, sdists = sorted(dist.glob("*.whl")), sorted(dist.glob("*.tar.gz"))
    names = [p.name for p in (*wheels, *sdists)]
    if len(wheels) != 1 or len(sdists) != 1:
        raise SystemExit(f"expected one wheel and one sdist in {dist}, found {names}")
    wheel = wheels[0]
    if not wheel.name.startswith(f"airflow_kl-{wanted}-") or sdists[0].name != (
        f"airflow_kl-{wanted}.tar.gz"
    ):
        raise SystemExit(f"the files {names} are not of version {wanted}")
    with zipfile.ZipFile(wheel) as archive:
        missing = sorted(package_files() - set(archive.namelist()))
    if missing:
        raise SystemExit(f"the wheel lacks {len(missing)} package files: {missing[:5]}")
    with tempfile.TemporaryDirectory() as scratch:
        venv = Path(scratch) / "venv"
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        python = str(venv / "bin" / "python")
        subprocess.run(
            [uv, "pip", "install", "-q", "--python", python, "--no-deps", str(wheel)], check=True
        )
        command = str(venv / "bin" / "airflow-kl")
        shown = subprocess.run(
            [command, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
        if shown != f"airflow-kl {wanted}":
            raise SystemExit(f"airflow-kl --version printed {shown!r}")
        usage = subprocess.run([command, "--help"], capture_output=True, text=True, check=True)
        if "example-data" not in usage.stdout:
            raise SystemExit("airflow-kl --help does not list its commands")
    return shown


if __name__ == "__main__":
    where = Path(sys.argv[1] if len(sys.argv) > 1 else "dist")
    uv_binary = str(Path(sys.executable).parent / "uv")
    built = sorted(p.name for p in (*where.glob("*.whl"), *where.glob("*.tar.gz")))
    print(f"{check(where, uv_binary)}, installed from {', '.join(built)}")
