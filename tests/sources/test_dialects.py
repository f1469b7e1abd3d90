"""The dialect layer: wide tables in one scan, errors by cause, exact quantiles
without a quantile function, and ANSI SQL for a database without an entry."""

import math
import sqlite3

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.core.errors import ConfigError, SourceError
from airflow_kl.sources.dialects import Dialect, dialect_named
from airflow_kl.sources.sql import DatabaseUnavailable, SqlColumn, SqlSource, Tallies
from tests.sql_tables import store_frame

WIDE = 1_000  # features: a feature store's width


@pytest.fixture(scope="module")
def wide_frames():
    """1,000 numeric features and one categorical one; the current frame shifted."""
    rng = np.random.default_rng(7)
    rows = 300
    data = {f"f{i:04d}": rng.normal(size=rows).round(3) for i in range(WIDE)}
    reference = pd.DataFrame({**data, "c": rng.choice(list("abcd"), rows)})
    current = reference.copy()
    current["f0001"] = current["f0001"] + 1.0
    return reference, current


SERVED = {"postgresql": "postgres_url", "mariadb": "mariadb_url", "clickhouse": "clickhouse_url"}
SERVED["snowflake"] = "snowflake_url"
EXACT_QUANTILES = ("sqlite", "mariadb", "snowflake")  # by ROW_NUMBER()


def _engine(kind, request, tmp_path):
    if kind == "sqlite":
        return sa.create_engine(f"sqlite:///{tmp_path}/wide.sqlite")
    if kind == "duckdb":
        return sa.create_engine(f"duckdb:///{tmp_path}/wide.duckdb")
    return sa.create_engine(request.getfixturevalue(SERVED[kind]))


@pytest.mark.parametrize(
    "kind", ["sqlite", "duckdb", "postgresql", *SERVED.keys() - {"postgresql"}]
)
def test_a_thousand_feature_table_profiles_and_checks_exactly(kind, wide_frames, request, tmp_path):
    """Past PostgreSQL's 1,664 result columns: the tallies are packed into arrays,
    one aggregate query for the check; SQLite, which caps the aggregates of a
    query at 2,000, takes as few scans as that forces."""
    reference, current = wide_frames
    engine = _engine(kind, request, tmp_path)
    store_frame(reference, "ref_wide", engine)
    store_frame(current, "cur_wide", engine)
    local = ak.build_profile(reference)
    # fakesnow transpiles every statement with sqlglot (about 0.4 s each): its
    # profile reads 30 features' order statistics; its check is all 1,000 at once
    width = 30 if kind == "snowflake" else WIDE
    names = [*list(local.features)[:width], "c"]
    pushed = ak.build_profile(SqlSource(engine, table="ref_wide"), features=names)
    assert list(pushed.features) == names and len(local.features) == WIDE + 1
    for name in names:
        fp, got = local.features[name], pushed.features[name]
        if fp.kind == "categorical":
            assert got.categories == fp.categories, name
        elif kind in EXACT_QUANTILES:  # order statistics, interpolated as numpy does: bit for bit
            assert np.array_equal(got.edges, fp.edges), name
        else:  # percentile_cont / quantile_cont interpolate in their own order
            assert got.edges == pytest.approx(fp.edges, rel=1e-12, abs=1e-15), name
        assert pushed.features[name].counts == fp.counts, name
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    checked = ak.check_drift(local, SqlSource(engine, table="cur_wide"))
    aggregates = [s for s in statements if "count(*)" in s.lower() and "cur_wide" in s]
    tallies = sum(len(fp.counts) - 1 for fp in local.features.values())  # below each edge, missing
    scans = math.ceil(tallies / 1_999) if kind == "sqlite" else 1
    assert len(aggregates) == scans, (len(aggregates), tallies)
    assert checked.to_dict() == ak.check_drift(local, current).to_dict()
    assert checked.drifted_features == ["f0001"]
    engine.dispose()


def test_tallies_pack_only_past_the_dialects_limits():
    def tallies(dialect, n):
        profile = ak.build_profile(pd.DataFrame({f"x{i}": np.arange(200.0) for i in range(n)}))
        cols = {f: SqlColumn(f, "DOUBLE", "number", dialect, dialect) for f in profile.features}
        found = Tallies.of(dialect, cols, profile.features)
        assert sum(found.sizes.values()) == sum(found.chunks) == 10 * n  # 9 edges, missing
        return found.chunks, [len(q.selected_columns) - 1 for q in found.queries]

    assert tallies("sqlite", 10) == ([100], [100])  # plain: one result column per tally
    # 2,500 tallies: past SQLite's 2,000 aggregates per query, so two queries; the
    # first also past its 2,000 result columns, so packed 100 to a json_array
    assert tallies("sqlite", 250) == ([1_999, 501], [20, 501])
    assert tallies("postgresql", 250) == ([2_500], [3])  # one query, 1,000 per ARRAY
    assert tallies("duckdb", 250) == ([2_500], [2_500])  # no limit to pack for


def test_sqlite_quantiles_are_numpys_without_fetching_the_column(tmp_path):
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(size=5_001), [np.inf, -np.inf], rng.integers(0, 5, 500) * 1.0])
    frame = pd.DataFrame({"x": x})
    engine = sa.create_engine(f"sqlite:///{tmp_path}/q.sqlite")
    frame.to_sql("t", engine, index=False)
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    pushed = ak.build_profile(SqlSource(engine, table="t"), bins=13).features["x"]
    finite = x[np.isfinite(x)]
    want = np.unique(np.quantile(finite, np.linspace(0, 1, 14)[1:-1]))
    assert np.array_equal(np.array(pushed.edges), want)  # bit for bit
    assert any("row_number() over" in s.lower() for s in statements)
    fetched = [s for s in statements if s.lower().lstrip().startswith("select anon_1.r")]
    assert len(fetched) == 1  # one query returns the needed order statistics only


def test_a_database_without_an_entry_gets_ansi_sql():
    ansi = dialect_named("teradata")
    assert type(ansi) is Dialect and ansi.label == "teradata" and ansi.datetimes is False
    x = sa.column("x")
    sql = str(ansi.count_where(x < 1).compile(compile_kwargs={"literal_binds": True}))
    assert sql == "sum(CASE WHEN (x < 1) THEN 1 ELSE 0 END)"
    assert ansi.quantiles(x, [0.5]) is None  # order statistics by ROW_NUMBER instead
    assert str(ansi.is_nan(x)) == "x != x"


def test_a_rejected_query_is_an_input_error_not_retried(tmp_path, postgres_url):
    """The database's verdict on the query itself (a missing column, a syntax
    error) is a SourceError: retrying cannot help. Before the dialect layer,
    SQLite's were OperationalError and so retried."""
    profile = ak.build_profile(pd.DataFrame({"x": np.arange(200.0)}))
    for url in (f"sqlite:///{tmp_path}/e.sqlite", postgres_url):
        engine = sa.create_engine(url)
        pd.DataFrame({"x": np.arange(10.0)}).to_sql("t", engine, index=False, if_exists="replace")
        with pytest.raises(SourceError, match="SQL query failed on (SQLite|PostgreSQL)"):
            ak.count_bins(profile, SqlSource(engine, table="t", where="no_such_column > 1"))
        # a syntax error is refused before anything is sent: an input error too
        with pytest.raises(ConfigError, match="a SQL filter must be one boolean expression"):
            ak.count_bins(profile, SqlSource(engine, table="t", where="x >>> 1"))
        engine.dispose()


def test_a_statement_timeout_and_a_lock_are_retryable(tmp_path, postgres_url):
    profile = ak.build_profile(pd.DataFrame({"x": np.arange(200.0)}))
    slow = sa.create_engine(postgres_url, connect_args={"options": "-c statement_timeout=50"})
    with pytest.raises(DatabaseUnavailable, match="PostgreSQL is unavailable: .*statement timeout"):
        ak.count_bins(
            profile, SqlSource(slow, query="SELECT pg_sleep(1)::text || '' AS y, 1.0 AS x")
        )
    slow.dispose()
    path = tmp_path / "locked.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": 0})
    pd.DataFrame({"x": np.arange(10.0)}).to_sql("t", engine, index=False)
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")  # another writer holds the file
    try:
        with pytest.raises(DatabaseUnavailable, match="SQLite is unavailable: database is locked"):
            ak.count_bins(profile, SqlSource(engine, table="t"))
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()


def _copy_frame(frame: pd.DataFrame, name: str, engine: sa.Engine) -> None:
    """``frame`` into PostgreSQL by COPY (a wide table loads in a second)."""
    import io

    columns = ", ".join(
        f'"{c}" {"double precision" if frame[c].dtype.kind == "f" else "text"}' for c in frame
    )
    text = io.StringIO()
    frame.to_csv(text, index=False, header=False)
    text.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} ({columns})")
            cursor.copy_expert(f"COPY {name} FROM STDIN WITH (FORMAT csv)", text)
            cursor.execute(f"ANALYZE {name}")  # what autovacuum does to every real table
        raw.commit()
    finally:
        raw.close()


def test_a_wide_check_on_an_analyzed_table_large_enough_for_a_parallel_plan(postgres_url):
    """1,000 numeric and 20 text features, 2,000 rows (~16 MB), analyzed: the
    planner would run the check's aggregate under a Gather, whose partial
    aggregates return one column per tally (10,000, past the 1,664 a target
    list may have). A wide query runs serially instead: one scan, exact."""
    rng = np.random.default_rng(11)
    rows = 2_000  # past min_parallel_table_scan_size (8 MB): the planner goes parallel
    data = {f"f{i:04d}": rng.normal(size=rows).round(3) for i in range(WIDE)}
    data |= {f"c{i:02d}": rng.choice(list("abcdefgh"), rows) for i in range(20)}
    reference = pd.DataFrame(data)
    current = reference.assign(f0001=reference["f0001"] + 1.0)
    engine = sa.create_engine(postgres_url)
    _copy_frame(reference, "ref_parallel", engine)
    _copy_frame(current, "cur_parallel", engine)
    local = ak.build_profile(reference)

    statements = []
    listen = lambda *a: statements.append((a[2], a[3]))  # noqa: E731
    sa.event.listen(engine, "before_cursor_execute", listen)
    checked = ak.check_drift(local, SqlSource(engine, table="cur_parallel"))
    sa.event.remove(engine, "before_cursor_execute", listen)
    assert checked.to_dict() == ak.check_drift(local, current).to_dict()
    assert checked.drifted_features == ["f0001"]
    assert any("max_parallel_workers_per_gather = 0" in s for s, _ in statements)
    # The same statement planned without the serial setting: a parallel plan,
    # whose partial aggregates are what failed ("number of columns exceeds limit").
    wide, parameters = next(
        (s, p) for s, p in statements if "cur_parallel" in s and "count(*)" in s.lower()
    )
    with engine.connect() as conn:
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {wide}", parameters).all())
    assert "Gather" in plan and "Partial Aggregate" in plan, plan

    pushed = ak.build_profile(SqlSource(engine, table="ref_parallel"))
    for name, fp in local.features.items():
        got = pushed.features[name]
        assert got.counts == fp.counts, name
        if fp.kind == "numeric":
            assert got.edges == pytest.approx(fp.edges, rel=1e-12, abs=1e-15), name
        else:
            assert got.categories == fp.categories, name
    engine.dispose()


def _packed_sum(constants: dict[int, int], indices: np.ndarray) -> int:
    """What ``SUM(CASE bin WHEN i THEN c_i ... ELSE 0 END)`` returns, in Python."""
    return sum(constants.get(int(i), 0) for i in indices)


@pytest.mark.parametrize("numeric", [True, False])
def test_mysql_packed_sums_decode_to_the_tallies(numeric):
    """The base-2**32 digits of MariaDB's packed sums are the tallies of
    bin_tallies (below each edge, each category, missing), computed here
    from each row's bin directly."""
    from airflow_kl.sources.dialects.mysql import (
        PACK_BASE,
        PACKED_TALLIES,
        MySQL,
        tallies_of_bin,
    )

    rng = np.random.default_rng(3)
    tallies = 14  # missing and 13 edges (or categories): three packed sums
    indices = rng.integers(-1, tallies, 5_000)  # -1 missing, else INTERVAL's or FIELD's value
    if numeric:
        want = [np.sum(indices == -1)] + [
            np.sum((indices >= 0) & (indices < j)) for j in range(1, tallies)
        ]
    else:
        want = [np.sum(indices == -1)] + [np.sum(indices == f) for f in range(1, tallies)]
    sums, widths = [], []
    for start in range(0, tallies, PACKED_TALLIES):
        stop = min(tallies, start + PACKED_TALLIES)
        constants = {
            i: sum(
                PACK_BASE ** (t - start)
                for t in tallies_of_bin(i, tallies, numeric)
                if start <= t < stop
            )
            for i in range(-1, tallies)
        }
        sums.append(_packed_sum(constants, indices))
        widths.append(stop - start)
    assert MySQL().decode(sums, widths) == [int(w) for w in want]


def test_mariadb_counts_plainly_when_packed_tallies_could_not_hold_the_rows(
    mariadb_url, monkeypatch
):
    """Past the rows packed sums hold apart (2**32; 50 here), the counts are
    read again one tally to an aggregate, and equal pandas'."""
    from airflow_kl.sources.dialects.mysql import MySQL

    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(["a", "B", "b"], 300)})
    profile = ak.build_profile(frame)
    engine = sa.create_engine(mariadb_url)
    store_frame(frame, "packed_limit", engine)
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    packed = ak.count_bins(profile, SqlSource(engine, table="packed_limit"))
    monkeypatch.setattr(MySQL, "packed_rows_limit", 50)
    plain = ak.count_bins(profile, SqlSource(engine, table="packed_limit"))
    counted = [s for s in statements if "count(*)" in s.lower() and "packed_limit" in s]
    assert len(counted) == 3  # one packed query, then a packed and a plain one
    assert "interval(" in counted[0].lower() and "interval(" not in counted[2].lower()
    want = ak.count_bins(profile, frame)
    for got in (packed, plain):
        assert {k: v.tolist() for k, v in got.items()} == {k: v.tolist() for k, v in want.items()}
    engine.dispose()
