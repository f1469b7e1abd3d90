"""How long ``airflow-kl --help`` takes to start, beside a bare interpreter.

Each figure is the least of ``REPEAT`` whole processes (start-up, imports,
printing the help, exit), timed from the parent: what a person waits for.
Baseline: ``python -c pass`` in the same run. Target: ``--help`` within
0.3 s on a quiet machine.
"""

from __future__ import annotations

import subprocess
import sys
import time

REPEAT = 15
PROGRAMS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "airflow-kl --help": [sys.executable, "-m", "airflow_kl.cli", "--help"],
    "airflow-kl check --help": [sys.executable, "-m", "airflow_kl.cli", "check", "--help"],
}


def _seconds(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def run() -> list[dict]:
    for argv in PROGRAMS.values():  # warm the page cache
        _seconds(argv)
    best = {name: float("inf") for name in PROGRAMS}
    for _ in range(REPEAT):
        for name, argv in PROGRAMS.items():  # interleaved: load drifts hit all alike
            best[name] = min(best[name], _seconds(argv))
    bare = best.pop("python -c pass")
    return [
        {
            "benchmark": f"CLI start-up: {name} vs python -c pass",
            "baseline_s": bare,
            "ours_s": seconds,
            "extra_s": seconds - bare,
            "target": "ours_s <= 0.3 s",
        }
        for name, seconds in best.items()
    ]
