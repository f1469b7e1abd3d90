#!/usr/bin/env bash
# Compatibility environments: the tests on the Airflow minors and library
# floors that users run, each resolved as of just after its Airflow release
# (what that release's constraints file would have allowed).
#
#   scripts/compat.sh lock NAME   resolve compat/NAME.lock (needs the registry)
#   scripts/compat.sh build NAME  create .compat/NAME from compat/NAME.lock
#   scripts/compat.sh test NAME   build, then run the compatibility tests in it
set -euo pipefail
cd "$(dirname "$0")/.."
UV=.venv/bin/uv
EXTRAS=(--extra sql --extra spark --extra polars --extra gx --extra airflow --extra aws --extra lineage
        --extra examples --extra test --extra mysql --extra snowflake --extra clickhouse)

# The test tools are today's in every environment (moto before 5.2.5 refuses
# the S3 signatures of the botocore that Airflow 3.1 resolves with).
TOOLS_DATE=2026-11-27
# The in-process ClickHouse (chdb-sqlalchemy, first released 2026-05-21) and the
# Snowflake emulator the tests run on are today's too.
TOOLS=(--exclude-newer-package "moto=$TOOLS_DATE" --exclude-newer-package "pytest=$TOOLS_DATE"
       --exclude-newer-package "hypothesis=$TOOLS_DATE" --exclude-newer-package "fakesnow=$TOOLS_DATE"
       --exclude-newer-package "sqlglot=$TOOLS_DATE" --exclude-newer-package "chdb=$TOOLS_DATE"
       --exclude-newer-package "chdb-core=$TOOLS_DATE"
       --exclude-newer-package "chdb-sqlalchemy=$TOOLS_DATE")

# name -> "exclude-newer airflow resolution"
declare -A ENVS=(
  [lowest]="2026-03-31 3.1.8 lowest-direct"
  [airflow-3.1]="2026-03-31 3.1.8 highest"
  [airflow-3.2]="2026-06-12 3.2.2 highest"
)

usage() { echo "usage: scripts/compat.sh lock|build|test ${!ENVS[*]}" >&2; exit 2; }
[ $# -eq 2 ] && [ -n "${ENVS[$2]:-}" ] || usage
action=$1 name=$2
read -r date airflow resolution <<<"${ENVS[$name]}"
venv=.compat/$name

lock() {
  echo "apache-airflow==$airflow" > "compat/$name.in"
  $UV pip compile --quiet pyproject.toml "compat/$name.in" "${EXTRAS[@]}" \
    --python-version 3.11 --resolution "$resolution" --exclude-newer "$date" "${TOOLS[@]}" \
    --no-header --annotation-style line -o "compat/$name.lock"
}

build() {
  local stamp=$venv/.installed
  if [ -f "$stamp" ] && [ "$stamp" -nt "compat/$name.lock" ] && [ "$stamp" -nt pyproject.toml ]; then
    return
  fi
  rm -rf "$venv"
  $UV venv --quiet --python python3.11 "$venv"
  $UV pip sync --quiet --python "$venv/bin/python" "compat/$name.lock"
  $UV pip install --quiet --python "$venv/bin/python" --no-deps -e .
  touch "$stamp"
}

# What each environment exists to catch, by path: the tests that touch an API
# that changes between versions. Everything else runs once, on the lock
# (make test), where the newest versions are.
#
# The library floors (lowest): numpy/scipy (the statistics and their doctests),
# pandas/pyarrow conversions (frames, the command line on files), SQLAlchemy,
# the drivers, DuckDB, PySpark and GX at their lowest declared versions (every
# engine pair of the conformance matrix, the reported cases, random frames),
# the Python API and the bad-input battery. Its Airflow is 3.1.8, which
# airflow-3.1 covers.
FLOORS=(tests/core airflow_kl/core tests/conformance/test_engine_matrix.py
        tests/conformance/test_reported_cases.py tests/conformance/test_random_frames.py
        tests/sources/test_frame.py tests/test_api.py tests/test_cli.py
        tests/reliability/test_bad_inputs.py tests/gx/test_expectation.py)
# An Airflow minor (airflow-3.1, airflow-3.2): the Task SDK and its exceptions,
# templating, XCom, assets and connections (the operators, the example DAGs
# under dag.test(), the compatibility module), the OpenLineage and common-sql
# providers of that minor, and the UI plugin on that minor's API server
# (FastAPI, the auth manager). What a DAG file imports at parse time is
# checked on the lock (make test), whose Airflow is the newest minor.
AIRFLOW=(tests/provider/test_operators.py tests/provider/test_gate.py
         tests/provider/test_backtest_operator.py tests/provider/test_gx_validation.py
         tests/provider/test_lineage.py tests/provider/test_provider_info.py
         tests/provider/test_branch.py tests/provider/test_dags.py tests/ui/test_plugin_api.py)
# The rolling-reference DAG runs a year of months: twelve dag.test() runs of the
# operators the other DAG tests run once each here. On the older minors a run
# takes 16-24 s (196 s and 289 s for the year, against 47 s on the lock), so it
# runs on the lock only.
LOCK_ONLY=(--deselect tests/provider/test_dags.py::test_rolling_reference_for_a_year_of_months
# The backtest gate DAG runs KLBacktestOperator and a gate with its thresholds,
# each tested on the minors by test_backtest_operator and test_operators under
# dag.test(); the whole DAG takes 37 s on 3.1.8 and 60 s on 3.2.2, so it too
# runs on the lock only.
              --deselect tests/provider/test_dags.py::test_backtest_gate_uses_the_thresholds_of_the_year)

case $action in
  lock) lock ;;
  build) build ;;
  test)
    build
    echo "== compat $name: Airflow $airflow, libraries as of $date ($resolution)"
    case $name in
      lowest) paths=("${FLOORS[@]}") ;;
      *) paths=("${AIRFLOW[@]}" "${LOCK_ONLY[@]}") ;;
    esac
    # Its own temp root: pytest prunes old numbered folders of a shared one.
    "$venv/bin/python" -m pytest -q -p no:cacheprovider --basetemp "/tmp/airflow-kl-compat-$name" --durations=15 \
      "${paths[@]}"
    ;;
  *) usage ;;
esac
