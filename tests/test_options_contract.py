"""One contract: every check option has the same name, default, validation and
error in the Python API, the CLI, the Airflow operators and the GX expectation.

They all derive from the declarations in ``airflow_kl/core/options.py`` (a
test adds one and finds it everywhere: tests/test_adding_an_option.py); what
is left here is what a declaration cannot derive: each option's text form,
Jinja templates rendered in a DAG run, renamed arguments, and errors that are
not an option's."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.core.settings import DEFAULTS, OPTIONS
from airflow_kl.gx import build_suite

ROOT = Path(__file__).resolve().parent.parent

# option: (a value other than the default, the same value as text, a bad value as text)
WALK = {
    "threshold": (0.2, "0.2", "-1"),
    "alpha": (0.05, "0.05", "2"),
    "smoothing": (1.0, "1", "-0.5"),
    "min_rows": (50, "50", "0"),
    "correction": ("bh", "bh", "holmes"),
    "direction": ("reference||current", "reference||current", "both"),
    "base": ("bits", "bits", "decibans"),
    "drift_share": (0.5, "0.5", "1.5"),
    "segment_by": (["s"], "s", ","),
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("contract")
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=500),
            "c": rng.choice(["a", "b"], 500),
            "s": rng.choice(["north", "south"], 500),
        }
    )
    ak.build_profile(frame, features=["x", "c"], segment_by="s").save(folder / "p.json")
    frame.to_parquet(folder / "cur.parquet")
    return folder, frame


def test_the_walk_covers_every_option():
    assert sorted(WALK) == sorted(o.name for o in OPTIONS)


@pytest.mark.parametrize("name", list(WALK))
def test_each_option_reads_its_text_and_names_itself_in_its_error(name, data):
    """What a declaration cannot derive: that its text form reads to the value."""
    folder, frame = data
    value, text, bad = WALK[name]
    profile = ak.Profile.load(folder / "p.json")
    assert ak.check_drift(profile, frame, **{name: value}).settings[name] == value
    assert ak.check_drift(profile, frame, **{name: text}).settings[name] == value
    with pytest.raises(ak.ConfigError) as error:
        ak.CheckSettings(**{name: bad})
    assert str(error.value).startswith(name)


def test_a_bad_value_is_one_error_from_every_entry_point(data, capsys):
    """Every entry point builds CheckSettings from the same declarations (a new
    option reaches them all: tests/test_adding_an_option.py); one error line."""
    folder, frame = data
    profile = ak.Profile.load(folder / "p.json")
    with pytest.raises(ak.ConfigError) as python_error:
        ak.check_drift(profile, frame, min_rows="0")
    message = str(python_error.value)
    assert message == "min_rows must be an integer >= 1, got 0"
    code = main(["check", str(folder / "p.json"), str(folder / "cur.parquet"), "--min-rows", "0"])
    assert code == 2 and capsys.readouterr().err.strip() == f"airflow-kl: error: {message}"
    with pytest.raises(ak.ConfigError, match=re.escape(message)):
        build_suite(profile, min_rows="0")
    with pytest.raises(ak.ConfigError, match="drift_share judges a whole dataset"):
        build_suite(profile, drift_share=0.5)


def test_templated_options_render_to_values_in_a_dag_run(data, airflow_db):
    """threshold, alpha and min_rows from Jinja (strings, and a JSON mapping)."""
    from tests.provider.test_operators import run_check

    folder, _ = data
    run, ti, report = run_check(
        "templated_options",
        profile=str(folder / "p.json"),
        source=str(folder / "cur.parquet"),
        threshold='{{ \'{"*": 0.3, "x": 0.25}\' }}',
        alpha="{{ 0.02 }}",
        min_rows="{{ 10 * 5 }}",
        correction="{{ 'bonferroni' }}",
        smoothing="{{ 1 }}",
        direction="{{ 'reference||current' }}",
        base="{{ 'bits' }}",
        drift_share="{{ 0.5 }}",
        segment_by="{{ 's' }}",
        on_drift="warn",
    )
    assert ti.state == "success"
    expected = ak.CheckSettings(
        threshold={"*": 0.3, "x": 0.25},
        alpha=0.02,
        min_rows=50,
        correction="bonferroni",
        smoothing=1.0,
        direction="reference||current",
        base="bits",
        drift_share=0.5,
        segment_by=["s"],
    ).to_dict()
    assert report["settings"] == expected
    assert report["segment_by"] == ["s"] and len(report["segments"]) == 3
    assert report["settings"]["default_threshold"] == 0.3


def test_a_bad_templated_option_fails_once_with_the_same_message(data, airflow_db):
    from tests.provider.test_operators import run_check

    folder, frame = data
    profile = ak.Profile.load(folder / "p.json")
    with pytest.raises(ak.ConfigError) as python_error:
        ak.check_drift(profile, frame, min_rows="many")
    run, ti, report = run_check(
        "bad_template",
        profile=str(folder / "p.json"),
        source=str(folder / "cur.parquet"),
        min_rows="{{ 'many' }}",
    )
    assert ti.state == "failed" and ti.try_number == 1 and report is None
    assert str(python_error.value) == "min_rows must be an integer >= 1, got 'many'"


def test_renamed_arguments_still_work_with_a_warning(data):
    folder, frame = data
    profile = ak.Profile.load(folder / "p.json")
    with pytest.warns(DeprecationWarning, match="use threshold="):
        old = build_suite(profile, thresholds={"x": 0.3})
    new = build_suite(profile, threshold={"x": 0.3})
    assert [e.threshold for e in old.expectations] == [e.threshold for e in new.expectations]
    assert [e.threshold for e in new.expectations] == [0.3, DEFAULTS["threshold"]]


def test_public_exceptions_import_from_where_the_readme_says():
    from airflow_kl import ConfigError, ProfileError, SchemaError, SourceError  # noqa: F401
    from airflow_kl.provider import DriftDetected, InsufficientData, InvalidDriftInput

    assert all(
        issubclass(e, Exception) for e in (DriftDetected, InsufficientData, InvalidDriftInput)
    )


def test_a_feature_not_in_the_profile_is_the_same_error_everywhere(data):
    folder, frame = data
    profile = ak.Profile.load(folder / "p.json")
    from airflow_kl.core.compare import compare_counts

    with pytest.raises(ak.ConfigError, match="'nope' is not in the profile") as a:
        ak.check_drift(profile, frame, features=["nope"])
    with pytest.raises(ak.ConfigError) as b:
        compare_counts(profile, {}, ak.CheckSettings(), ["nope"])
    assert str(a.value) == str(b.value)


def test_the_core_imports_without_pandas_or_pyarrow():
    import subprocess
    import sys

    code = (
        "import sys, airflow_kl, airflow_kl.core.compare, airflow_kl.core.settings\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'airflow', 'great_expectations') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
