"""Checks at the public boundary: counts and p-values are refused, with the
value named, before any statistic is computed from them (as scipy checks its
input first). The counting core assumes what these functions guarantee.

>>> count_vector([3, 0, 2.0], "feature 'x'").tolist()
[3, 0, 2]
>>> count_vector([250.5, 749.5, 0], "feature 'x'")
Traceback (most recent call last):
...
airflow_kl.core.errors.SchemaError: feature 'x': counts must be whole numbers >= 0, got 250.5
>>> pvalue_vector([0.2, 1.5])
Traceback (most recent call last):
...
airflow_kl.core.errors.ConfigError: p-values must be numbers in [0, 1], got 1.5
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import AirflowKLError, ConfigError, SchemaError

COUNT_LIMIT = 2.0**53  # every count below it is exact as a float64, and sums fit an int64


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.number)) and not isinstance(value, (bool, np.bool_))


def _numbers(values: Any, what: str, error: type[AirflowKLError]) -> np.ndarray:
    """``values`` as a 1-D numeric array; anything else (a string, a bool, a
    nested list, a mapping) is refused, naming the first value that is not a
    number."""
    flat = values.ndim == 1 if isinstance(values, np.ndarray) else hasattr(values, "__len__")
    if not flat or isinstance(values, (str, bytes, dict)):
        raise error(f"{what} must be a list of numbers, got {values!r}")
    items = values.tolist() if isinstance(values, np.ndarray) else list(values)
    odd = [v for v in items if not _is_number(v)]
    if odd:
        raise error(f"{what} must be a list of numbers, got {odd[0]!r}")
    found = np.asarray(values)
    if found.dtype.kind not in ("i", "u", "f"):  # complex, or integers past int64
        raise error(f"{what} must be a list of real numbers below 2**63, got {values!r}")
    return found


def _integer_counts(counts: Any) -> bool:
    """A 1-D integer array whose every value is a count (>= 0, below the limit)."""
    return (
        isinstance(counts, np.ndarray)
        and counts.ndim == 1
        and counts.dtype.kind in "iu"
        and (counts.size == 0 or (counts.min() >= 0 and counts.max() < COUNT_LIMIT))
    )


def count_vector(
    counts: Any,
    where: str,
    size: int | None = None,
    error: type[AirflowKLError] = SchemaError,
) -> np.ndarray:
    """Bin counts as int64, refused unless they are (``size``) finite,
    non-negative whole numbers: a fraction is not truncated, a string not
    parsed, a bool not taken for 0 or 1. ``where`` starts each message."""
    if _integer_counts(counts):  # what every engine counts into: only the range to check
        if size is not None and counts.size != size:
            raise error(f"{where}: {counts.size} current bins, profile has {size}")
        return counts.astype(np.int64, copy=False)
    found = _numbers(counts, f"{where}: counts", error)
    bad = ~np.isfinite(found) | (found < 0) | (found != np.floor(found)) | (found >= COUNT_LIMIT)
    if bad.any():
        raise error(f"{where}: counts must be whole numbers >= 0, got {found[bad][0].item()!r}")
    if size is not None and found.size != size:
        raise error(f"{where}: {found.size} current bins, profile has {size}")
    return found.astype(np.int64)


def whole_count(value: Any, where: str, error: type[AirflowKLError] = SchemaError) -> int:
    """One count, refused unless it is a whole number >= 0 (as :func:`count_vector`).

    >>> whole_count(4.0, "n_current")
    4
    """
    if not _is_number(value) or not (0 <= value < COUNT_LIMIT) or value != math.floor(value):
        raise error(f"{where}: a count must be a whole number >= 0, got {value!r}")
    return int(value)


def count_pair(current: Any, reference: Any) -> tuple[np.ndarray, np.ndarray]:
    """Two count vectors of one length (current, reference), checked.

    >>> count_pair([1, 2], [3])
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.SchemaError: count vectors differ in length: 2 current bins, 1 reference
    """
    cur, ref = count_vector(current, "current"), count_vector(reference, "reference")
    if cur.size != ref.size:
        raise SchemaError(
            f"count vectors differ in length: {cur.size} current bins, {ref.size} reference"
        )
    return cur, ref


def pvalue_vector(pvalues: Any) -> np.ndarray:
    """p-values as float64, refused unless each is a number in [0, 1]."""
    found = np.asarray(_numbers(pvalues, "p-values", ConfigError), dtype=np.float64)
    bad = ~((found >= 0) & (found <= 1))  # NaN fails both comparisons
    if bad.any():
        raise ConfigError(f"p-values must be numbers in [0, 1], got {found[bad][0].item()!r}")
    return found


def instance_of(value: Any, kind: type, what: str, hint: str = "") -> Any:
    """``value`` if it is a ``kind``, else a ConfigError naming what was given."""
    if not isinstance(value, kind):
        raise ConfigError(f"{what} must be a {kind.__name__}{hint}, got {value!r}")
    return value


def rows_alike(pattern: np.ndarray) -> list[np.ndarray]:
    """The row numbers of each distinct row of a boolean matrix.

    >>> [r.tolist() for r in rows_alike(np.array([[True, False], [False, True], [True, False]]))]
    [[1], [0, 2]]
    """
    if len(pattern) == 0:
        return []
    _, which = np.unique(pattern, axis=0, return_inverse=True)
    which = which.reshape(-1)
    return [np.flatnonzero(which == j) for j in range(which.max() + 1)]
