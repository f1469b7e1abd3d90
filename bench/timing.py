"""Best-of-n wall time, and measurements taken in a fresh child interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable

# VmHWM is the peak RSS of this process image. ru_maxrss is not: Linux keeps it
# across fork+exec, so a child would report its parent's size when that is larger.
CHILD_FOOTER = """
import json as _json
with open("/proc/self/status") as _status:
    _hwm = next(line for line in _status if line.startswith("VmHWM:"))
RESULT["peak_rss_mib"] = int(_hwm.split()[1]) / 1024
print(_json.dumps(RESULT))
"""


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_child(code: str) -> dict:
    """Run ``code`` (which fills a dict ``RESULT``) in a fresh interpreter, so its
    peak RSS is its own; returns RESULT plus ``peak_rss_mib``."""
    out = subprocess.run(
        [sys.executable, "-c", code + CHILD_FOOTER], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])
