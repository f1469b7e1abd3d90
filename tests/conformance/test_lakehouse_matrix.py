"""Delta Lake and Iceberg tables in the conformance matrix: the frame of every
kind (NaN and infinities, "" and unicode, int64 above 2**53, decimals, dates
to 9999-12-31, timestamps with and without zones), written in two commits,
counts as pandas counts it; a profile built on either table is pandas' (so
the same rows never drift, whichever side is the table), pairs included."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import airflow_kl as ak

from .engines import accepted, held
from .test_pair_matrix import PAIR_KINDS

LAKEHOUSE = ["delta", "iceberg"]
FILES = ["pandas", "arrow", "parquet"]


def as_stored(table: pa.Table) -> pa.Table:
    """The frame as both formats store it: zoned timestamps in UTC (Iceberg's
    timestamptz), categoricals as strings (neither has a dictionary type)."""
    for name in ("tstz", "cat"):
        target = pa.timestamp("us", "UTC") if name == "tstz" else pa.string()
        table = table.set_column(table.schema.get_field_index(name), name, table[name].cast(target))
    return table


@pytest.fixture(scope="module")
def tables(frame, tmp_path_factory, iceberg_catalog):
    import deltalake

    root = tmp_path_factory.mktemp("lakehouse-matrix")
    stored = as_stored(pa.Table.from_pandas(frame[held("delta")], preserve_index=False))
    halves = [stored.slice(0, 100), stored.slice(100)]
    for half in halves:
        deltalake.write_deltalake(str(root / "delta"), half, mode="append")
    iceberg_catalog.create_namespace("matrix")
    table = iceberg_catalog.create_table("matrix.kinds", schema=stored.schema)
    for half in halves:
        table.append(half)
    pq.write_table(pa.Table.from_pandas(frame[held("parquet")]), root / "kinds.parquet")
    return {
        "pandas": frame,
        "arrow": pa.Table.from_pandas(frame[held("arrow")], preserve_index=False),
        "parquet": str(root / "kinds.parquet"),
        "delta": ak.delta(str(root / "delta")),
        "iceberg": ak.iceberg("iceberg://lake/matrix.kinds"),
    }


@pytest.fixture(scope="module")
def profiles(tables):
    return {
        name: ak.build_profile(data, features=accepted(name), pairs=PAIR_KINDS)
        for name, data in tables.items()
    }


CASES = [(b, c) for b in FILES + LAKEHOUSE for c in LAKEHOUSE] + [
    (b, c) for b in LAKEHOUSE for c in FILES
]


@pytest.mark.parametrize("builder,checker", CASES, ids=[f"{b}->{c}" for b, c in CASES])
def test_same_rows_same_counts_and_no_drift(builder, checker, tables, profiles):
    profile = profiles[builder]
    kinds = [k for k in accepted(builder) if k in accepted(checker)]
    report = ak.check_drift(profile, tables[checker], features=kinds)
    for kind in kinds:
        counts = [b.current_count for b in report.features[kind].bins]
        assert counts == list(profile.features[kind].counts), (builder, checker, kind)
    assert not report.drifted and all(f.kl == 0.0 for f in report.features.values())
    for pair in report.pairs.values():
        table = tuple(tuple(int(v) for v in row) for row in pair.current_counts)
        assert table == next(p.counts for p in profile.pairs if p.name == pair.name)
        assert pair.status == "ok" and pair.kl == 0.0


@pytest.mark.parametrize("builder", LAKEHOUSE)
def test_a_profile_built_on_a_table_is_pandas(builder, profiles):
    built, expected = profiles[builder], profiles["pandas"]
    for kind in accepted(builder):
        mine, theirs = built.features[kind], expected.features[kind]
        assert (mine.kind, mine.counts, mine.edges, mine.categories) == (
            theirs.kind,
            theirs.counts,
            theirs.edges,
            theirs.categories,
        ), kind
    assert [(p.features, p.cells, p.counts) for p in built.pairs] == [
        (p.features, p.cells, p.counts) for p in expected.pairs
    ]
