"""Columns worked on side by side in threads: numpy and Arrow release the GIL
in their kernels, so a frame's columns count (or profile) in parallel.

>>> map_columns(lambda name, n: f"{name}={n}", [("a", 1), ("b", 2)], rows=10)
['a=1', 'b=2']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

PARALLEL_ROWS = 1 << 16  # fewer rows: a thread costs more than it saves


def workers() -> int:
    """Threads to use: the CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def map_columns(fn: Callable[..., T], args: Sequence[tuple[Any, ...]], rows: int) -> list[T]:
    """``[fn(*a) for a in args]``, in threads when the columns are long enough;
    results in order, and the first failing column's error raised as is."""
    threads = min(workers(), len(args))
    if rows < PARALLEL_ROWS or threads < 2:
        return [fn(*a) for a in args]
    with ThreadPoolExecutor(threads, thread_name_prefix="airflow-kl") as pool:
        return list(pool.map(lambda a: fn(*a), args))
