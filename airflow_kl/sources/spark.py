"""PySpark DataFrames (classic or Spark Connect), counted by Spark: one pass,
only counts come back to the driver.

Each partition's rows are counted on the executors by the in-memory kernel on
Arrow batches (``mapInArrow``); without Python workers able to run it, each
condition of :func:`airflow_kl.core.binning.bin_tallies` becomes
``count(when(condition, 1))`` in a single ``DataFrame.agg``.
Values follow the one value model: numbers as doubles, booleans as
``'True'``/``'False'``, dates and timestamps as epoch nanoseconds UTC
(``TIMESTAMP_NTZ`` and ``DATE`` read as UTC whatever the session time zone).
Quantiles for a profile use Spark's exact ``percentile`` (linear
interpolation, as numpy's default).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import reduce
from operator import and_
from typing import Any

import numpy as np

from ..core.binning import (
    bin_tallies,
    edges_from_quantiles,
    quantile_levels,
    require_columns,
    unpack_counts,
    unpack_tallies,
)
from ..core.errors import ConfigError, SchemaError
from ..core.partitions import check_partition_column, merge_found, whole_number
from ..core.profile import FeatureProfile
from ..core.segments import Key, check_segment_column, segment_conditions
from ..core.values import NS_PER_DAY, NULL, canonical, check_value_type, layout_of, unsupported
from .pair_groups import cell_whens, grouped_with_pairs
from .profiling import EngineColumn
from .source import (
    UNGROUPED,
    WHOLE,
    Counted,
    GroupBy,
    Progress,
    Source,
    add_counted,
    empty_groups,
)

VALUE_TYPES = {
    "ByteType": "number",
    "ShortType": "number",
    "IntegerType": "number",
    "LongType": "number",
    "FloatType": "number",
    "DoubleType": "number",
    "DecimalType": "number",
    "BooleanType": "boolean",
    "StringType": "string",
    "VarcharType": "string",
    "CharType": "string",
    "DateType": "datetime",
    "TimestampType": "datetime",
    "TimestampNTZType": "datetime",
    "NullType": NULL,
}


def _f():
    from pyspark.sql import functions as F  # noqa: N812 - Spark's own convention

    return F


def spark_value_type(data_type: Any) -> str | None:
    """The value type of a Spark data type, or None when none holds it faithfully."""
    return VALUE_TYPES.get(type(data_type).__name__)


@dataclass(frozen=True)
class SparkColumn:
    """A column of a Spark DataFrame and its value type."""

    name: str
    data_type: Any

    @property
    def type_name(self) -> str:
        return self.data_type.simpleString()

    def value(self, profiled: str = "") -> str:
        found = spark_value_type(self.data_type)
        if found is None:
            raise unsupported(self.name, self.type_name, "Spark", profiled)
        return found

    def value_or_error(self) -> str | SchemaError:
        """The value type, or the error refusing the column (for default features)."""
        found = spark_value_type(self.data_type)
        return found if found is not None else unsupported(self.name, self.type_name, "Spark")

    def expression(self) -> Any:
        """The value in canonical form: a double, or the canonical string."""
        F = _f()  # noqa: N806
        col = F.col(f"`{self.name.replace('`', '``')}`")
        value, kind = self.value(), type(self.data_type).__name__
        if value == "number":
            return col.cast("double")
        # (count in its unit, a double) x (ns per unit): correctly rounded, as in numpy
        if kind == "TimestampType":
            return F.unix_micros(col).cast("double") * F.lit(1000.0)
        if kind == "TimestampNTZType":
            epoch = F.lit("1970-01-01 00:00:00").cast("timestamp_ntz")
            micros = F.timestamp_diff("MICROSECOND", epoch, col)
            return micros.cast("double") * F.lit(1000.0)
        if kind == "DateType":
            return F.unix_date(col).cast("double") * F.lit(NS_PER_DAY)
        if value == "boolean":
            return F.when(col, F.lit(canonical(True))).when(~col, F.lit(canonical(False)))
        return col

    def ops(self) -> SparkOps:
        return SparkOps(self.expression(), layout_of(self.value()) == "numeric")


class SparkOps:
    """The conditions of :func:`bin_tallies`, as Spark columns."""

    def __init__(self, x: Any, may_be_nan: bool) -> None:
        self.x, self.may_be_nan = x, may_be_nan

    def missing(self):
        return self.x.isNull() | _f().isnan(self.x) if self.may_be_nan else self.x.isNull()

    def less(self, edge: float):
        return self.x < _f().lit(float(edge))

    def equals(self, category: str):
        return self.x == _f().lit(category)

    def finite(self):
        return ~self.missing() & (_f().abs(self.x) < _f().lit(float("inf")))


def _cell_column(ops: SparkOps, fp: FeatureProfile, cells: tuple[int, ...]) -> Any:
    """A row's pair cell (:func:`.pair_groups.cell_whens`) as a Spark column."""
    F = _f()  # noqa: N806
    whens, other = cell_whens(ops, fp, cells)
    (condition, cell), *rest = whens
    column = F.when(condition, F.lit(cell))
    for condition, cell in rest:
        column = column.when(condition, F.lit(cell))
    return column.otherwise(F.lit(other))


class _Counter:
    """Run in a Spark Python worker: one Spark partition's counts by the
    in-memory kernel (:class:`.memory.FrameSource`) on its Arrow batches, one
    row per part: its raw partition value as JSON (a whole number, a UTC day or
    a string; empty when not grouped by partition) and every group's counts."""

    def __init__(self, features: dict[str, FeatureProfile], group_by: GroupBy) -> None:
        self.features, self.group_by = features, group_by

    def __call__(self, batches):
        import json

        import pyarrow as pa

        from .memory import FrameSource

        total = None
        for batch in batches:
            part = FrameSource(batch, "Spark").count(self.features, self.group_by)
            total = add_counted(total, part, str(self.group_by.partition_by), "Spark")
        keys, counts = [], []
        names = [*self.features, *(p.features for p in self.group_by.pairs)]
        for raw, groups in (total.parts if total is not None else {}).items():
            key = raw
            if raw is not None and total.value in ("number", "datetime"):  # (a UTC day is whole)
                key = whole_number(raw, self.group_by.partition_by)
            keys.append("" if raw == WHOLE else json.dumps(key))
            counts.append(np.concatenate([g[n].ravel() for g in groups for n in names]).tolist())
        schema = pa.schema([("key", pa.string()), ("counts", pa.list_(pa.int64()))])
        yield pa.RecordBatch.from_pydict({"key": keys, "counts": counts}, schema=schema)


def _warn_fallback(exc: Exception) -> None:
    import warnings

    warnings.warn(
        f"Spark's Python workers cannot count ({str(exc).splitlines()[0][:200]}); "
        "counting with Spark aggregates instead",
        RuntimeWarning,
        stacklevel=3,
    )


@contextmanager
def _shipped_by_value():
    """This package's code travels with the function (workers need not install it)."""
    import sys

    from pyspark import cloudpickle

    package = sys.modules[__name__.split(".")[0]]
    cloudpickle.register_pickle_by_value(package)
    try:
        yield
    finally:
        cloudpickle.unregister_pickle_by_value(package)


_WORKER_ERROR = re.compile(r"airflow_kl\.core\.errors\.(SchemaError|ConfigError): (.*)")


def _raise_input_error(exc: Exception) -> None:
    """Raise again, as itself and in one line, an input error a worker raised."""
    found = _WORKER_ERROR.search(str(exc))
    if found is not None:
        raise {"SchemaError": SchemaError, "ConfigError": ConfigError}[found[1]](found[2]) from None


def _workers_cannot_run(exc: Exception) -> bool:
    text = str(exc)
    return any(
        marker in text
        for marker in ("ModuleNotFoundError", "No module named", "PYTHON_VERSION_MISMATCH")
    )


@dataclass(frozen=True)
class SparkSource(Source):
    """A Spark DataFrame (or ``spark.table(...)``) to count or profile.

    ``kernel``: ``"arrow"`` (counts in Spark's Python workers, with the
    in-memory kernel) or ``"aggregates"`` (bin predicates as Spark aggregates,
    no Python on the executors).
    """

    frame: Any
    kernel: str = "arrow"
    counts_pairs = True

    def _columns(self, wanted: list[str] | None = None) -> list[SparkColumn]:
        fields = {f.name: f.dataType for f in self.frame.schema.fields}
        wanted = list(fields) if wanted is None else wanted
        require_columns(fields, wanted, "Spark DataFrame")
        return [SparkColumn(name, fields[name]) for name in wanted]

    def _in_workers(self, counter: Any, names: list[str], schema: str) -> list[Any]:
        """The rows ``counter`` yields from the named columns' Arrow batches, run
        in Spark's Python workers (``mapInArrow``) with this package shipped along."""
        with _shipped_by_value():
            return (
                self.frame.select(*[f"`{n.replace('`', '``')}`" for n in names])
                .mapInArrow(counter, schema)
                .collect()
            )

    def value_types(self, columns: list[str] | None = None) -> dict[str, str | SchemaError]:
        return {c.name: c.value_or_error() for c in self._columns(columns)}

    def count(
        self,
        features: Mapping[str, FeatureProfile],
        group_by: GroupBy = UNGROUPED,
        progress: Progress | None = None,
    ) -> Counted:
        """Every feature's counts in one pass, grouped as ``group_by`` says.

        The executors run the in-memory kernel on Arrow batches (``mapInArrow``,
        this package shipped with the function, so they need only pyarrow and
        pandas, as any PySpark Arrow UDF): a row of counts per Spark partition
        (and part) comes back. Where Python workers cannot run it (another
        Python, no pyarrow), the counts come from bin predicates as Spark
        aggregates, grouped by partition and segment, instead: exact too but
        several times slower.
        """
        columns = self._check(features)
        value = None
        if group_by.partition_by is not None:
            (column,) = self._columns([group_by.partition_by])
            value = column.value()
            check_partition_column(column.name, value, column.type_name, "Spark", group_by.every)
        if group_by.segments is not None:
            self._segment_columns(group_by.segments.by, group_by.segments.values)
        if self.kernel == "arrow":
            try:
                return self._in_python_workers(features, group_by, value)
            except Exception as exc:  # the job failed in the workers
                _raise_input_error(exc)  # ... on our input (a value no partition is named by)
                if not _workers_cannot_run(exc):
                    raise
                _warn_fallback(exc)
        return self._by_aggregates(columns, features, group_by, value)

    def _check(self, features: Mapping[str, FeatureProfile]) -> list[SparkColumn]:
        """The features' columns, each of the value type its profile has."""
        columns = self._columns(list(features))
        for column in columns:
            fp = features[column.name]
            value = column.value(fp.described)
            check_value_type(fp.name, fp.value, fp.source_type, value, column.type_name, "Spark")
        return columns

    def _in_python_workers(self, features, group_by: GroupBy, value: str | None) -> Counted:
        import json

        sizes: dict = {name: len(fp.counts) for name, fp in features.items()}
        shapes = {p.features: p.shape for p in group_by.pairs}
        sizes.update({name: rows * cols for name, (rows, cols) in shapes.items()})
        names = list(dict.fromkeys([*features, *group_by.columns()]))
        counter = _Counter(dict(features), group_by)
        rows = self._in_workers(counter, names, "key string, counts array<long>")
        found: dict = {}
        for row in rows:
            per_group = np.asarray(row["counts"], dtype=np.int64).reshape(group_by.width, -1)
            groups = [unpack_counts(sizes, g.tolist()) for g in per_group]
            for group in groups:
                group.update({name: group[name].reshape(shape) for name, shape in shapes.items()})
            merge_found(found, {WHOLE if row["key"] == "" else json.loads(row["key"]): groups})
        if group_by.partition_by is None and not found:  # no rows at all
            found[WHOLE] = empty_groups(features, group_by.width, group_by.pairs)
        return Counted(found, value)

    def _by_aggregates(self, columns, features, group_by: GroupBy, value: str | None) -> Counted:
        """``count(when(c, 1))`` of every tally, grouped by the partition's raw
        value and the segment (by nothing: one row)."""
        F = _f()  # noqa: N806
        keys = []
        if group_by.partition_by is not None:
            (column,) = self._columns([group_by.partition_by])
            raw = column.expression()
            if value == "datetime":
                raw = F.floor(raw / F.lit(NS_PER_DAY))
            elif value == "number":
                name = group_by.partition_by.replace("`", "``")
                raw = F.when(~column.ops().missing(), F.col(f"`{name}`"))
            keys.append(raw.alias("partition"))
        seg = group_by.segments
        if seg is not None:
            by = self._segment_columns(seg.by, seg.values)
            keys.append(self._segment_expression(by, seg.keys).alias("segment"))
        pairs = group_by.pairs
        if pairs:
            by_name = {c.name: c for c in columns}
            grouped = grouped_with_pairs(
                features,
                pairs,
                len(keys),
                lambda counted, cells: self._grouped(
                    [*keys, *cells], [by_name[n] for n in counted], counted
                ),
                lambda name, cells: _cell_column(by_name[name].ops(), features[name], cells),
            )
        else:
            grouped = self._grouped(keys, columns, features)
        found: dict = {}
        if group_by.partition_by is None:
            found[WHOLE] = empty_groups(features, group_by.width, pairs)
        for key, counts in grouped.items():
            part = key[0] if group_by.partition_by is not None else WHOLE
            groups = found.setdefault(part, empty_groups(features, group_by.width, pairs))
            groups[int(key[-1]) if seg is not None else 0] = counts
        return Counted(found, value)

    def _grouped(self, keys, columns, features) -> dict[tuple, dict[str, np.ndarray]]:
        """Every feature's counts per distinct value of the ``keys`` columns."""
        F = _f()  # noqa: N806
        aggs, sizes = self._tallies(columns, features)
        found = self.frame.groupBy(*keys).agg(*aggs, F.count(F.lit(1))).collect()
        kinds = {n: fp.kind for n, fp in features.items()}
        return {
            tuple(row[: len(keys)]): unpack_tallies(kinds, sizes, list(row[len(keys) :]))
            for row in found
        }

    @staticmethod
    def _tallies(columns, features) -> tuple[list, dict[str, int]]:
        """``count(when(c, 1))`` of every tally of every feature, and their numbers."""
        F = _f()  # noqa: N806
        aggs, sizes = [], {}
        for column in columns:
            fp = features[column.name]
            conditions = bin_tallies(column.ops(), fp.edges, fp.categories)
            sizes[column.name] = len(conditions)
            aggs += [F.count(F.when(c, 1)) for c in conditions]
        return aggs, sizes

    def segment_rows(self, by: Sequence[str]) -> tuple[dict[Key, int], tuple[str, ...]]:
        """Rows per combination of the segment columns, by one ``groupBy``."""
        columns = self._segment_columns(by)
        exprs = [c.expression().alias(f"s{j}") for j, c in enumerate(columns)]
        found = self.frame.groupBy(*exprs).count().collect()
        rows = {
            tuple(None if v is None else canonical(v) for v in r[:-1]): int(r[-1]) for r in found
        }
        return rows, tuple(c.value() for c in columns)

    def _segment_columns(self, by, values=None) -> list[SparkColumn]:
        columns = self._columns(list(by))
        for j, c in enumerate(columns):
            expected = None if values is None else values[j]
            check_segment_column(c.name, c.value(), c.type_name, "Spark", expected)
        return columns

    @staticmethod
    def _segment_expression(by: Sequence[SparkColumn], keys: Sequence[Key]) -> Any:
        """Each row's segment: the position of the first key it matches, else OTHER."""
        F = _f()  # noqa: N806
        conditions = segment_conditions([c.ops() for c in by], keys)
        segment = F.lit(len(keys))
        for k in reversed(range(len(conditions))):  # the first key that matches
            segment = F.when(reduce(and_, conditions[k]), F.lit(k)).otherwise(segment)
        return segment

    @contextmanager
    def primitives(self) -> Iterator[SparkSource]:
        """Spark computes the primitives itself (this source is its own engine)."""
        yield self

    # the primitives of airflow_kl.sources.profiling.bin_stubs

    def columns(self, wanted: list[str] | None) -> list[EngineColumn]:
        return [
            EngineColumn(c.name, c.value_or_error(), c.type_name, c) for c in self._columns(wanted)
        ]

    def quantile_edges(self, columns: list[EngineColumn], bins: int) -> dict[str, tuple]:
        """Each column's quantile edges: Spark's exact ``percentile`` of its finite values."""
        F = _f()  # noqa: N806
        levels = quantile_levels(bins).tolist()
        out = {}
        for c in columns:
            ops = c.handle.ops()
            finite = self.frame.where(ops.finite())
            out[c.name] = (
                edges_from_quantiles(finite.agg(F.percentile(ops.x, levels)).first()[0])
                if levels
                else ()
            )
        return out

    def value_range(self, column: EngineColumn) -> tuple[Any, Any]:
        F = _f()  # noqa: N806
        ops = column.handle.ops()
        lo, hi = self.frame.where(ops.finite()).agg(F.min(ops.x), F.max(ops.x)).first()
        return lo, hi

    def top_values(self, column: EngineColumn, top_k: int) -> dict[str, int]:
        return self._top_values(column.handle, top_k)

    def _top_values(self, column: SparkColumn, top_k: int) -> dict[str, int]:
        """The ``top_k`` most frequent values and every value tied with the last."""
        F = _f()  # noqa: N806
        grouped = (
            self.frame.select(column.expression().alias("v"))
            .where(F.col("v").isNotNull())
            .groupBy("v")
            .count()
        )
        top = grouped.orderBy(F.desc("count")).limit(top_k).collect()
        if len(top) < top_k:
            return {r["v"]: int(r["count"]) for r in top}
        least = min(int(r["count"]) for r in top)
        return {r["v"]: int(r["count"]) for r in grouped.where(F.col("count") >= least).collect()}
