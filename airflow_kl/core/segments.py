"""Segments: the same bins counted per group of rows (an airport, a store, a tier).

A profile built with ``segment_by`` keeps, beside each feature's counts, the
counts of every *segment*: the ``max_segments`` combinations of the segment
columns' values with the most reference rows (ties by their text, as for
categories), then ``OTHER`` for all the rest, including combinations the
reference never had. Values compare in their canonical form
(:func:`airflow_kl.core.values.canonical`); a missing value is ``None`` in a
key and reads ``MISSING``. Segment columns hold strings or booleans; numbers
and dates must be cast first, so no engine has to agree with another on how
to print a float.

Every segment is counted in the feature's bins, so the segments' counts add
up to the feature's counts, exactly (a profile checks it). The engines render
the membership of a segment from :func:`segment_conditions` (SQL, Spark) or
compute it with :func:`segment_index` (numpy).

>>> top_segments({("JFK",): 5, ("EWR",): 5, ("LGA",): 2, (None,): 1}, max_segments=2)
(('EWR',), ('JFK',))
>>> segment_label(("JFK", None)), segment_label(None)
('JFK / MISSING', 'OTHER')
>>> check_segment_by("origin, carrier")
('origin', 'carrier')
"""

from __future__ import annotations

import json
import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .binning import MISSING, OTHER, BinOps
from .errors import ConfigError, ProfileError, SchemaError
from .inputs import COUNT_LIMIT
from .option_values import check_segment_by
from .values import NULL, check_value_type

Key = tuple[str | None, ...]
SEGMENT_VALUES = ("string", "boolean")
LOOKUP_MAX = 1 << 20  # segment columns' combinations: up to this many, a lookup table


def check_max_segments(value: Any) -> int:
    """Validate ``max_segments``: an integer of at least 1."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"max_segments must be an integer >= 1, got {value!r}")
    return int(value)


def _sort_text(key: Key) -> str:
    return json.dumps(key)


def check_segment_column(
    name: str, value: str, type_name: str, engine: str, expected: str | None = None
) -> None:
    """Refuse a segment column that holds neither strings nor booleans (an
    all-null column holds anything), or not the value type the profile recorded.

    >>> check_segment_column("month", "number", "int64", "pandas")
    Traceback (most recent call last):
    ...
    airflow_kl.core.errors.SchemaError: segment column 'month' is number (int64) in pandas; ...
    """
    if value not in (*SEGMENT_VALUES, NULL):
        raise SchemaError(
            f"segment column {name!r} is {value} ({type_name}) in {engine}; segments are "
            "string or boolean columns: cast it to a string"
        )
    if expected is not None:
        check_value_type(name, expected, expected, value, type_name, engine)


def top_segments(rows: Mapping[Key, int], max_segments: int) -> tuple[Key, ...]:
    """The ``max_segments`` keys with the most rows (ties: by their JSON text)."""
    ranked = sorted(rows, key=lambda k: (-rows[k], _sort_text(k)))
    return tuple(ranked[: check_max_segments(max_segments)])


def segment_label(key: Key | None) -> str:
    """How a segment reads in tables: values joined by `` / ``, None as MISSING,
    the rest as OTHER."""
    if key is None:
        return OTHER
    return " / ".join(MISSING if v is None else v for v in key)


def segment_conditions(ops: Sequence[BinOps], keys: Sequence[Key]) -> list[list[Any]]:
    """Per key, the conditions (one per segment column) a row of it meets: the
    column equals the key's value, or is missing where the key has None.

    >>> class Show:
    ...     def __init__(self, c): self.c = c
    ...     def missing(self): return f"{self.c} missing"
    ...     def equals(self, v): return f"{self.c} = {v!r}"
    >>> segment_conditions([Show("a"), Show("b")], [("x", None)])
    [["a = 'x'", 'b missing']]
    """
    return [
        [op.missing() if v is None else op.equals(v) for op, v in zip(ops, key, strict=True)]
        for key in keys
    ]


def _counts(name: str, counts: Any) -> tuple[int, ...]:
    """A segment's counts of one feature as Python ints, each a count below
    2**53 (as a feature's): a fraction, a string or a negative is refused."""
    try:
        found = tuple(operator.index(c) for c in counts)
    except TypeError:
        raise ProfileError(
            f"segments: counts of {name!r} must be integers, got {counts!r}"
        ) from None
    bad = [c for c in found if not 0 <= c < COUNT_LIMIT]
    if bad:
        raise ProfileError(f"segments: counts of {name!r} must be in [0, 2**53), got {bad[0]}")
    return found


def segment_index(
    codes: Sequence[np.ndarray], labels: Sequence[Sequence[str]], keys: Sequence[Key]
) -> np.ndarray:
    """Each row's segment: its position in ``keys``, or ``len(keys)`` (OTHER).

    ``codes[j]`` gives, per row, the position of column ``j``'s value in
    ``labels[j]`` (-1 where missing).

    >>> segment_index([np.array([0, 1, -1, 0])], [["EWR", "JFK"]], [("JFK",), (None,)]).tolist()
    [2, 0, 1, 2]
    """
    combined, sizes = 0, []
    for j, (code, names) in enumerate(zip(codes, labels, strict=True)):
        at = {v: i for i, v in enumerate(dict.fromkeys(key[j] for key in keys))}
        unknown = len(at)
        # the last entry is for -1 (missing): the position of None, if a key has it
        lookup = np.array([at.get(n, unknown) for n in names] + [at.get(None, unknown)])
        combined = combined * (unknown + 1) + lookup[code]
        sizes.append((at, unknown + 1))
    flat = 0  # each key coded the same way
    for j, (at, size) in enumerate(sizes):
        flat = flat * size + np.array([at[key[j]] for key in keys])
    combinations = math.prod(size for _, size in sizes)
    if combinations <= LOOKUP_MAX:  # a table of every combination: one gather
        table = np.full(combinations, len(keys))
        table[flat] = np.arange(len(keys))
        return table[combined]
    order = np.argsort(flat)
    position = np.searchsorted(flat[order], combined).clip(max=len(keys) - 1)
    return np.where(flat[order][position] == combined, order[position], len(keys))


def segment_offsets(segments: np.ndarray, groups: int, width: int) -> np.ndarray:
    """Each row's first (segment, bin) cell, ``segment * width``, in the smallest
    integer type that holds every cell (shared by the columns of one width).

    >>> offsets = segment_offsets(np.array([0, 2, 1]), 3, 4)
    >>> offsets.tolist(), offsets.dtype
    ([0, 8, 4], dtype('uint8'))
    """
    cells = np.min_scalar_type(groups * width)
    kind = cells if np.can_cast(cells, np.intp) else np.intp
    return (segments * width).astype(kind)


def count_by_offset(offsets: np.ndarray, bins: np.ndarray, groups: int, width: int):
    """Counts per (segment, bin) of rows given by their :func:`segment_offsets`
    and bin indexes.

    >>> segments, bins = np.array([0, 0, 1]), np.array([1, 1, 0])
    >>> count_by_offset(segment_offsets(segments, 2, 3), bins, 2, 3).tolist()
    [[0, 2, 0], [1, 0, 0]]
    """
    flat = np.bincount(offsets + bins, minlength=groups * width)
    return flat.reshape(groups, width)


@dataclass(frozen=True)
class SegmentProfile:
    """The reference counts per segment: ``counts[i]`` for ``keys[i]``, the last
    for OTHER, each ``{feature: counts}`` in the features' bins.

    ``values`` are the segment columns' value types (``string``/``boolean``).
    """

    by: tuple[str, ...]
    """The segment columns, in the order a key lists their values."""
    keys: tuple[Key, ...]
    """The segments kept, one value per column of ``by`` each (None for a
    missing value); every other combination counts in OTHER."""
    counts: tuple[Mapping[str, tuple[int, ...]], ...]
    """Each segment's ``{feature: counts}`` in the features' bins, one per key,
    OTHER last."""
    values: tuple[str, ...] = ()
    """The value type of each segment column: ``string`` or ``boolean``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "by", tuple(self.by))
        object.__setattr__(self, "keys", tuple(tuple(k) for k in self.keys))
        object.__setattr__(self, "values", tuple(self.values) or ("string",) * len(self.by))
        object.__setattr__(
            self,
            "counts",
            tuple({n: _counts(n, cs) for n, cs in g.items()} for g in self.counts),
        )
        self.validate()

    @property
    def labels(self) -> list[str]:
        """Each segment's label, OTHER last."""
        return [segment_label(k) for k in self.keys] + [OTHER]

    @property
    def all_keys(self) -> list[Key | None]:
        """The keys, then None for OTHER: one per entry of ``counts``."""
        return [*self.keys, None]

    def validate(self) -> None:
        """Raise :class:`~airflow_kl.ProfileError` naming the first field that
        is inconsistent (a key of the wrong length, a repeated key, a count
        missing for OTHER)."""
        try:
            check_segment_by(list(self.by))
        except ConfigError as exc:
            raise ProfileError(f"segments: {exc}") from None
        if len(self.values) != len(self.by) or any(v not in SEGMENT_VALUES for v in self.values):
            raise ProfileError(f"segments: values must be one of {SEGMENT_VALUES} per column")
        for key in self.keys:
            if len(key) != len(self.by) or any(
                v is not None and not isinstance(v, str) for v in key
            ):
                raise ProfileError(f"segments: key {list(key)!r} must hold {len(self.by)} strings")
        if not self.keys:
            raise ProfileError("segments: at least one key is needed")
        if len(set(self.keys)) != len(self.keys):
            raise ProfileError("segments: keys must be unique")
        if len(self.counts) != len(self.keys) + 1:
            raise ProfileError(
                f"segments: {len(self.keys)} keys need {len(self.keys) + 1} counts (OTHER last), "
                f"got {len(self.counts)}"
            )

    def check_sums(self, features: Mapping[str, Any]) -> None:
        """Raise :class:`~airflow_kl.ProfileError` unless every segment counts
        every feature and the segments add up to its counts.

        Parameters
        ----------
        features
            The profile's :class:`~airflow_kl.FeatureProfile` objects, by name.
        """
        for label, group in zip(self.labels, self.counts, strict=True):
            if set(group) != set(features):
                raise ProfileError(f"segment {label!r} counts {sorted(group)}, not the features")
        for name, f in features.items():
            total = [sum(g[name][i] for g in self.counts) for i in range(len(f.counts))]
            if any(len(g[name]) != len(f.counts) for g in self.counts) or total != list(f.counts):
                raise ProfileError(
                    f"segments of feature {name!r} add up to {total}, not its counts "
                    f"{list(f.counts)}"
                )

    def bins(self) -> dict[str, Any]:
        """What counting into these segments depends on (for the bins checksum)."""
        return {"by": list(self.by), "keys": [list(k) for k in self.keys]}

    def to_dict(self) -> dict[str, Any]:
        """The segments as the profile file stores them."""
        return {
            "by": list(self.by),
            "values": list(self.values),
            "keys": [list(k) for k in self.keys],
            "counts": [{n: list(c) for n, c in g.items()} for g in self.counts],
        }

    @classmethod
    def from_dict(cls, data: Any) -> SegmentProfile:
        """Segments read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            What :meth:`to_dict` wrote; an unknown or missing field raises
            :class:`~airflow_kl.ProfileError`.
        """
        if not isinstance(data, dict):
            raise ProfileError(f"segments must be an object, got {type(data).__name__}")
        unknown = set(data) - {"by", "values", "keys", "counts"}
        if unknown:
            raise ProfileError(f"segments has unknown fields {sorted(unknown)}")
        try:
            return cls(
                by=tuple(data["by"]),
                keys=tuple(tuple(k) for k in data["keys"]),
                counts=tuple(data["counts"]),
                values=tuple(data["values"]),
            )
        except KeyError as exc:
            raise ProfileError(f"segments lacks field {exc.args[0]!r}") from None
        except (TypeError, AttributeError) as exc:
            raise ProfileError(f"segments is malformed: {exc}") from None
