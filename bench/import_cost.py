"""What a DAG file and a task pay for airflow-kl at import, in fresh interpreters.

- parse: ``import airflow.sdk`` alone vs the same plus the operators, the
  branch helper and the exceptions (what a DAG file imports; the
  dag-processor pays it at every parse). Target: at most 15% more.
- start-up: the same ``import airflow.sdk`` vs importing it and then checking a
  small Parquet partition against a profile (everything ``execute()`` loads
  for a Parquet source). Target: within 1 s of ``import airflow.sdk``.

Each figure is the least of ``REPEAT`` runs, the interpreters taking turns, so
a busy moment of the machine weighs on neither side alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = 7
SDK = "import airflow.sdk"
PARSE = SDK + "\nfrom airflow_kl.provider import KLDriftCheckOperator, drift_branch, DriftDetected"
STARTUP = (
    SDK
    + """
from airflow_kl.provider import KLDriftCheckOperator
from airflow_kl.api import check_drift
from airflow_kl.core.profile import Profile
report = check_drift(Profile.load({profile!r}), {partition!r})
assert report.features
"""
)


def _seconds(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


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
        env = {**os.environ, "AIRFLOW_HOME": tmp, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
        programs = {
            "sdk": SDK,
            "parse": PARSE,
            "startup": STARTUP.format(profile=profile, partition=partition),
        }
        for code in programs.values():  # warm the page cache
            _seconds(code, env)
        times: dict[str, float] = {name: float("inf") for name in programs}
        for _ in range(REPEAT):
            for name, code in programs.items():
                times[name] = min(times[name], _seconds(code, env))
    sdk = times["sdk"]
    return [
        {
            "benchmark": "DAG parse: import airflow.sdk + our operators vs import airflow.sdk",
            "baseline_s": sdk,
            "ours_s": times["parse"],
            "slowdown": times["parse"] / sdk,
            "target": "<= 1.15x",
        },
        {
            "benchmark": "task start-up: import airflow.sdk + check a Parquet partition, "
            "vs import airflow.sdk (seconds added in extra_s)",
            "baseline_s": sdk,
            "ours_s": times["startup"],
            "extra_s": times["startup"] - sdk,
            "target": "extra_s <= 1 s",
        },
    ]
