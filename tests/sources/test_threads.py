"""Columns counted in threads give the serial counts and the serial errors."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import airflow_kl as ak
from airflow_kl.core.errors import SchemaError
from airflow_kl.sources import threads
from airflow_kl.sources.frame import count_frame
from airflow_kl.sources.threads import PARALLEL_ROWS, map_columns


def frame(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            **{f"x{i}": rng.normal(i * 0.01, 1, rows) for i in range(6)},
            "city": rng.choice(["a", "b", "c", None], rows),
        }
    )


def test_threads_count_what_one_thread_counts(monkeypatch):
    reference, current = frame(PARALLEL_ROWS * 2, 1), frame(PARALLEL_ROWS * 2, 2)
    profile = ak.build_profile(reference)
    parallel = count_frame(current, profile.features)
    monkeypatch.setattr(threads, "workers", lambda: 1)
    serial = count_frame(current, profile.features)
    serial_profile = ak.build_profile(reference)  # built in another second, maybe:
    same_time = replace(serial_profile, created_at=profile.created_at)
    assert same_time.to_json() == profile.to_json()
    assert {k: v.tolist() for k, v in parallel.items()} == {
        k: v.tolist() for k, v in serial.items()
    }
    city, categories = current["city"], profile.features["city"].categories
    assert serial["city"].tolist() == [
        *(int((city == c).sum()) for c in categories),
        0,
        int(city.isna().sum()),
    ]


def test_results_in_order_and_first_error_in_column_order():
    assert map_columns(lambda v: v * 2, [(i,) for i in range(50)], rows=PARALLEL_ROWS) == [
        i * 2 for i in range(50)
    ]

    def fail_on(name):
        if name in ("b", "d"):
            raise SchemaError(f"bad column {name}")
        return name

    with pytest.raises(SchemaError, match="bad column b"):
        map_columns(fail_on, [(c,) for c in "abcde"], rows=PARALLEL_ROWS)


def _threads_used(monkeypatch, cpus: int, columns: int, rows: int) -> tuple[set[str], int]:
    """The names of the threads ``map_columns`` ran ``fn`` in, and the most
    calls that ran at once, with ``cpus`` CPUs to use."""
    import threading
    import time

    monkeypatch.setattr(threads, "workers", lambda: cpus)
    lock, names, running, most = threading.Lock(), set(), [0], [0]

    def fn(i):
        with lock:
            names.add(threading.current_thread().name)
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.02)  # long enough for every pool thread to take a column
        with lock:
            running[0] -= 1
        return i

    assert map_columns(fn, [(i,) for i in range(columns)], rows=rows) == list(range(columns))
    return names, most[0]


def test_short_columns_and_single_columns_run_in_the_calling_thread(monkeypatch):
    """Below PARALLEL_ROWS rows, or with fewer than two columns or CPUs, every
    call runs in the caller's thread (its numpy error state, warnings filters and
    context variables apply)."""
    import threading

    caller = {threading.current_thread().name}
    assert _threads_used(monkeypatch, 8, 8, PARALLEL_ROWS - 1) == (caller, 1)
    assert _threads_used(monkeypatch, 8, 1, PARALLEL_ROWS) == (caller, 1)
    assert _threads_used(monkeypatch, 1, 8, PARALLEL_ROWS) == (caller, 1)
    assert _threads_used(monkeypatch, 8, 0, PARALLEL_ROWS) == (set(), 0)


@pytest.mark.parametrize("cpus", [2, 3])
def test_long_columns_run_in_one_named_thread_per_cpu(monkeypatch, cpus):
    """From PARALLEL_ROWS rows and two columns and CPUs on: at most one
    ``airflow-kl`` thread per CPU (and per column), never the caller's."""
    names, most = _threads_used(monkeypatch, cpus, 12, PARALLEL_ROWS)
    assert most == cpus
    assert 1 < len(names) <= cpus
    assert all(n.startswith("airflow-kl_") for n in names), names
    names, most = _threads_used(monkeypatch, 8, 2, PARALLEL_ROWS)
    assert most == 2 and len(names) == 2


def test_no_features_on_long_frames_check_nothing():
    """``features=[]`` on a frame long enough for threads: no columns, no drift."""
    data = frame(PARALLEL_ROWS, 3)
    profile = ak.build_profile(data)
    report = ak.check_drift(profile, data, features=[])
    assert report.features == {} and not report.drifted
