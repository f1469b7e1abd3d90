"""Headless Chromium (Debian's package), as a person's browser for the tests."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The pictures the docs show are the ones these tests take, on every run.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "_static" / "screenshots"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def chromium(*args, cwd):
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium not installed; `make test` installs it (scripts/system-deps.sh)")
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={cwd / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )


def docs_picture(name: str) -> Path:
    """Where the screenshot ``name`` goes: the docs show it (``_static/screenshots``)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def screenshot(page: Path, name: str, *, cwd: Path, width: int = 1200, height: int = 1400) -> Path:
    """Chromium's picture of the file ``page``, taken for the docs as ``name``."""
    shot = docs_picture(name)
    shot.unlink(missing_ok=True)
    size = f"--window-size={width},{height}"
    done = chromium(f"--screenshot={shot}", size, page.as_uri(), cwd=cwd)
    assert shot.exists(), done.stderr[-2000:]
    return shot


ELEMENT_SHOT = """
import sys
from playwright.sync_api import sync_playwright

binary, flags, url, text, path = sys.argv[1], sys.argv[2].split(), *sys.argv[3:]
with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=binary, args=flags)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(url)
    row = page.locator("tr", has_text=text).last
    print(row.inner_text())
    row.screenshot(path=path)
    browser.close()
"""


def element_screenshot(page: Path, row_text: str, name: str) -> tuple[Path, str]:
    """The last table row of ``page`` holding ``row_text``, taken for the docs
    as ``name``; and the row's text. Playwright runs in a child interpreter, so
    its event loop never outlives the picture in this one."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium not installed; `make test` installs it (scripts/system-deps.sh)")
    shot = docs_picture(name)
    shot.unlink(missing_ok=True)
    args = [binary, " ".join(CHROMIUM_FLAGS[1:]), page.as_uri(), row_text, str(shot)]
    done = subprocess.run(
        [sys.executable, "-c", ELEMENT_SHOT, *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    return shot, done.stdout


@pytest.fixture(scope="module")
def browser():
    """Playwright driving Debian's Chromium (no browser download), for one
    module: its event loop is closed with it, so no later test runs beside it
    (S3 through aiobotocore fails while a sync Playwright loop lives on)."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium not installed; `make test` installs it (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS[1:])
        yield launched
        launched.close()
