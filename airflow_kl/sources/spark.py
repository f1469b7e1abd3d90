"""PySpark DataFrames, counted by Spark: one aggregation, only counts come back.

Every bin becomes ``sum(when(condition, 1).otherwise(0))`` in a single
``DataFrame.agg``, so a partition is scanned once on the cluster and no row
is collected to the driver. Quantiles for a profile use Spark's exact
``percentile`` (linear interpolation, as numpy's default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..core.binning import check_bins, check_top_k, top_categories
from ..core.errors import ConfigError, SchemaError
from ..core.profile import FeatureProfile

NUMERIC_TYPES = (
    "ByteType",
    "ShortType",
    "IntegerType",
    "LongType",
    "FloatType",
    "DoubleType",
    "DecimalType",
)
DATETIME_TYPES = ("DateType", "TimestampType", "TimestampNTZType")


def _f():
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    return F


def spark_kind(data_type: Any) -> str:
    name = type(data_type).__name__
    if name in NUMERIC_TYPES:
        return "numeric"
    if name in DATETIME_TYPES:
        return "datetime"
    return "categorical"


@dataclass(frozen=True)
class SparkSource:
    """A Spark DataFrame (or ``spark.table(...)``) to count or profile."""

    frame: Any

    def _fields(self, wanted: list[str]) -> dict[str, Any]:
        fields = {f.name: f.dataType for f in self.frame.schema.fields}
        missing = [c for c in wanted if c not in fields]
        if missing:
            raise SchemaError(
                f"Spark DataFrame lacks column(s) {', '.join(map(repr, missing))}; "
                f"it has: {', '.join(fields)}"
            )
        return {c: fields[c] for c in wanted}

    def _value(self, name: str, data_type: Any) -> Any:
        F = _f()  # noqa: N806
        col = F.col(f"`{name.replace('`', '``')}`")
        if spark_kind(data_type) == "datetime":
            return F.unix_micros(col.cast("timestamp")).cast("double") * 1000.0
        return col

    def _conditions(self, name: str, data_type: Any, fp: FeatureProfile) -> list[Any]:
        F = _f()  # noqa: N806
        col = self._value(name, data_type)
        if fp.kind == "numeric":
            kind = spark_kind(data_type)
            expected = "datetime" if fp.datetime else "numeric"
            if kind != expected:
                raise SchemaError(
                    f"feature {name!r} was {expected} in the profile but is now "
                    f"{data_type.simpleString()} in Spark; cast it or rebuild"
                )
            x = col.cast("double")
            missing = x.isNull() | F.isnan(x)
            present = ~missing
            edges = [F.lit(float(e)) for e in fp.edges or ()]
            if not edges:
                return [present, missing]
            conds = [present & (x < edges[0])]
            conds += [(x >= a) & (x < b) for a, b in zip(edges, edges[1:], strict=False)]
            return [*conds, present & (x >= edges[-1]), missing]
        text = col.cast("string")
        cats = list(fp.categories or ())
        conds = [text == F.lit(c) for c in cats]
        other = text.isNotNull() & ~text.isin(cats) if cats else text.isNotNull()
        return [*conds, other, text.isNull()]

    def count_bins(self, features: Mapping[str, FeatureProfile]) -> dict[str, np.ndarray]:
        F = _f()  # noqa: N806
        types = self._fields(list(features))
        aggs, layout = [], []
        for name, fp in features.items():
            conds = self._conditions(name, types[name], fp)
            layout.append((name, len(conds)))
            aggs += [F.sum(F.when(c, 1).otherwise(0)) for c in conds]
        row = self.frame.agg(*aggs).first()
        out, i = {}, 0
        for name, size in layout:
            out[name] = np.array([int(v or 0) for v in row[i : i + size]], dtype=np.int64)
            i += size
        return out

    def profile_features(self, features, bins, top_k, binning) -> dict[str, FeatureProfile]:
        F = _f()  # noqa: N806
        bins, top_k = check_bins(bins), check_top_k(top_k)
        if binning != "quantile":
            raise ConfigError(f"Spark profiles use quantile binning, got binning={binning!r}")
        all_types = {f.name: f.dataType for f in self.frame.schema.fields}
        names = (
            list(features)
            if features
            else [n for n, t in all_types.items() if spark_kind(t) != "datetime"]
        )
        types = self._fields(names)
        qs = np.linspace(0, 1, bins + 1)[1:-1].tolist()
        result: dict[str, FeatureProfile] = {}
        for name in names:
            dt = types[name]
            kind = spark_kind(dt)
            if kind == "categorical":
                text = self._value(name, dt).cast("string")
                rows = (
                    self.frame.select(text.alias("v"))
                    .where(text.isNotNull())
                    .groupBy("v")
                    .count()
                    .orderBy(F.desc("count"), F.asc("v"))
                    .limit(top_k)
                    .collect()
                )
                cats = top_categories({r["v"]: r["count"] for r in rows}, top_k)
                stub = FeatureProfile(name, "categorical", (0,) * (len(cats) + 2), categories=cats)
            else:
                x = self._value(name, dt).cast("double")
                finite = x.isNotNull() & ~F.isnan(x) & (F.abs(x) < F.lit(float("inf")))
                edges: tuple[float, ...] = ()
                if qs:
                    got = self.frame.where(finite).agg(F.percentile(x, qs)).first()[0]
                    edges = tuple(np.unique(np.asarray(got or [], dtype=float)).tolist())
                stub = FeatureProfile(
                    name,
                    "numeric",
                    (0,) * (len(edges) + 2),
                    edges=edges,
                    datetime=kind == "datetime",
                    source_type=dt.simpleString(),
                )
            result[name] = stub.with_counts(self.count_bins({name: stub})[name])
        return result
