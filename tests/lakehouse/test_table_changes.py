"""What commits other than appends do: a delete is never counted, a commit that
deleted or rewrote rows after ``since`` is refused naming it, a compaction is
skipped; and the version chosen (number, time, partition) is the one read."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import deltalake
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import airflow_kl as ak
from tests.conftest import FLIGHT_FEATURES

from .conftest import month_table, write_delta, write_iceberg


def counts(report) -> dict:
    return {
        n: [b["current_count"] for b in f["bins"]] for n, f in report.to_dict()["features"].items()
    }


@pytest.fixture(scope="module")
def profile(flights):
    return ak.build_profile(flights[flights.month == 1], features=FLIGHT_FEATURES)


@pytest.fixture
def two_months(flights, tmp_path):
    path = str(tmp_path / "flights")
    write_delta(path, [month_table(flights, 8), month_table(flights, 9)])
    return path


def test_a_delta_table_whose_last_commit_deleted_rows_is_counted_without_them(
    flights, two_months, profile
):
    deltalake.DeltaTable(two_months).delete("month = 9 AND carrier = 'UA'")
    kept = month_table(flights, 8), month_table(flights, 9)
    kept = pa.concat_tables(
        [
            kept[0],
            kept[1].filter(
                pc.invert(
                    pc.and_(pc.equal(kept[1]["month"], 9), pc.equal(kept[1]["carrier"], "UA"))
                )
            ),
        ]
    )
    got = ak.check_drift(profile, ak.delta(two_months))
    assert counts(got) == counts(ak.check_drift(profile, kept))
    assert got.features["carrier"].n_current == kept.num_rows
    assert got.data_version == {"format": "delta", "table": two_months, "version": 2}


def test_a_delete_after_since_is_refused_naming_the_commit(two_months, profile):
    deltalake.DeltaTable(two_months).delete("carrier = 'UA'")
    with pytest.raises(ak.SourceError, match=r"commit 2 of .* \(DELETE\) deleted or rewrote rows"):
        ak.check_drift(profile, ak.delta(two_months, since=0))


def test_an_overwrite_after_since_is_refused(flights, two_months, profile):
    deltalake.write_deltalake(two_months, month_table(flights, 9), mode="overwrite")
    with pytest.raises(ak.SourceError, match=r"commit 2 of .* \(WRITE\) deleted or rewrote rows"):
        ak.check_drift(profile, ak.delta(two_months, since=1))


def test_a_compaction_after_since_is_skipped(flights, tmp_path, profile):
    path = str(tmp_path / "small-files")
    september = month_table(flights, 9)
    halves = [september.slice(0, 10_000), september.slice(10_000)]
    write_delta(path, [month_table(flights, 8), *halves])  # September in two commits
    deltalake.DeltaTable(path).optimize.compact()  # version 3: both files into one
    history = deltalake.DeltaTable(path).history(1)[0]
    assert (history["version"], history["operation"]) == (3, "OPTIMIZE")
    got = ak.check_drift(profile, ak.delta(path, since=0))
    assert got.data_version["appended"] == [1, 2]
    assert counts(got) == counts(ak.check_drift(profile, september))


def test_an_iceberg_delete_after_since_is_refused_and_never_counted(
    flights, iceberg_catalog, profile
):
    name = "changes.deleted"
    snapshots = write_iceberg(
        iceberg_catalog, name, [month_table(flights, 8), month_table(flights, 9)]
    )
    iceberg_catalog.load_table(name).delete("carrier = 'UA'")
    uri = f"iceberg://lake/{name}"
    with pytest.raises(
        ak.SourceError, match=r"snapshot \d+ of .* \(overwrite\) deleted or rewrote"
    ):
        ak.check_drift(profile, ak.iceberg(uri, since=snapshots[0]))
    both = pa.concat_tables([month_table(flights, 8), month_table(flights, 9)])
    kept = both.filter(pc.not_equal(both["carrier"], "UA"))
    assert counts(ak.check_drift(profile, ak.iceberg(uri))) == counts(ak.check_drift(profile, kept))


def test_a_version_a_time_and_a_partition_choose_what_is_read(flights, tmp_path, profile):
    path = str(tmp_path / "versions")
    write_delta(path, [month_table(flights, 1)])
    between = datetime.now(UTC)
    time.sleep(0.01)
    write_delta(path, [month_table(flights, 9)])
    january = counts(ak.check_drift(profile, month_table(flights, 1)))
    assert counts(ak.check_drift(profile, ak.delta(path, version=0))) == january
    assert counts(ak.check_drift(profile, ak.delta(path, as_of=between.isoformat()))) == january
    assert counts(ak.check_drift(profile, ak.delta(path, partitions={"month": "1"}))) == january
    with pytest.raises(ak.ConfigError, match=r"no version as of 2001-01-01"):
        ak.check_drift(profile, ak.delta(path, as_of="2001-01-01"))
    with pytest.raises(ak.ConfigError, match=r"'carrier' is not a partition column .*\['month'\]"):
        ak.check_drift(profile, ak.delta(path, partitions={"carrier": "UA"}))
    with pytest.raises(ak.ConfigError, match=r"since=5 is after version 1"):
        ak.check_drift(profile, ak.delta(path, since=5))


def test_a_table_with_deletion_vectors_is_refused_with_the_readers_reason(tmp_path, profile):
    path = str(tmp_path / "vectors")
    deltalake.write_deltalake(
        path, pa.table({"dep_delay": [1.0]}), configuration={"delta.enableDeletionVectors": "true"}
    )
    with pytest.raises(ak.SourceError, match=r"cannot read Delta table .*deletionVectors"):
        ak.check_drift(profile, ak.delta(path), features=["dep_delay"])


def test_tables_that_are_not_there_are_named(tmp_path, iceberg_catalog, profile):
    with pytest.raises(ak.SourceError, match=r"no Delta table at"):
        ak.check_drift(profile, ak.delta(str(tmp_path / "nothing")))
    with pytest.raises(ak.SourceError, match=r"no table 'nyc.nothing' in Iceberg catalog 'lake'"):
        ak.check_drift(profile, "iceberg://lake/nyc.nothing")
    with pytest.raises(ak.ConfigError, match=r"iceberg://CATALOG/NAMESPACE.TABLE"):
        ak.check_drift(profile, "iceberg://lake/nothing")
