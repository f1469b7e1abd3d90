"""Adding a check option is one declaration in ``airflow_kl/core/options.py``.

A copy of the package gets one more :class:`~airflow_kl.core.options.Option`
(a made-up ``tolerance``), and a fresh interpreter finds it, with its default,
text form and check, in ``CheckSettings``, the CLI, the three operators, the
GX expectation and the docs' options table, with nothing else edited.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import airflow_kl as ak

PACKAGE = Path(ak.__file__).resolve().parent

DECLARATION = """    Option(
        "tolerance",
        0.25,
        "how far past its threshold a feature may go (a made-up option)",
        float,
        read=read_number,
        check=partial(check_threshold, name="tolerance"),
    ),
"""
IMPORTS = "from functools import partial\n\nfrom .option_values import check_threshold\n"

PROBE = """
import json, sys
from pathlib import Path

folder = Path(sys.argv[1])
out = {}

from airflow_kl.core.errors import ConfigError
from airflow_kl.core.settings import CheckSettings, options_table

out["default"] = CheckSettings().tolerance
out["from_text"] = CheckSettings(tolerance=" 0.5 ").tolerance
try:
    CheckSettings(tolerance="-1")
except ConfigError as exc:
    out["python_error"] = str(exc)
out["table_row"] = [r for r in options_table().splitlines() if "tolerance" in r]

import contextlib, io
from airflow_kl.cli import main

text = io.StringIO()
with contextlib.redirect_stdout(text), contextlib.suppress(SystemExit):
    main(["check", "--help"])
out["cli_help"] = " ".join(text.getvalue().split())
report = folder / "r.json"
out["cli_exit"] = main(
    ["check", str(folder / "p.json"), str(folder / "cur.parquet"), "--tolerance", "0.5",
     "--report-path", str(report)]
)
out["cli_report"] = json.loads(report.read_text())["settings"]["tolerance"]

from airflow_kl.provider import GXValidationOperator, KLBacktestOperator, KLDriftCheckOperator

out["templated_by"] = [
    op.__name__
    for op in (KLDriftCheckOperator, GXValidationOperator, KLBacktestOperator)
    if "tolerance" in op.template_fields
]
op = KLDriftCheckOperator(task_id="t", profile="p.json", source="s.parquet", tolerance="0.5")
plain = KLDriftCheckOperator(task_id="u", profile="p.json", source="s.parquet")
out["operator"] = [plain.tolerance, CheckSettings.from_options(op.check_options()).tolerance]

import airflow_kl as ak
from airflow_kl.gx import ExpectColumnBinnedKlDivergenceToBeLessThan as Expectation, build_suite

field = Expectation.__fields__["tolerance"]
out["gx_field"] = [field.default, "tolerance" in Expectation.success_keys]
suite = build_suite(ak.Profile.load(folder / "p.json"), tolerance="0.5")
out["gx_suite"] = [e.tolerance for e in suite.expectations]
out["gx_settings"] = suite.expectations[0]._settings().tolerance
out["package"] = ak.__file__
print(json.dumps(out))
"""


def test_one_declaration_reaches_every_entry_point(tmp_path):
    copy = tmp_path / "src" / "airflow_kl"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    options = copy / "core" / "options.py"
    text = options.read_text()
    end = text.index("\n)\nOPTION: dict")
    text = text[: end + 1] + DECLARATION + text[end + 1 :]
    first_import = text.index("from .option_values import (")
    options.write_text(text[:first_import] + IMPORTS + text[first_import:])

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=400), "c": rng.choice(["a", "b"], 400)})
    ak.build_profile(frame).save(tmp_path / "p.json")
    frame.to_parquet(tmp_path / "cur.parquet")

    env = {**os.environ, "PYTHONPATH": str(copy.parent)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.splitlines()[-1])
    assert out["package"] == str(copy / "__init__.py")  # the copy, not the installed package

    assert out["default"] == 0.25 and out["from_text"] == 0.5
    assert out["python_error"] == "tolerance must be a finite number >= 0, got -1.0"
    assert out["table_row"] == [
        "| `tolerance` | `--tolerance` | `tolerance` | `tolerance` | `0.25` | how far past "
        "its threshold a feature may go (a made-up option) |"
    ]
    assert (
        "--tolerance TOLERANCE how far past its threshold a feature may go (a made-up "
        "option) (default 0.25)"
    ) in out["cli_help"]
    assert out["cli_exit"] == 0 and out["cli_report"] == 0.5
    assert out["templated_by"] == [
        "KLDriftCheckOperator",
        "GXValidationOperator",
        "KLBacktestOperator",
    ]
    assert out["operator"] == [0.25, 0.5]
    assert out["gx_field"] == [0.25, True]
    assert out["gx_suite"] == [0.5, 0.5] and out["gx_settings"] == 0.5
