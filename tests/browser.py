"""Headless Chromium (Debian's package), as a person's browser for the tests."""

from __future__ import annotations

import shutil
import subprocess

import pytest

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


@pytest.fixture(scope="session")
def browser():
    """Playwright driving Debian's Chromium (no browser download)."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium not installed; `make test` installs it (scripts/system-deps.sh)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS[1:])
        yield launched
        launched.close()
