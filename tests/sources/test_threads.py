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
