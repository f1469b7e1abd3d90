"""A DAG file that uses airflow-kl pays for no heavy library at parse time.

Airflow's dag-processor re-imports every DAG file all day; what a DAG file
imports at top level is paid at each parse. Our operators, the branch helper,
the exceptions, the UI plugin and every example DAG load nothing beyond what
``import airflow.sdk`` already loaded except Airflow and airflow-kl
themselves: pandas, pyarrow, numpy, scipy, matplotlib, GX, SQLAlchemy and
pyspark load inside ``execute()``. Checked in fresh interpreters, by module
name, not by timing (bench/import_cost.py measures the seconds).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "pandas",
    "pyarrow",
    "numpy",
    "scipy",
    "matplotlib",
    "great_expectations",
    "sqlalchemy",
    "pyspark",
    "jinja2",
    "duckdb",
)
PROBE = """
import json, sys
import airflow.sdk
def packages():
    return {{m.split(".")[0] for m in sys.modules}}
before = packages()
{imports}
new = sorted(packages() - before)
print(json.dumps(new))
"""


def loaded_after_sdk(imports: str) -> list[str]:
    """Top-level packages that ``imports`` loads beyond ``import airflow.sdk``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "dags")}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(imports=imports)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_probe_sees_a_heavy_import():
    assert "pandas" in loaded_after_sdk("import airflow_kl.sources.memory")


@pytest.mark.parametrize(
    "imports",
    [
        "from airflow_kl.provider import KLDriftCheckOperator, BuildReferenceProfileOperator",
        "from airflow_kl.provider import GXValidationOperator",
        "from airflow_kl.provider import drift_branch, DriftDetected, InsufficientData",
        "from airflow_kl.provider import InvalidDriftInput, ValidationFailed",
        "from airflow_kl.provider import get_provider_info; get_provider_info()",
        "from airflow_kl.plugin import AirflowKLPlugin",
    ],
)
def test_provider_names_load_nothing_heavy(imports):
    new = loaded_after_sdk(imports)
    assert not set(new) & set(HEAVY), new
    assert set(new) <= {"airflow", "airflow_kl"}, new


@pytest.mark.parametrize("dag_file", sorted(p.stem for p in (ROOT / "dags").glob("kl_*.py")))
def test_example_dag_parse_loads_nothing_heavy(dag_file):
    new = loaded_after_sdk(f"import {dag_file}")
    assert not set(new) & set(HEAVY), new


def test_the_api_servers_plugin_loads_no_operator_module():
    """The plugin (and the app the API server builds from it) reads its
    settings from airflow_kl.config: no operator, hook or report-keeping module
    of the provider loads (only the provider info Airflow itself asks for)."""
    probe = (
        "import json, sys\n"
        "import airflow_kl.plugin, airflow_kl.plugin.app\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('airflow_kl.'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=os.environ
    )
    assert done.returncode == 0, done.stderr[-3000:]
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert "airflow_kl.config" in loaded
    provider = [m for m in loaded if m.startswith("airflow_kl.provider")]
    # Airflow's providers manager reads get_provider_info through the entry point
    assert set(provider) <= {"airflow_kl.provider", "airflow_kl.provider.info"}, provider
