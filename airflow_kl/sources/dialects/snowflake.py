"""Snowflake: types from the result's metadata (the connector's type codes,
so a query is typed as a table is), ``COUNT_IF``, NaN equal to itself,
``DATE_PART(epoch_nanosecond, ...)`` of a timestamp (``TIMESTAMP_NTZ`` as
UTC wall-clock time, ``_LTZ``/``_TZ`` the instant), a date as midnight UTC,
order statistics by ``ROW_NUMBER()``; SQLSTATE decides retries.

>>> Snowflake().value_type(None, "x", "TIMESTAMP_NTZ(9)", None)
('TIMESTAMP_NTZ(9)', 'datetime')
"""

from __future__ import annotations

import sqlalchemy as sa

from .ansi import Dialect

# The connector's type codes (snowflake.connector.constants.FIELD_TYPES).
_TYPE_CODES = {
    0: "NUMBER", 1: "FLOAT", 2: "VARCHAR", 3: "DATE", 4: "TIMESTAMP", 5: "VARIANT",
    6: "TIMESTAMP_LTZ", 7: "TIMESTAMP_TZ", 8: "TIMESTAMP_NTZ", 9: "OBJECT", 10: "ARRAY",
    11: "BINARY", 12: "TIME", 13: "BOOLEAN",
}  # fmt: skip


class Snowflake(Dialect):
    name, label = "snowflake", "Snowflake"
    parser = "snowflake"
    datetimes = True
    infinity = "inf"

    def column_types(self, conn, source, table):
        result = conn.execute(sa.select(sa.text("*")).select_from(source).limit(0))
        description = result.cursor.description
        result.close()
        return {conn.dialect.normalize_name(d[0]): _type_name(d) for d in description}

    def epoch_ns(self, col, type_name):
        if type_name.upper().startswith("DATE"):  # whole days: exact in microseconds
            micros = sa.func.date_part(sa.text("epoch_microsecond"), sa.cast(col, sa.DateTime))
            return sa.cast(micros, sa.Double) * self.literal_double(1000.0)
        return sa.cast(sa.func.date_part(sa.text("epoch_nanosecond"), col), sa.Double)

    def is_nan(self, x):
        return x == sa.cast(sa.literal("NaN"), sa.Double)  # NaN = NaN is true here

    def count_where(self, condition):
        return sa.func.count_if(condition)


def _type_name(column) -> str:
    """Snowflake's name of a result column's type (``NUMBER(18,2)``)."""
    code, precision, scale = column[1], column[4], column[5]
    name = _TYPE_CODES.get(code, f"type code {code}")
    if name == "NUMBER" and precision is not None:
        return f"NUMBER({precision},{scale or 0})"
    return name
