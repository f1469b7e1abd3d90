"""Pairs counted by an engine that groups (SQL, Spark's aggregates), in the
scan that counts the features.

A pair's table is its first feature's cells by its second's. Grouping the
features' tallies by one feature's pair cell (a ``CASE`` of a few
comparisons) gives, per group, the counts of every other feature among the
rows of that cell: the table of every pair holding that feature, once the
partner's bins are merged into its cells. The groups' counts add up to the
features' own counts, so the marginals come from the same rows: no tally
per cell, no second scan.

The features grouped on cover every pair (a greedy vertex cover: the feature
in most pairs first). Their cells multiply: a scan groups on as many of them
as keep at most :data:`MAX_GROUPS` groups, and a cover larger than that
(many pairs sharing no feature) takes one more scan per such set, counting
only the partners it needs.

>>> from airflow_kl.core.pair_profile import PairProfile
>>> def pair(a, b):
...     return PairProfile((a, b), ((0, 1, 2, 3),) * 2, ((0,) * 4,) * 4)
>>> [[k for k, _ in s.keys] for s in pair_scans([pair("a", "b"), pair("c", "a")])]
[['a']]
>>> [[k for k, _ in s.keys] for s in pair_scans([pair("a", "b"), pair("c", "d")], max_groups=4)]
[['a'], ['c']]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.pair_profile import PairProfile, merge_counts
from ..core.profile import FeatureProfile
from .source import empty_groups

MAX_GROUPS = 4096  # groups of one scan: the product of its key features' cells

Cells = tuple[int, ...]


@dataclass(frozen=True)
class PairScan:
    """One scan's grouping: the features (with their cells) it groups on, and
    the pairs it counts, each with the position of its grouped feature."""

    keys: tuple[tuple[str, Cells], ...]
    pairs: tuple[tuple[PairProfile, int], ...]

    @property
    def partners(self) -> list[str]:
        """The features whose counts per group this scan's pairs need."""
        names = [p.features[1 - p.features.index(self.keys[k][0])] for p, k in self.pairs]
        return list(dict.fromkeys(names))

    def add(self, tables: dict, cells: Sequence[Any], counts: Mapping[str, np.ndarray]) -> None:
        """Add one group's counts (its key cells ``cells``) to the pairs' tables."""
        for pair, k in self.pairs:
            name, _ = self.keys[k]
            side = pair.features.index(name)
            partner = 1 - side
            merged = merge_counts(counts[pair.features[partner]], pair.cells[partner])
            table = tables[pair.features]
            if side == 0:
                table[int(cells[k]), :] += merged
            else:
                table[:, int(cells[k])] += merged


def pair_scans(pairs: Sequence[PairProfile], max_groups: int | None = None) -> list[PairScan]:
    """The scans that count ``pairs``: a greedy cover of the pairs by features,
    split into scans of at most ``max_groups`` groups each (:data:`MAX_GROUPS`)."""
    max_groups = MAX_GROUPS if max_groups is None else max_groups
    keys: list[tuple[str, Cells]] = []
    assigned: dict[int, tuple[str, Cells]] = {}
    left = list(range(len(pairs)))
    while left:
        seen: dict[tuple[str, Cells], int] = {}
        for i in left:
            for key in zip(pairs[i].features, pairs[i].cells, strict=True):
                seen[key] = seen.get(key, 0) + 1
        best = max(seen, key=seen.__getitem__)  # the first of the most frequent
        keys.append(best)
        for i in [i for i in left if best in zip(pairs[i].features, pairs[i].cells, strict=True)]:
            assigned[i] = best
            left.remove(i)
    scans: list[list[tuple[str, Cells]]] = []
    groups = max_groups + 1
    for key in keys:
        size = max(key[1]) + 1
        if groups * size > max_groups:
            scans.append([])
            groups = 1
        scans[-1].append(key)
        groups *= size
    return [
        PairScan(
            tuple(scan),
            tuple((p, scan.index(assigned[i])) for i, p in enumerate(pairs) if assigned[i] in scan),
        )
        for scan in scans
    ]


def grouped_with_pairs(
    features: Mapping[str, FeatureProfile],
    pairs: Sequence[PairProfile],
    outer: int,
    grouped: Callable[[Mapping[str, FeatureProfile], list[Any]], dict[tuple, dict[str, Any]]],
    cell: Callable[[str, Cells], Any],
) -> dict[tuple, dict[Any, np.ndarray]]:
    """Every feature's counts and each pair's table per outer key: for each scan
    of :func:`pair_scans`, ``grouped(features counted, cell keys)`` gives the
    counts per key (the ``outer`` keys first, then the cells), and ``cell(name,
    cells)`` is the engine's cell expression of a feature (:func:`cell_whens`)."""
    found: dict[tuple, dict[Any, np.ndarray]] = {}
    for i, scan in enumerate(pair_scans(pairs)):
        counted = features if i == 0 else {n: features[n] for n in scan.partners}
        by_cells = grouped(counted, [cell(n, c) for n, c in scan.keys])
        for key, counts in by_cells.items():
            group = found.get(key[:outer])
            if group is None:
                group = found[key[:outer]] = empty_groups(features, 1, pairs)[0]
            if i == 0:
                for name in features:
                    group[name] += counts[name]
            scan.add(group, key[outer:], counts)
    return found


def cell_whens(ops: Any, fp: FeatureProfile, cells: Cells) -> tuple[list[tuple[Any, int]], int]:
    """Each row's pair cell of feature ``fp`` as ``(whens, else)``: conditions in
    order, each with its cell, by the comparisons its own tallies make
    (``ops``: missing, below an edge, equal to a category): MISSING first, then
    a numeric value's cell by the edges where cells change, a category's by its
    cell's categories (OTHER: the rest)."""
    whens = [(ops.missing(), cells[-1])]
    if fp.kind == "numeric":
        for i, edge in enumerate(fp.edges):
            if cells[i] != cells[i + 1]:
                whens.append((ops.less(float(edge)), cells[i]))
        return whens, cells[-2]
    other = cells[len(fp.categories)]
    for cell in sorted(set(cells[: len(fp.categories)]) - {other}):
        members = [c for c, k in zip(fp.categories, cells, strict=False) if k == cell]
        condition = ops.equals(members[0])
        for c in members[1:]:
            condition = condition | ops.equals(c)
        whens.append((condition, cell))
    return whens, other
