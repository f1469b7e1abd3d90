"""Writing a pandas frame to a table of any engine the tests start."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

# Tables that need DDL of their own: a ClickHouse table names its engine, and
# InnoDB rows stop at 8,126 bytes (1,000 doubles do not fit; Aria's do).
# (number, integer, string, table options) per SQLAlchemy dialect name.
OWN_DDL = {
    "chdb": (
        "Nullable(Float64)",
        "Nullable(Int64)",
        "Nullable(String)",
        " ENGINE = MergeTree ORDER BY tuple()",
    ),
    "mysql": ("DOUBLE", "BIGINT", "VARCHAR(32)", " ENGINE = Aria"),
}


def store_frame(frame: pd.DataFrame, name: str, engine: sa.Engine) -> None:
    """``frame`` as table ``name`` (replaced), its columns typed as numbers or strings."""
    if engine.dialect.name == "snowflake":  # fakesnow loads a frame at once, as Snowflake does
        from snowflake.connector.pandas_tools import write_pandas

        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        raw = engine.raw_connection()
        try:
            write_pandas(
                raw.driver_connection,
                frame,
                name.upper(),
                auto_create_table=True,
                quote_identifiers=False,
            )
        finally:
            raw.close()
        return
    if engine.dialect.name not in OWN_DDL:
        frame.to_sql(name, engine, index=False, if_exists="replace", chunksize=1000)
        return
    number, integer, text, options = OWN_DDL[engine.dialect.name]
    quote = engine.dialect.identifier_preparer.quote
    kinds = {"f": number, "i": integer}
    types = ", ".join(f"{quote(c)} {kinds.get(frame[c].dtype.kind, text)}" for c in frame.columns)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {quote(name)}")
        conn.exec_driver_sql(f"CREATE TABLE {quote(name)} ({types}){options}")
    frame.to_sql(name, engine, index=False, if_exists="append", chunksize=1000)
