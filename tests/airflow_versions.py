"""Airflow internals the tests reach that moved between the supported minors
(the package's own differences live in airflow_kl/provider/compat.py)."""

from __future__ import annotations

import sys
from typing import Any


def dag_bag(folder: str) -> Any:
    """A ``DagBag`` of ``folder``: ``airflow.dag_processing.dagbag`` from 3.2,
    ``airflow.models.dagbag`` in 3.1."""
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:
        from airflow.models.dagbag import DagBag
    return DagBag(dag_folder=folder)


def reuse_in_process_api() -> None:
    """Build ``dag.test()``'s in-process Execution API once per process, as
    Airflow 3.3 does (apache/airflow#65235).

    On 3.1 and 3.2 ``dag.test()`` builds a new FastAPI app (Cadwyn's versioned
    routes, an event-loop thread) for every task it runs, 2-4 s each; the app
    holds no state of a run (the DAG bag is set per run), so one serves them
    all. A no-op where the function is already cached.
    """
    import functools

    from airflow.sdk.execution_time import supervisor

    if not hasattr(supervisor.in_process_api_server, "cache_info"):
        supervisor.in_process_api_server = functools.lru_cache(maxsize=1)(
            supervisor.in_process_api_server
        )


# ``airflow dags test`` with :func:`reuse_in_process_api` applied first: the
# command line of a test deployment's worker (its PYTHONPATH holds the repo).
DAGS_TEST = [
    sys.executable,
    "-c",
    "import sys; from tests.airflow_versions import reuse_in_process_api; "
    "reuse_in_process_api(); from airflow.__main__ import main; "
    "sys.argv[0] = 'airflow'; sys.exit(main())",
    "dags",
    "test",
]
