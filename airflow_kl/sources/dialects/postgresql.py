"""PostgreSQL: result types by OID, ``percentile_cont`` over an array of
levels, ``FILTER``, tallies packed into arrays (and wide queries planned
serially), and a lost server without a SQLSTATE is retryable.

>>> PostgreSQL().max_result_columns
1664
"""

from __future__ import annotations

import sqlalchemy as sa

from .ansi import Dialect, sqlstate


class PostgreSQL(Dialect):
    name, label = "postgresql", "PostgreSQL"
    parser = "postgres"
    lineage_scheme, default_schema = "postgres", "public"
    datetimes = True
    max_result_columns = 1664  # "target lists can have at most 1664 entries"
    tallies_per_column = 1000  # ARRAY[...] of counts

    def column_types(self, conn, source, table):
        return _result_types(conn, source)

    def epoch_ns(self, col, type_name):
        seconds = sa.extract("epoch", col)  # exact numeric seconds, rounded once
        return sa.cast(seconds * sa.literal(1_000_000_000, sa.BigInteger), sa.Double)

    def is_nan(self, x):
        return x == sa.cast(sa.literal("NaN"), sa.Double)  # NaN = NaN is true here

    def count_where(self, condition):
        return sa.func.count().filter(condition)  # faster than SUM(CASE), measured

    def quantiles(self, x, levels):
        return sa.func.percentile_cont(sa.literal(levels, sa.ARRAY(sa.Double))).within_group(x)

    def read_only(self, conn):
        return conn.execution_options(postgresql_readonly=True)

    def before_aggregates(self, conn, count):
        """A wide query runs without parallel workers. Under a ``Gather`` each
        worker's partial aggregate returns one column per aggregate, past the
        1,664 a target list may have (packing into arrays happens only in the
        final one); the planner goes parallel once a table is analyzed and large.
        One serial scan is still one scan (splitting the aggregates would be
        several), and ``SET LOCAL`` ends with the query's transaction."""
        if count >= self.max_result_columns - 16:
            conn.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")

    def pack(self, tallies):
        from sqlalchemy.dialects.postgresql import array

        size = self.tallies_per_column
        return [array(tallies[i : i + size]) for i in range(0, len(tallies), size)]

    def unpack(self, cells):
        return [v for cell in cells for v in cell]

    def retryable(self, exc):
        # psycopg2 gives no SQLSTATE when the server cannot be reached at all
        lost = isinstance(exc, sa.exc.OperationalError) and sqlstate(exc) is None
        return lost or super().retryable(exc)


def _result_types(conn: sa.Connection, source: sa.FromClause) -> dict[str, str]:
    """PostgreSQL's own names (``format_type``) of the result columns' type OIDs."""
    result = conn.execute(sa.select(sa.text("*")).select_from(source).limit(0))
    description = result.cursor.description
    result.close()
    oids = sorted({int(d[1]) for d in description})
    names = dict(
        conn.execute(
            sa.text("SELECT oid::int, format_type(oid, NULL) FROM pg_type WHERE oid = ANY(:o)"),
            {"o": oids},
        ).all()
    )
    return {d[0]: names.get(int(d[1]), str(d[1])) for d in description}
