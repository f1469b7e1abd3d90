"""The reference profile: per-feature bins and counts, as strict versioned JSON.

>>> f = FeatureProfile("x", "numeric", counts=(3, 5, 0), edges=(1.5,))
>>> p = Profile({"x": f}, settings={"bins": 2})
>>> Profile.from_json(p.to_json()) == p
True
>>> p.features["x"].labels
['< 1.5', '>= 1.5', 'MISSING']
>>> p.features["x"].value
'number'
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np

from .binning import categorical_labels, numeric_labels
from .errors import ProfileError
from .file_io import atomic_write_text, read_text
from .inputs import COUNT_LIMIT, count_vector
from .json_input import strict_json
from .pair_profile import PairProfile
from .segments import SegmentProfile
from .values import VALUE_TYPES, layout_of

FORMAT = "airflow-kl/profile"
FORMAT_VERSION = 2  # 2 records each feature's value type; 1 is still read
SEGMENTED_VERSION = 3  # 3 adds counts per segment; unsegmented profiles stay 2
PAIRED_VERSION = 4  # 4 adds pairs' joint counts; profiles without pairs stay 2 or 3
READABLE_VERSIONS = (1, 2, 3, 4)
_V1_BOOLEAN_TYPES = ("bool", "boolean")
KINDS = ("numeric", "categorical")
Kind = Literal["numeric", "categorical"]


@dataclass(frozen=True)
class FeatureProfile:
    """One feature's bins and its reference counts (value bins, [OTHER,] MISSING).

    ``value`` is the value type (:mod:`airflow_kl.core.values`): ``number``,
    ``datetime``, ``boolean`` or ``string``; when not given it follows ``kind``
    and ``datetime``. ``source_type`` is the type the reference had.
    """

    name: str
    """The column's name."""
    kind: Kind
    """``"numeric"`` (bins between ``edges``) or ``"categorical"`` (one bin per
    category, then OTHER)."""
    counts: tuple[int, ...]
    """Reference rows per bin, in bin order: the value bins, OTHER (categorical
    only), then MISSING."""
    edges: tuple[float, ...] | None = None
    """A numeric feature's bin edges, increasing: ``k`` edges make ``k - 1`` bins,
    the first and last open to below and above. Datetimes are epoch
    nanoseconds. None for a categorical feature."""
    categories: tuple[str, ...] | None = None
    """A categorical feature's categories, one bin each (values as text); every
    other value counts in OTHER. None for a numeric feature."""
    datetime: bool = False
    """True when the values are datetimes (``value == "datetime"``)."""
    source_type: str = ""
    """The type the reference column had (``int64``, ``VARCHAR``, ...), shown in
    errors when the current data's type differs."""
    value: str = ""
    """The value type: ``number``, ``datetime``, ``boolean`` or ``string``."""

    def __post_init__(self) -> None:
        if not self.value:
            numeric = "datetime" if self.datetime else "number"
            object.__setattr__(self, "value", numeric if self.kind == "numeric" else "string")
        object.__setattr__(self, "datetime", self.value == "datetime")
        object.__setattr__(self, "counts", tuple(self.counts))
        if self.edges is not None:  # -0.0 + 0.0 is 0.0: one zero, whatever the engine found
            object.__setattr__(self, "edges", tuple(float(e) + 0.0 for e in self.edges))
        if self.categories is not None:
            object.__setattr__(self, "categories", tuple(self.categories))
        self.validate()

    @property
    def n(self) -> int:
        """Reference rows, missing values included."""
        return sum(self.counts)

    def with_counts(self, counts) -> FeatureProfile:
        """The same bins with other reference counts: whole numbers >= 0 (a
        fraction is refused, not truncated), validated again.

        Parameters
        ----------
        counts
            One count per bin, in bin order.
        """
        where = f"feature {self.name!r}"
        return replace(self, counts=tuple(count_vector(counts, where, error=ProfileError).tolist()))

    @property
    def described(self) -> str:
        """The value type and the reference's type, for error messages."""
        return f"{self.value} ({self.source_type or self.value})"

    @property
    def labels(self) -> list[str]:
        """One label per bin, in bin order (``"[0, 5)"``, ``"JFK"``, ``"OTHER"``,
        ``"MISSING"``)."""
        return list(self._made_once("_labels", self._bin_labels))

    def _bin_labels(self) -> tuple[str, ...]:
        if self.kind == "numeric":
            return tuple(numeric_labels(self.edges or ()))
        return tuple(categorical_labels(self.categories or ()))

    @property
    def count_array(self) -> np.ndarray:
        """The reference counts as a read-only int64 array, made once."""
        return self._made_once("_count_array", self._read_only_counts)

    def _read_only_counts(self) -> np.ndarray:
        counts = np.fromiter(self.counts, dtype=np.int64)
        counts.flags.writeable = False
        return counts

    def _made_once(self, name: str, make: Any) -> Any:
        """A value derived from the fields, kept on the instance (which is
        frozen: its fields never change). Not functools.cached_property: its
        lock (Python 3.11) cannot be pickled with the class, as Spark's
        workers receive it."""
        if name not in self.__dict__:
            object.__setattr__(self, name, make())
        return self.__dict__[name]

    def validate(self) -> None:
        """Raise :class:`~airflow_kl.ProfileError` naming the first field that
        is inconsistent (a kind, edges that do not increase, counts that do not
        match the bins)."""
        where = f"feature {self.name!r}"
        if not isinstance(self.name, str) or not self.name:
            raise ProfileError(f"feature name must be a non-empty string, got {self.name!r}")
        if self.kind not in KINDS:
            raise ProfileError(f"{where}: kind must be one of {KINDS}, got {self.kind!r}")
        if self.value not in VALUE_TYPES:
            raise ProfileError(f"{where}: value must be one of {VALUE_TYPES}, got {self.value!r}")
        if layout_of(self.value) != self.kind:
            raise ProfileError(f"{where}: {self.value} values need {layout_of(self.value)} bins")
        for c in self.counts:
            if isinstance(c, bool) or not isinstance(c, int) or not 0 <= c < COUNT_LIMIT:
                raise ProfileError(f"{where}: counts must be integers in [0, 2**53), got {c!r}")
        if self.kind == "numeric":
            if self.edges is None or self.categories is not None:
                raise ProfileError(f"{where}: a numeric feature needs edges and no categories")
            bad = [e for e in self.edges if not math.isfinite(e)]
            if bad:
                raise ProfileError(f"{where}: edges must be finite, got {bad[0]!r}")
            for a, b in zip(self.edges, self.edges[1:], strict=False):
                if not a < b:
                    raise ProfileError(
                        f"{where}: edges must be strictly increasing, got {a!r} then {b!r}"
                    )
            expected = len(self.edges) + 2
        else:
            if self.categories is None or self.edges is not None:
                raise ProfileError(f"{where}: a categorical feature needs categories and no edges")
            if any(not isinstance(c, str) for c in self.categories):
                raise ProfileError(f"{where}: categories must be strings")
            if len(set(self.categories)) != len(self.categories):
                raise ProfileError(f"{where}: categories must be unique")
            expected = len(self.categories) + 2
        if len(self.counts) != expected:
            raise ProfileError(f"{where}: expected {expected} counts, got {len(self.counts)}")

    def bins(self) -> dict[str, Any]:
        """The bins alone: kind, value type, and edges or categories."""
        return {k: v for k, v in self.to_dict().items() if k not in ("counts", "source_type")}

    def to_dict(self) -> dict[str, Any]:
        """The feature as the profile file stores it (its name is the key
        around it)."""
        out: dict[str, Any] = {"kind": self.kind, "value": self.value, "counts": list(self.counts)}
        if self.kind == "numeric":
            out["edges"] = list(self.edges or ())
        else:
            out["categories"] = list(self.categories or ())
        if self.source_type:
            out["source_type"] = self.source_type
        return out

    @classmethod
    def from_dict(
        cls, name: str, data: Any, format_version: int = FORMAT_VERSION
    ) -> FeatureProfile:
        """A feature read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        name
            The feature's name (the key it is stored under).
        data
            What :meth:`to_dict` wrote; an unknown or missing field raises
            :class:`~airflow_kl.ProfileError`.
        format_version
            The version of the file it comes from (1 recorded ``datetime``
            where later versions record ``value``).
        """
        if not isinstance(data, dict):
            raise ProfileError(f"feature {name!r} must be an object, got {type(data).__name__}")
        fields = {"kind", "counts", "edges", "categories", "source_type"}
        fields |= {"datetime"} if format_version == 1 else {"value"}
        unknown = set(data) - fields
        if unknown:
            raise ProfileError(f"feature {name!r} has unknown fields {sorted(unknown)}")
        try:
            return cls(
                name=name,
                kind=data["kind"],
                counts=tuple(data["counts"]),
                edges=tuple(data["edges"]) if "edges" in data else None,
                categories=tuple(data["categories"]) if "categories" in data else None,
                source_type=str(data.get("source_type", "")),
                value=data["value"] if format_version > 1 else _v1_value(data),
            )
        except KeyError as exc:
            raise ProfileError(f"feature {name!r} lacks field {exc.args[0]!r}") from None
        except TypeError as exc:
            raise ProfileError(f"feature {name!r} is malformed: {exc}") from None


def _v1_value(data: dict[str, Any]) -> str:
    """The value type of a version-1 feature, which recorded only kind and datetime."""
    if data.get("kind") == "categorical":
        return "boolean" if data.get("source_type") in _V1_BOOLEAN_TYPES else "string"
    return "datetime" if data.get("datetime") else "number"


def _segments(data: dict[str, Any], version: int) -> SegmentProfile | None:
    """The segments of a version-3 profile (earlier versions have none)."""
    if "segments" not in data:
        if version == SEGMENTED_VERSION:
            raise ProfileError("a version-3 profile needs field 'segments'")
        return None
    if version != SEGMENTED_VERSION:
        raise ProfileError(f"field 'segments' needs format_version 3, got {version!r}")
    return SegmentProfile.from_dict(data["segments"])


def _pairs(data: dict[str, Any], version: int) -> tuple[PairProfile, ...]:
    """The pairs of a version-4 profile (earlier versions have none)."""
    if "pairs" not in data:
        if version == PAIRED_VERSION:
            raise ProfileError("a version-4 profile needs field 'pairs'")
        return ()
    if version != PAIRED_VERSION:
        raise ProfileError(f"field 'pairs' needs format_version 4, got {version!r}")
    if not isinstance(data["pairs"], list):
        raise ProfileError("profile field 'pairs' must be a list")
    return tuple(PairProfile.from_dict(p) for p in data["pairs"])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def canonical_json(data: Any) -> str:
    """Sorted, compact, strict JSON: the bytes the checksum is computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


@dataclass(frozen=True)
class Profile:
    """A versioned reference profile. ``checksum`` identifies its content."""

    features: dict[str, FeatureProfile]
    """Each feature's bins and reference counts, by name, in column order."""
    settings: dict[str, Any] = field(default_factory=dict)
    """How the bins were made (``bins``, ``top_k``, ``binning``), as strict JSON."""
    created_at: str = field(default_factory=_now)
    """When the profile was built: ISO 8601 in UTC."""
    metadata: dict[str, Any] = field(default_factory=dict)
    """Anything the caller recorded with it (the reference's name, a DAG run),
    as strict JSON."""
    segments: SegmentProfile | None = None
    """Each segment's counts, when the profile was built with ``segment_by``;
    None otherwise."""
    pairs: tuple[PairProfile, ...] = ()
    """Each pair's joint counts, when the profile was built with ``pairs``."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "pairs", tuple(self.pairs))
        if not self.features:
            raise ProfileError("a profile needs at least one feature")
        for name, feature in self.features.items():
            if name != feature.name:
                raise ProfileError(f"feature key {name!r} differs from its name {feature.name!r}")
        if self.segments is not None:
            self.segments.check_sums(self.features)
        if self.pairs and self.segments is not None:
            raise ProfileError("a profile has pairs or segments, not both (for now)")
        for pair in self.pairs:
            pair.check(self.features)
        self._canonical()  # settings and metadata that are not strict JSON are refused now

    def _canonical(self) -> str:
        """The canonical JSON of everything but the checksum, or a ProfileError."""
        try:
            return canonical_json(self._body())
        except (TypeError, ValueError) as exc:
            raise ProfileError(f"profile settings or metadata are not strict JSON: {exc}") from None

    @property
    def format_version(self) -> int:
        """The version this profile is written in: 4 with pairs, 3 when
        segmented, else 2."""
        if self.pairs:
            return PAIRED_VERSION
        return FORMAT_VERSION if self.segments is None else SEGMENTED_VERSION

    def _body(self) -> dict[str, Any]:
        body = {
            "format": FORMAT,
            "format_version": self.format_version,
            "created_at": self.created_at,
            "settings": self.settings,
            "metadata": self.metadata,
            "features": {name: f.to_dict() for name, f in self.features.items()},
        }
        if self.segments is not None:
            body["segments"] = self.segments.to_dict()
        if self.pairs:
            body["pairs"] = [p.to_dict() for p in self.pairs]
        return body

    @property
    def checksum(self) -> str:
        """``sha256:`` of the canonical JSON of everything but the checksum."""
        digest = hashlib.sha256(self._canonical().encode("utf-8")).hexdigest()
        return f"sha256:{digest}"

    @property
    def bins_checksum(self) -> str:
        """``sha256:`` of every feature's bins (kind, value type, edges or
        categories), counts left out: profiles and reports with the same one
        count in the same bins, so their counts add up."""
        bins: dict[str, Any] = {name: f.bins() for name, f in self.features.items()}
        if self.segments is not None:  # a key no feature can have
            bins = {"features": bins, "segments": self.segments.bins()}
        if self.pairs:
            cells = [{"features": list(p.features), "cells": list(p.cells)} for p in self.pairs]
            bins = {"features": bins, "pairs": cells}
        digest = hashlib.sha256(canonical_json(bins).encode("utf-8")).hexdigest()
        return f"sha256:{digest}"

    def to_dict(self) -> dict[str, Any]:
        """The profile as its file stores it, ``checksum`` included."""
        return {**self._body(), "checksum": self.checksum}

    def to_json(self) -> str:
        """The profile as JSON text (the checksum in to_dict refuses what is not
        strict JSON first)."""
        return json.dumps(self.to_dict(), indent=1) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Profile:
        """A profile read back from :meth:`to_dict`'s form.

        Parameters
        ----------
        data
            The profile's dict; a format version this release cannot read,
            a malformed feature or a checksum that does not match the content
            raises :class:`~airflow_kl.ProfileError`.
        """
        if not isinstance(data, dict):
            raise ProfileError(f"a profile is a JSON object, got {type(data).__name__}")
        if data.get("format") != FORMAT:
            raise ProfileError(f"not an airflow-kl profile: format is {data.get('format')!r}")
        version = data.get("format_version")
        if version not in READABLE_VERSIONS or isinstance(version, bool):
            newer = isinstance(version, int) and version > PAIRED_VERSION
            hint = "upgrade airflow-kl" if newer else "rebuild the profile"
            raise ProfileError(
                f"unsupported profile format_version {version!r} (this airflow-kl reads "
                f"{', '.join(map(str, READABLE_VERSIONS))}); {hint}"
            )
        features = data.get("features")
        if not isinstance(features, dict):
            raise ProfileError("profile field 'features' must be an object")
        profile = cls(
            features={
                name: FeatureProfile.from_dict(name, f, version) for name, f in features.items()
            },
            settings=data.get("settings", {}),
            created_at=data.get("created_at", ""),
            metadata=data.get("metadata", {}),
            segments=_segments(data, version),
            pairs=_pairs(data, version),
        )
        stored = data.get("checksum")
        body = {k: v for k, v in data.items() if k != "checksum"}
        found = f"sha256:{hashlib.sha256(canonical_json(body).encode('utf-8')).hexdigest()}"
        if stored != found or (version >= FORMAT_VERSION and found != profile.checksum):
            raise ProfileError(
                f"profile checksum mismatch: stored {stored!r}, content hashes to "
                f"{found!r}; the file was edited or corrupted"
            )
        return profile

    @classmethod
    def from_json(cls, text: str) -> Profile:
        """A profile read from JSON text (strict JSON: ``NaN`` is refused).

        Parameters
        ----------
        text
            What :meth:`to_json` wrote.
        """
        return cls.from_dict(strict_json(text, "profile", ProfileError))

    def save(self, path: Any) -> str:
        """Write atomically to a local path or URI; returns the checksum.

        Parameters
        ----------
        path
            A local path or an fsspec URI (``s3://bucket/profiles/flights.json``);
            a reader never sees a half-written file.
        """
        atomic_write_text(path, self.to_json())
        return self.checksum

    @classmethod
    def load(cls, path: Any) -> Profile:
        """A profile read from a file :meth:`save` wrote.

        Parameters
        ----------
        path
            A local path or an fsspec URI; an unreadable or altered file raises
            :class:`~airflow_kl.ProfileError` naming it.
        """
        try:
            return cls.from_json(read_text(path))
        except ProfileError as exc:
            raise ProfileError(f"{path}: {exc}") from None
