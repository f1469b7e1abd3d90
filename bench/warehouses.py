"""MariaDB and ClickHouse (chdb): a check is one scan, exact, and how long it
takes next to the engine's own one-pass SUM/COUNT(DISTINCT) over the same columns."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import sqlalchemy as sa

import airflow_kl as ak

from .data import make_frame
from .timing import best_of

ROWS = 1_000_000


def counted_once(engine: sa.Engine, profile, source) -> tuple[dict, int]:
    """``count_bins`` of ``source``, and how many aggregate queries it sent."""
    statements: list[str] = []

    def seen(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    got = ak.count_bins(profile, source)
    sa.event.remove(engine, "before_cursor_execute", seen)
    return got, sum("count(*)" in s.lower() for s in statements)


def _row(label: str, engine: sa.Engine, profile, current, expected) -> dict:
    source = ak.sql(engine, table="cur")
    got, scans = counted_once(engine, profile, source)
    t_ours = best_of(lambda: ak.count_bins(profile, source), repeat=2)
    quote = engine.dialect.identifier_preparer.quote
    numeric = [c for c in current.columns if current[c].dtype.kind == "f"]
    own = ", ".join(
        [f"SUM({quote(c)})" for c in numeric]
        + [f"COUNT(DISTINCT {quote(c)})" for c in current.columns if c not in numeric]
    )
    with engine.connect() as conn:
        query = sa.text(f"SELECT {own} FROM cur")
        t_engine = best_of(lambda: conn.execute(query).all(), repeat=2)
    exact = got.keys() == expected.keys() and all(np.array_equal(got[k], expected[k]) for k in got)
    return {
        "benchmark": f"{label}, 1M x 25, vs its own one-pass SUM/COUNT(DISTINCT)",
        "ours_s": t_ours,
        "baseline_s": t_engine,
        "slowdown": t_ours / t_engine,
        "exact": exact and scans == 1,
        "target": "<= 2x the engine's pass, one scan",
    }


def run() -> list[dict]:
    from tests.servers import mariadb_server

    reference = make_frame(ROWS, seed=1)
    current = make_frame(ROWS, shift=0.05, seed=2)
    profile = ak.build_profile(reference)
    expected = ak.count_bins(profile, current)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        csv = tmp / "cur.csv"
        current.to_csv(csv, index=False, header=False, na_rep="\\N")
        parquet = tmp / "cur.parquet"
        current.to_parquet(parquet, index=False)
        types = {c: "DOUBLE" if current[c].dtype.kind == "f" else "VARCHAR(16)" for c in current}

        with mariadb_server(tmp / "mariadb") as url:
            engine = sa.create_engine(url, connect_args={"local_infile": True})
            with engine.begin() as conn:
                ddl = ", ".join(f"`{c}` {t}" for c, t in types.items())
                conn.exec_driver_sql(f"CREATE TABLE cur ({ddl})")
                conn.exec_driver_sql(
                    f"LOAD DATA LOCAL INFILE '{csv}' INTO TABLE cur FIELDS TERMINATED BY ','"
                )
                conn.exec_driver_sql("ANALYZE TABLE cur")
            rows.append(_row("MariaDB 10.11 (InnoDB)", engine, profile, current, expected))
            engine.dispose()

        (tmp / "clickhouse").mkdir()
        engine = sa.create_engine(f"chdb:///{tmp / 'clickhouse'}")
        with engine.begin() as conn:
            ddl = ", ".join(
                f'"{c}" Nullable({"Float64" if t == "DOUBLE" else "String"})'
                for c, t in types.items()
            )
            conn.exec_driver_sql(f"CREATE TABLE cur ({ddl}) ENGINE = MergeTree ORDER BY tuple()")
            conn.exec_driver_sql(f"INSERT INTO cur SELECT * FROM file('{parquet}', Parquet)")
        rows.append(_row("ClickHouse (chdb, in-process)", engine, profile, current, expected))
        engine.dispose()
    return rows
