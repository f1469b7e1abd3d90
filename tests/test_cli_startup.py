"""The command line starts at once: --version, --help and every command's
--help import none of the heavy libraries, and every option says what it is."""

import subprocess
import sys

import pytest

from airflow_kl import __version__
from airflow_kl.cli import make_parser

HEAVY = ("numpy", "pandas", "pyarrow", "scipy", "matplotlib", "sqlalchemy")
COMMANDS = ("profile", "check", "backtest", "report", "merge", "history", "example-data")
PROBE = """
import sys
from airflow_kl.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    assert done.code == 0, done.code
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""


@pytest.mark.parametrize("argv", [["--version"], ["--help"], *([c, "--help"] for c in COMMANDS)])
def test_help_and_version_import_nothing_heavy(argv):
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *argv],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    *shown, loaded = done.stdout.splitlines()
    assert loaded == "", f"{' '.join(argv)} imported {loaded}"
    if argv == ["--version"]:
        assert shown == [f"airflow-kl {__version__}"]


def test_every_option_has_help_and_check_lists_its_exit_codes():
    parser = make_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(commands) == set(COMMANDS)
    for name, command in commands.items():
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.help, f"airflow-kl {name} {'/'.join(action.option_strings)} has no help"
    text = commands["check"].format_help()
    assert "exit codes: 0 no drift, 1 drift, 2 an error" in " ".join(text.split())


def test_a_database_url_without_a_table_says_so(capsys):
    from airflow_kl.cli import main

    assert main(["check", "p.json", "duckdb:///warehouse.duckdb"]) == 2
    err = capsys.readouterr().err
    assert err == (
        "airflow-kl: 'duckdb:///warehouse.duckdb' is a database URL: name what to read "
        "with --table TABLE or --query SELECT\n"
    )
