"""Warehouses whose SQL is rendered and parsed in the tests but cannot run
here: BigQuery, Redshift, Trino, Databricks SQL and SQL Server. Each needs its
own SQLAlchemy package (``sqlalchemy-bigquery``, ``sqlalchemy-redshift``,
``trino``, ``databricks-sqlalchemy``; SQL Server's is SQLAlchemy's ``mssql``).
None has an ordered-set quantile aggregate that is exact (BigQuery's and
Trino's are approximate), so every edge comes from order statistics by
``ROW_NUMBER()``, which is exact.

>>> [d.label for d in (BigQuery(), Redshift(), Trino(), Databricks(), SQLServer())]
['BigQuery', 'Redshift', 'Trino', 'Databricks SQL', 'SQL Server']
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from ...core.values import canonical
from .ansi import Dialect, NamedType

_EPOCH = "1970-01-01 00:00:00"


class _Micros(Dialect):
    """Datetimes as whole microseconds since 1970 (exact), times 1000."""

    datetimes = True

    def micros(self, col: sa.ColumnElement, type_name: str) -> sa.ColumnElement:
        raise NotImplementedError

    def epoch_ns(self, col, type_name):
        micros = self.double(self.micros(col, type_name))
        return micros * self.literal_double(1000.0)


class BigQuery(_Micros):
    name, label = "bigquery", "BigQuery"
    parser = "bigquery"
    max_result_columns = 10_000

    double_type, infinity = NamedType("FLOAT64"), "inf"

    def micros(self, col, type_name):
        if type_name.upper().startswith("TIMESTAMP"):  # an instant
            return sa.func.unix_micros(col)
        return sa.func.unix_micros(sa.func.timestamp(col))  # DATE, DATETIME: as UTC

    def is_nan(self, x):
        return sa.func.is_nan(x)

    def count_where(self, condition):
        return sa.func.countif(condition)


class Redshift(_Micros):
    name, label = "redshift", "Redshift"
    parser = "redshift"
    lineage_scheme, default_schema = "redshift", "public"
    max_result_columns = max_aggregates = 1600  # no arrays to pack into: split instead

    def micros(self, col, type_name):
        return sa.func.datediff(
            sa.text("microsecond"), sa.cast(sa.literal(_EPOCH), sa.DateTime), col
        )

    def is_nan(self, x):
        return x == sa.cast(sa.literal("NaN"), sa.Double)


class Trino(_Micros):
    """``date_diff`` counts milliseconds at most: a timestamp finer than
    ``timestamp(3)`` (Trino's default precision) is refused, not rounded."""

    name, label = "trino", "Trino"
    parser = "trino"

    def value_type(self, conn, name, type_name, from_clause):
        shown, value = super().value_type(conn, name, type_name, from_clause)
        precision = re.match(r"timestamp\((\d+)\)", type_name.strip().lower())
        if value == "datetime" and precision and int(precision.group(1)) > 3:
            return f"{type_name} (finer than the milliseconds date_diff counts)", None
        return shown, value

    def micros(self, col, type_name):
        zone = " UTC" if "ZONE" in type_name.upper() else ""
        epoch = sa.literal_column(f"TIMESTAMP '{_EPOCH}{zone}'")
        return sa.func.date_diff("millisecond", epoch, col) * sa.literal(1000)

    def is_nan(self, x):
        return sa.func.is_nan(x)

    def count_where(self, condition):
        return sa.func.count_if(condition)


class Databricks(_Micros):
    """As the Spark engine: ``TIMESTAMP`` is an instant (``unix_micros``),
    ``TIMESTAMP_NTZ`` and ``DATE`` wall-clock time as UTC whatever the session's zone."""

    name, label = "databricks", "Databricks SQL"
    parser = "databricks"

    def micros(self, col, type_name):
        upper = type_name.upper()
        if upper.startswith("TIMESTAMP_NTZ") or upper == "DATE":
            epoch = sa.cast(sa.literal(_EPOCH), NamedType("TIMESTAMP_NTZ"))
            return sa.func.timestampdiff(
                sa.text("MICROSECOND"), epoch, sa.cast(col, NamedType("TIMESTAMP_NTZ"))
            )
        return sa.func.unix_micros(col)

    def is_nan(self, x):
        return sa.func.isnan(x)

    def count_where(self, condition):
        return sa.func.count_if(condition)


class SQLServer(_Micros):
    name, label = "mssql", "SQL Server"
    parser = "tsql"
    stores_nan = stores_infinity = False  # FLOAT holds neither
    max_result_columns = 4096

    double_type = sa.Float(53)  # FLOAT(53): a 64-bit double

    def value_type(self, conn, name, type_name, from_clause):
        if type_name.upper().startswith("BIT"):
            return type_name, "boolean"
        return super().value_type(conn, name, type_name, from_clause)

    def micros(self, col, type_name):
        origin = "1970-01-01T00:00:00+00:00" if "OFFSET" in type_name.upper() else _EPOCH
        return sa.func.datediff_big(sa.text("microsecond"), sa.literal(origin), col)

    def text(self, col):
        return col.collate("Latin1_General_100_BIN2_UTF8")  # code points, case kept

    def boolean(self, col):
        return sa.case((col == 1, canonical(True)), (col == 0, canonical(False)), else_=sa.null())
