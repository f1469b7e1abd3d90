"""A pair of features in a profile: which cells it keeps and their reference counts.

A pair's cells merge adjacent bins of each feature
(:func:`~airflow_kl.core.pairs.merged_cells`), chosen once from the
reference and stored, so that every check counts into the same cells. Its
table's row sums are a's counts merged into a's cells, its column sums b's:
a profile refuses a pair whose table disagrees with its features.

>>> from airflow_kl.core.profile import FeatureProfile
>>> a = FeatureProfile("a", "numeric", (5, 5, 0), edges=(0.0,))
>>> b = FeatureProfile("b", "categorical", (6, 4, 0, 0), categories=("x", "y"))
>>> pair = PairProfile(("a", "b"), ((0, 1, 2), (0, 1, 1, 2)), ((4, 1, 0), (2, 3, 0), (0, 0, 0)))
>>> pair.check({"a": a, "b": b}); pair.name
'a × b'
>>> read_pairs("a:b, c:d")
(('a', 'b'), ('c', 'd'))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .binning import MISSING
from .errors import ConfigError, ProfileError
from .inputs import COUNT_LIMIT

PAIR_BINS = 3  # value cells per feature: 9 value cells, ~11 rows each at min_rows=100
SEPARATOR = ":"  # between a pair's two features, in text: dep_delay:arr_delay


def merged_cells(counts, cells: int = PAIR_BINS) -> tuple[int, ...]:
    """Each bin's cell in a pair: adjacent value bins merged into at most
    ``cells`` cells of about equal reference rows (a bin goes to the cell its
    middle row falls in), MISSING (the last bin) a cell of its own. A
    categorical feature's OTHER is its last value bin: it merges with the
    least frequent categories.

    >>> merged_cells([10, 10, 10, 10, 10, 10, 10, 10, 0], cells=4)
    (0, 0, 1, 1, 2, 2, 3, 3, 4)
    >>> merged_cells([90, 5, 5, 0], cells=4)  # one bin holds most rows
    (0, 1, 1, 2)
    >>> merged_cells([0, 0, 0])  # no rows: one value cell
    (0, 0, 1)
    """
    values = np.asarray(counts[:-1], dtype=np.float64)
    total = values.sum()
    if total == 0:
        cell = np.zeros(len(values), dtype=np.int64)
    else:
        middle = (np.cumsum(values) - values / 2) / total
        cell = np.minimum((middle * cells).astype(np.int64), cells - 1)
        cell = np.unique(cell, return_inverse=True)[1]  # cells 0, 1, ... in bin order
    return (*cell.tolist(), int(cell.max(initial=-1)) + 1)


def merge_counts(counts, cells) -> np.ndarray:
    """A feature's counts summed into its pair cells.

    >>> merge_counts([1, 2, 3, 4], (0, 0, 1, 2)).tolist()
    [3, 3, 4]
    """
    cells = np.asarray(cells)
    weights = np.asarray(counts, dtype=np.float64)
    sums = np.bincount(cells, weights=weights, minlength=cells.max() + 1)
    return sums.astype(np.int64)  # counts below 2**53 add exactly as doubles


def cell_labels(fp: Any, cells: Sequence[int]) -> list[str]:
    """A label per cell of a feature in a pair: a numeric cell's range, a
    categorical cell's categories (the first two, then how many more).

    >>> from airflow_kl.core.profile import FeatureProfile
    >>> x = FeatureProfile("x", "numeric", (1, 1, 1, 1, 0), edges=(0.0, 1.0, 2.5))
    >>> cell_labels(x, (0, 0, 1, 1, 2))
    ['< 1', '>= 1', 'MISSING']
    >>> c = FeatureProfile("c", "categorical", (3, 2, 1, 1, 0), categories=("a", "b", "c"))
    >>> cell_labels(c, (0, 1, 1, 1, 2))
    ['a', 'b | c | OTHER', 'MISSING']
    """
    groups: dict[int, list[int]] = {}
    for i, cell in enumerate(cells[:-1]):
        groups.setdefault(cell, []).append(i)
    labels = []
    for members in groups.values():
        if fp.kind == "numeric":
            edges = [f"{v:.6g}" for v in fp.edges]
            low = edges[members[0] - 1] if members[0] > 0 else None
            high = edges[members[-1]] if members[-1] < len(edges) else None
            if low is None:
                labels.append(f"< {high}" if high is not None else "all values")
            else:
                labels.append(f">= {low}" if high is None else f"[{low}, {high})")
        else:
            names = [fp.labels[i] for i in members]
            shown = names if len(names) <= 3 else [*names[:2], f"+{len(names) - 2} more"]
            labels.append(" | ".join(shown))
    return [*labels, MISSING]


def read_pairs(value: Any) -> tuple[tuple[str, str], ...]:
    """Pairs of feature names from ``[("a", "b"), ...]``, ``["a:b", ...]`` or the
    text ``"a:b,c:d"`` (a command line's, a template's); each two different
    features, each pair once in either order."""
    if value is None:
        return ()
    items = [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value
    if not isinstance(items, Sequence) or isinstance(items, (bytes, bytearray)):
        raise ConfigError(f"pairs must be a list of (feature, feature) pairs, got {value!r}")
    pairs: list[tuple[str, str]] = []
    for item in items:
        pair = tuple(s.strip() for s in item.split(SEPARATOR)) if isinstance(item, str) else item
        if (
            not isinstance(pair, Sequence)
            or len(pair) != 2
            or not all(isinstance(n, str) and n for n in pair)
        ):
            raise ConfigError(
                f"a pair is two feature names, as ('a', 'b') or 'a{SEPARATOR}b', got {item!r}"
            )
        a, b = pair
        if a == b:
            raise ConfigError(f"a pair needs two different features, got {a!r} twice")
        if (a, b) in pairs or (b, a) in pairs:
            raise ConfigError(f"pair {a}{SEPARATOR}{b} is given twice")
        pairs.append((a, b))
    return tuple(pairs)


@dataclass(frozen=True)
class PairProfile:
    """Two features' joint reference counts in merged cells."""

    features: tuple[str, str]
    """The two features' names: a (the table's rows), then b (its columns)."""
    cells: tuple[tuple[int, ...], tuple[int, ...]]
    """Per feature, each of its bins' cell (adjacent bins share one; MISSING
    has its own)."""
    counts: tuple[tuple[int, ...], ...]
    """Reference rows per cell: one row per cell of a, one value per cell of b."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "features", tuple(self.features))
        object.__setattr__(self, "cells", tuple(tuple(c) for c in self.cells))
        object.__setattr__(self, "counts", tuple(tuple(r) for r in self.counts))

    @property
    def name(self) -> str:
        """``"a × b"``, as reports print it."""
        return " × ".join(self.features)

    @property
    def count_array(self) -> np.ndarray:
        """The reference table as an int64 array."""
        return np.array(self.counts, dtype=np.int64).reshape(self.shape)

    @property
    def shape(self) -> tuple[int, int]:
        """Cells of a by cells of b."""
        return tuple(max(c) + 1 for c in self.cells)  # type: ignore[return-value]

    def check(self, features: Mapping[str, Any]) -> None:
        """Raise :class:`~airflow_kl.ProfileError` unless the pair's features are
        profiled, its cells merge adjacent bins (MISSING alone) and its table
        sums to each feature's counts, merged.

        Parameters
        ----------
        features
            The profile's :class:`~airflow_kl.FeatureProfile` objects, by name.
        """
        where = f"pair {self.name!r}"
        for name, cells in zip(self.features, self.cells, strict=True):
            if name not in features:
                raise ProfileError(f"{where}: feature {name!r} is not in the profile")
            fp = features[name]
            if len(cells) != len(fp.counts):
                raise ProfileError(
                    f"{where}: {len(cells)} cells given for {name!r}, "
                    f"which has {len(fp.counts)} bins"
                )
            steps = np.diff(cells[:-1])
            if cells[0] != 0 or not np.isin(steps, (0, 1)).all() or cells[-1] != cells[-2] + 1:
                raise ProfileError(
                    f"{where}: the cells of {name!r} must merge adjacent bins, MISSING alone; "
                    f"got {list(cells)}"
                )
        rows, cols = self.shape
        if len(self.counts) != rows or any(len(r) != cols for r in self.counts):
            raise ProfileError(f"{where}: counts must be {rows} rows of {cols} cells")
        for c in (c for r in self.counts for c in r):
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < COUNT_LIMIT:
                raise ProfileError(f"{where}: counts must be integers in [0, 2**53), got {c!r}")
        table = self.count_array
        for axis, (name, cells) in enumerate(zip(self.features, self.cells, strict=True)):
            merged = merge_counts(features[name].counts, cells)
            if not np.array_equal(table.sum(axis=1 - axis), merged):
                raise ProfileError(
                    f"{where}: the table's sums over {name!r} are "
                    f"{table.sum(axis=1 - axis).tolist()}, its counts merged are {merged.tolist()}"
                )

    def to_dict(self) -> dict[str, Any]:
        """The pair as a profile file stores it."""
        return {
            "features": list(self.features),
            "cells": [list(c) for c in self.cells],
            "counts": [list(r) for r in self.counts],
        }

    @classmethod
    def from_dict(cls, data: Any) -> PairProfile:
        """A pair read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote; a missing or unknown field raises
            :class:`~airflow_kl.ProfileError`.
        """
        if not isinstance(data, dict) or set(data) != {"features", "cells", "counts"}:
            raise ProfileError(f"a pair has fields features, cells and counts, got {data!r:.80}")
        try:
            pair = cls(tuple(data["features"]), tuple(data["cells"]), tuple(data["counts"]))
            if len(pair.features) != 2 or len(pair.cells) != 2:
                raise TypeError("two features and two lists of cells")
            pair.shape  # noqa: B018  (cells must be numbers)
        except (TypeError, ValueError) as exc:
            raise ProfileError(f"pair {data.get('features')!r} is malformed: {exc}") from None
        return pair


def pair_cells(features: Mapping[str, Any], pairs: Sequence[tuple[str, str]]) -> list[PairProfile]:
    """Each pair's cells from its features' reference counts, its table still
    empty (the reference is counted into it next)."""
    out = []
    for a, b in pairs:
        for name in (a, b):
            if name not in features:
                raise ConfigError(
                    f"pair {a}{SEPARATOR}{b}: {name!r} is not a profiled feature; "
                    f"profiled: {', '.join(features)}"
                )
        cells = tuple(merged_cells(features[n].counts) for n in (a, b))
        rows, cols = (max(c) + 1 for c in cells)
        out.append(PairProfile((a, b), cells, ((0,) * cols,) * rows))
    return out


def with_tables(pairs: Sequence[PairProfile], tables: Mapping[tuple[str, str], Any]) -> tuple:
    """The pairs with their counted tables."""
    return tuple(
        PairProfile(p.features, p.cells, tuple(map(tuple, np.asarray(tables[p.features]).tolist())))
        for p in pairs
    )
