# airflow-kl: the two commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
UV := $(BIN)/uv
STAMP := $(VENV)/.installed

.PHONY: install demo test check docs docs-env docs-lock lint bench mutation lock clean system-deps compat compat-lock dist

install: $(STAMP)

# The venv is rebuilt whenever the lock or the project metadata changes.
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

# Debian packages the test suite runs for real (PostgreSQL and MariaDB servers, Java for
# Spark, Chromium).
system-deps:
	@bash scripts/system-deps.sh

demo: install
	@bash scripts/demo.sh

# The whole suite on the lock (the newest supported stack) and, beside it, the
# compatibility tests on the declared floors; CI (CI=true) also runs them on
# every supported Airflow minor. It installs what it needs and prints the time
# of each stage at its end (scripts/run-tests.sh).
test:
	@bash scripts/run-tests.sh $(TEST_COMPAT)

# The inner loop, in a few minutes and with no server: the statistics core, the
# Python API, the CLI, the in-memory engines (pandas, Arrow, files, DuckDB,
# SQLite) and the doctests, on both cores. It does not replace `make test`.
CHECK_PATHS := tests/core tests/test_api.py tests/test_cli.py tests/test_rolling.py \
	tests/test_options_contract.py tests/test_import_graph.py \
	tests/sources/test_frame.py tests/sources/test_files.py tests/sources/test_profiling.py \
	tests/sources/test_threads.py tests/sources/test_segments_frame.py \
	tests/sources/test_partitions_frame.py tests/sources/test_sql.py tests/sources/test_rendered_sql.py \
	tests/sources/test_memory_source.py tests/sources/test_source_protocol.py \
	tests/reliability/test_bad_inputs.py tests/provider/test_branch.py airflow_kl
check: install
	$(BIN)/ruff check .
	AIRFLOW_KL_CHECK=1 $(BIN)/python -m pytest -q -n 2 -p no:cacheprovider \
		--basetemp /tmp/airflow-kl-check -m "not alone and not slow" $(CHECK_PATHS)

# Supported Airflow minors and the lowest declared dependencies, each in its own
# venv under .compat/ from compat/NAME.lock (see scripts/compat.sh).
COMPAT_ENVS := lowest airflow-3.1 airflow-3.2
TEST_COMPAT := $(if $(CI),$(COMPAT_ENVS),lowest)

compat: install system-deps
	@for env in $(COMPAT_ENVS); do bash scripts/compat.sh test $$env || exit 1; done

compat-lock: install
	@for env in $(COMPAT_ENVS); do bash scripts/compat.sh lock $$env; done

# The documentation site from docs/ (Sphinx, MyST, the PyData theme), offline;
# any warning (a broken link, a page in no table of contents) fails the build.
# It has its own light environment (docs/requirements.lock, about 700 MB against
# the main lock's 2.9 GB), built without the main venv.
DOCS_VENV := .venv-docs
DOCS_STAMP := $(DOCS_VENV)/.installed

docs-env: $(DOCS_STAMP)

$(DOCS_STAMP): docs/requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11" >&2; exit 2; }
	test -x $(DOCS_VENV)/bin/python || $(PYTHON) -m venv $(DOCS_VENV)
	test -x $(DOCS_VENV)/bin/uv || $(DOCS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv
	$(DOCS_VENV)/bin/uv pip sync --quiet --python $(DOCS_VENV)/bin/python docs/requirements.lock
	$(DOCS_VENV)/bin/uv pip install --quiet --python $(DOCS_VENV)/bin/python --no-deps -e .
	touch $@

docs: docs-env
	$(DOCS_VENV)/bin/python -m sphinx -W --keep-going -q -b html docs docs/_build/html
	@echo "docs/_build/html/index.html"

docs-lock: install
	$(UV) pip compile docs/requirements.in -c requirements.lock --python-version 3.11 \
		-o docs/requirements.lock

# The wheel and sdist, checked: every package file in the wheel, and the wheel
# installed into a new venv runs `airflow-kl --version` (scripts/check_dist.py).
dist: install
	rm -rf dist
	$(UV) build -q --out-dir dist
	$(BIN)/python scripts/check_dist.py dist

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m bench

# Mutation testing of the statistics core (configuration: [tool.mutmut] in
# pyproject.toml); the summary and the survivors go to tests/MUTATION.md.
mutation: install
	rm -rf mutants
	HYPOTHESIS_PROFILE=ci $(BIN)/mutmut run --max-children 2 > /dev/null || true
	$(BIN)/python scripts/mutation_report.py > tests/MUTATION.md; status=$$?; \
	head -20 tests/MUTATION.md; exit $$status

lock:
	$(UV) pip compile pyproject.toml --all-extras --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) $(DOCS_VENV) .compat .pytest_cache build dist *.egg-info mutants docs/_build
