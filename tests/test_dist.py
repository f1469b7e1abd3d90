"""``make dist``: the wheel and sdist build, the wheel holds every package file,
and installed alone into a new venv it runs ``airflow-kl --version``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from airflow_kl import __version__

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
import check_dist  # noqa: E402

sys.path.remove(str(ROOT / "scripts"))


def test_the_wheel_installs_and_answers_its_version(tmp_path):
    uv = str(Path(sys.executable).parent / "uv")
    subprocess.run([uv, "build", "-q", "--out-dir", str(tmp_path)], cwd=ROOT, check=True)
    assert check_dist.check(tmp_path, uv) == f"airflow-kl {__version__}"


def test_a_wheel_of_another_version_is_refused(tmp_path):
    (tmp_path / "airflow_kl-0.0.1-py3-none-any.whl").write_bytes(b"")
    (tmp_path / "airflow_kl-0.0.1.tar.gz").write_bytes(b"")
    message = (
        "the files ['airflow_kl-0.0.1-py3-none-any.whl', 'airflow_kl-0.0.1.tar.gz'] "
        f"are not of version {__version__}"
    )
    with pytest.raises(SystemExit, match=re.escape(message)):
        check_dist.check(tmp_path, "uv")
