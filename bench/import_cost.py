"""What a DAG file and a task pay for airflow-kl at import, in fresh interpreters.

- parse: ``import airflow.sdk`` alone vs the same plus the operators, the
  branch helper and the exceptions (what a DAG file imports; the
  dag-processor pays it at every parse). Target: at most 15% more.
- start-up: the same ``import airflow.sdk`` vs importing it and then checking a
  small Parquet partition against a profile (everything ``execute()`` loads
  for a Parquet source). Target: within 1 s of ``import airflow.sdk``.

Each figure is the least of ``REPEAT`` runs, timed inside the child around
the imports themselves.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from unittest.mock import patch

from .timing import run_child

REPEAT = 7
# Each child times its own imports (perf_counter around them), so process
# start-up and exit, which vary by tenths of a second here, weigh on neither.
PROBE = """
import time
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
{then}
RESULT = {{"sdk": t1 - t0, "then": time.perf_counter() - t1}}
"""
PARSE = "from airflow_kl.provider import KLDriftCheckOperator, drift_branch, DriftDetected"
STARTUP = """
from airflow_kl.provider import KLDriftCheckOperator
from airflow_kl.api import check_drift
from airflow_kl.core.profile import Profile
report = check_drift(Profile.load({profile!r}), {partition!r})
assert report.features
"""


def _seconds(code: str) -> tuple[float, float]:
    """(seconds of ``import airflow.sdk``, seconds of ``code`` after it) in a fresh child."""
    found = run_child(PROBE.format(then=code))
    return found["sdk"], found["then"]


def _fixture(folder: Path) -> tuple[str, str]:
    """A 10,000-row Parquet partition and the profile of another one."""
    import numpy as np
    import pandas as pd

    import airflow_kl as ak

    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame({"x": rng.normal(size=10_000), "c": rng.choice(list("abc"), 10_000)})
        for _ in range(2)
    ]
    profile, partition = folder / "profile.json", folder / "part.parquet"
    ak.build_profile(frames[0]).save(profile)
    frames[1].to_parquet(partition)
    return str(profile), str(partition)


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        profile, partition = _fixture(Path(tmp))
        airflow_env = {"AIRFLOW_HOME": tmp, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
        programs = {
            "parse": PARSE,
            "startup": STARTUP.format(profile=profile, partition=partition),
        }
        with patch.dict(os.environ, airflow_env):  # the children's Airflow home
            for code in programs.values():  # warm the page cache
                _seconds(code)
            sdk, times = float("inf"), {name: float("inf") for name in programs}
            for _ in range(REPEAT):
                for name, code in programs.items():
                    first, then = _seconds(code)
                    sdk, times[name] = min(sdk, first), min(times[name], then)
    return [
        {
            "benchmark": "DAG parse: import airflow.sdk + our operators vs import airflow.sdk",
            "baseline_s": sdk,
            "ours_s": sdk + times["parse"],
            "slowdown": (sdk + times["parse"]) / sdk,
            "target": "<= 1.15x",
        },
        {
            "benchmark": "task start-up: import airflow.sdk + check a Parquet partition, "
            "vs import airflow.sdk (seconds added in extra_s)",
            "baseline_s": sdk,
            "ours_s": sdk + times["startup"],
            "extra_s": times["startup"],
            "target": "extra_s <= 1 s",
        },
    ]
