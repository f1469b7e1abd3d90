"""What a careless or hostile caller finds at the edges: SQL that is one
statement and one term, every failure a typed one-line error (exit 2 on the
command line, never 1, which means "drift"), text that cannot forge a line or
a chart, passwords that never show, paths kept inside base_dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.core.errors import ConfigError, ProfileError, SourceError, StoreError
from tests.sql_tables import store_frame

SERVED = {
    "postgresql": "postgres_url",
    "mariadb": "mariadb_url",
    "clickhouse": "clickhouse_url",
    "snowflake": "snowflake_url",
}


def frame_with_nulls() -> pd.DataFrame:
    """``m`` 1-4; the rows of m = 2 hold NULLs in x and c, those of m = 3 other values."""
    rng = np.random.default_rng(3)
    m = np.tile([1, 2, 3, 4], 150)
    x = np.where(m == 2, np.nan, rng.normal(size=m.size).round(3))
    x = np.where(m == 3, x + 100.0, x)
    c = np.where(m == 2, None, rng.choice(["a", "b", "c"], m.size)).astype(object)
    c = np.where(m == 3, "other", c)
    return pd.DataFrame({"x": x, "c": c, "m": m})


@pytest.fixture(params=["sqlite", "duckdb", *SERVED])
def table(request, tmp_path):
    """The frame as table ``t`` in one of the six databases that run here."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/t.sqlite"
    elif request.param == "duckdb":
        url = f"duckdb:///{tmp_path}/t.duckdb"
    else:
        url = request.getfixturevalue(SERVED[request.param])
    engine = sa.create_engine(url)
    store_frame(frame_with_nulls(), "t", engine)
    engine.dispose()
    return url


def test_a_filter_with_or_counts_only_its_rows_with_nulls_among_them(table):
    """``m = 1 OR m = 2`` is one term: rows of m = 3 never pass because an OR
    escaped beside the query's own conditions (``x IS NOT NULL``)."""
    frame = frame_with_nulls()
    chosen = frame[frame.m.isin([1, 2])].reset_index(drop=True)
    source = ak.sql(table, table="t", where="m = 1 OR m = 2")
    pushed = ak.build_profile(source, features=["x", "c"], top_k=5)
    local = ak.build_profile(chosen, features=["x", "c"], top_k=5)
    assert pushed.features["x"].counts == local.features["x"].counts
    assert pushed.features["x"].edges == pytest.approx(local.features["x"].edges, rel=1e-12)
    assert pushed.features["c"].categories == local.features["c"].categories
    assert set(local.features["c"].categories) == {"a", "b", "c"}  # no 'None', no 'other'
    assert pushed.features["c"].counts == local.features["c"].counts
    got = ak.check_drift(
        local, ak.sql(table, table="t", where="m = :a OR m = :b", parameters={"a": 1, "b": 2})
    )
    assert got.to_dict()["features"] == ak.check_drift(local, chosen).to_dict()["features"]


@pytest.fixture
def duck(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    engine = sa.create_engine(f"duckdb:///{tmp_path}/d.duckdb")
    store_frame(frame_with_nulls(), "t", engine)
    engine.dispose()
    ak.build_profile(frame_with_nulls()).save(tmp_path / "p.json")
    return tmp_path


HOSTILE_FILTERS = [
    ("1=1; COPY t TO 'x.csv'; SELECT 1 WHERE 1=1", "got 3 statements"),
    ("1=1) OR (1=1", "it does not parse"),
    ("m = 1 /* unclosed", "it does not parse"),
    ("x IN (SELECT column0 FROM 'x.csv')", "no subquery"),
    ("x IN (SELECT * FROM read_csv('/etc/passwd'))", "no subquery"),
    ("EXISTS (SELECT 1 FROM t)", "no subquery"),
    ("read_text('/etc/passwd') IS NOT NULL", "must not read files"),
    ("DROP TABLE t", "one boolean expression, got a DROP"),
    ("SELECT 1", "one boolean expression, got a SELECT"),
    ("", "as text"),
]
HOSTILE_QUERIES = [
    ("SELECT x FROM t) AS src; COPY t TO 'y.csv'; SELECT * FROM (SELECT 1 AS x", "does not parse"),
    ("SELECT * FROM t; COPY t TO 'y.csv'", "got 2 statements"),
    ("SELECT * INTO y FROM t", "must not write (INTO)"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "must not write (DELETE)"),
    ("COPY t TO 'y.csv'", "one SELECT, got a COPY"),
    ("SELECT * FROM t --", None),  # a trailing comment ends before the closing parenthesis
]


@pytest.mark.parametrize("where, message", HOSTILE_FILTERS)
def test_a_filter_is_one_boolean_expression_or_refused_before_anything_runs(
    duck, where, message, capsys
):
    url = f"duckdb:///{duck}/d.duckdb"
    with pytest.raises(ConfigError, match="a SQL filter") as caught:
        ak.sql(url, table="t", where=where)
    assert message in str(caught.value)
    argv = ["check", "p.json", url, "--table", "t", "--where", where]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("airflow-kl: error: a SQL filter"), err
    assert sorted(p.name for p in duck.iterdir()) == ["d.duckdb", "p.json"]  # nothing written


@pytest.mark.parametrize("query, message", HOSTILE_QUERIES)
def test_a_query_is_one_select_or_refused_before_anything_runs(duck, query, message, capsys):
    url = f"duckdb:///{duck}/d.duckdb"
    if message is None:
        report = ak.check_drift(ak.Profile.load(duck / "p.json"), ak.sql(url, query=query))
        assert not report.drifted
        return
    with pytest.raises(ConfigError, match="a SQL query") as caught:
        ak.sql(url, query=query)
    assert message in str(caught.value)
    assert main(["profile", url, "--query", query, "-o", "q.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in duck.iterdir()) == ["d.duckdb", "p.json"]


def test_a_semicolon_or_dashes_inside_a_string_are_text(duck):
    frame = frame_with_nulls()
    frame["c"] = np.where(frame.m == 1, "a;b -- c", frame["c"])
    url = f"duckdb:///{duck}/semi.duckdb"
    engine = sa.create_engine(url)
    store_frame(frame, "t", engine)
    engine.dispose()
    source = ak.sql(url, table="t", where="c = 'a;b -- c'")
    profile = ak.build_profile(source, features=["x"])
    assert sum(profile.features["x"].counts) == int((frame.m == 1).sum())


def test_parameters_must_match_the_filter(duck, capsys):
    url = f"duckdb:///{duck}/d.duckdb"
    with pytest.raises(ConfigError, match="uses :m, but no value is given"):
        ak.sql(url, table="t", where="m = :m")
    with pytest.raises(ConfigError, match="parameter 'n' is not used by the SQL filter"):
        ak.sql(url, table="t", where="m = :m", parameters={"m": 1, "n": 2})
    with pytest.raises(ConfigError, match="a SQL query takes no parameters"):
        ak.sql(url, query="SELECT * FROM t WHERE m = :m", parameters={"m": 1})
    base = ["check", "p.json", url, "--table", "t"]
    for argv, said in (
        ([*base, "--where", "m = :m"], "uses :m"),
        ([*base, "--where", "m = 1", "--param", "m=1"], "parameter 'm' is not used"),
        ([*base, "--where", "m = :m", "--param", "m=1", "--param", "m=2"], "--param m is given"),
    ):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and said in err, err


def test_postgresql_scans_run_read_only(postgres_url):
    """A function that writes, reached through a filter, is refused by the
    database: the scan's transaction is read-only."""
    engine = sa.create_engine(postgres_url)
    store_frame(frame_with_nulls(), "ro_t", engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SEQUENCE IF EXISTS ro_seq")
        conn.exec_driver_sql("CREATE SEQUENCE ro_seq")
    with pytest.raises(SourceError, match="read-only transaction"):
        ak.build_profile(ak.sql(engine, table="ro_t", where="nextval('ro_seq') > 0"))
    with engine.connect() as conn:  # the pool hands the connection back writable
        conn.exec_driver_sql("SELECT nextval('ro_seq')")
        conn.commit()
    engine.dispose()


# Every failure, at every entry point: the typed error naming the value, and
# on the command line one line on stderr and exit 2.
def _cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    code = "import sys; from airflow_kl.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_EC2_METADATA_DISABLED": "true",
        "HOME": str(cwd),
        "AWS_CONFIG_FILE": str(cwd / "none"),
        "AWS_SHARED_CREDENTIALS_FILE": str(cwd / "none"),
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    }
    return subprocess.run(
        [sys.executable, "-c", code, *argv],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("errors")
    frame = pd.DataFrame({"x": np.arange(300.0)})
    frame.to_parquet(d / "d.parquet")
    ak.build_profile(frame).save(d / "p.json")
    (d / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (d / "long.json").write_text('{"a": ' + "9" * 5000 + "}")
    return d


CASES = {  # name: (argv, the error's type, what its one line says)
    "unknown scheme": (
        ["check", "p.json", "nosuch://x/y", "--table", "t"],
        ConfigError,
        "cannot open 'nosuch://x/y'",
    ),
    "malformed URL": (
        ["check", "p.json", "postgresql://u:pw@h:notaport/db", "--table", "t"],
        ConfigError,
        "cannot open",
    ),
    "deep profile": (["check", "deep.json", "d.parquet"], ProfileError, "nested too deeply"),
    "long number": (
        ["check", "long.json", "d.parquet"],
        ProfileError,
        "a number of more than 4300 digits",
    ),
    "unwritable history": (
        [
            "check",
            "p.json",
            "d.parquet",
            "--history-db",
            "no/such/dir/h.db",
            "--partition-key",
            "k",
        ],
        StoreError,
        "the results database cannot be used",
    ),
    "history server down": (
        [
            "check",
            "p.json",
            "d.parquet",
            "--history-db",
            "postgresql://kl:s3cret@127.0.0.1:9/x?password=s3cret",
            "--partition-key",
            "k",
        ],
        ConnectionError,
        "the results database is unavailable",
    ),
    "store URL": (
        ["history", "--history-db", "nosuch://db", "--feature", "x"],
        StoreError,
        "not a database URL",
    ),
    "s3 without credentials": (
        ["check", "p.json", "s3://bucket/x.parquet"],
        SourceError,
        "no credentials to read 's3://bucket/x.parquet'",
    ),
    "http down": (
        ["check", "p.json", "http://127.0.0.1:9/x.parquet"],
        ConnectionError,
        "cannot reach the storage of 'http://127.0.0.1:9/x.parquet'",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_every_failure_is_one_line_and_exit_2(files, case):
    argv, _, said = CASES[case]
    done = _cli(*argv, cwd=files)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert said in done.stderr, done.stderr
    assert "s3cret" not in done.stderr


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("store URL",)])
def test_every_failure_is_a_typed_error_in_python(files, case, monkeypatch):
    from airflow_kl.report.history import record

    argv, error, said = CASES[case]
    monkeypatch.chdir(files)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(files / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(files / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    with pytest.raises(error) as caught:
        profile = ak.Profile.load(argv[1])
        data = ak.sql(argv[2], table="t") if "--table" in argv else argv[2]
        report = ak.check_drift(profile, data)
        record(argv[argv.index("--history-db") + 1], report, partition_key="k")
    assert said in str(caught.value) and "\n" not in str(caught.value)
    assert "s3cret" not in str(caught.value)


def test_a_store_that_cannot_be_opened_is_a_store_error(tmp_path):
    from airflow_kl.report.store import ReportStore

    with pytest.raises(StoreError, match="cannot be used: unable to open database file"):
        ReportStore(tmp_path / "no" / "such" / "store.db")
    with pytest.raises(StoreError, match="not a database URL"):
        ReportStore("nosuch://x")
    with pytest.raises(ConnectionError, match="the results database is unavailable"):
        ReportStore("postgresql://kl@127.0.0.1:9/x")


# Text we write: control characters escaped, math never typeset, passwords masked.
def test_a_newline_in_a_name_cannot_forge_a_line_of_the_table():
    name = "dep_delay\ndataset: no drift"
    reference = pd.DataFrame({name: np.arange(500.0)})
    report = ak.check_drift(ak.build_profile(reference), reference + 50.0)
    table = report.table()
    assert table.count("\n") == 2  # header, one row, the verdict
    assert table.splitlines()[-1] == "dataset: DRIFT in dep_delay\\ndataset: no drift"


@pytest.mark.parametrize("label", ["$\\foo$", "price $5 and $6", "a\nb", "x_{1}^2"])
def test_labels_render_as_the_text_they_are(tmp_path, label):
    reference = pd.DataFrame({"c": np.repeat([label, "plain"], 200)})
    current = pd.DataFrame({"c": np.repeat([label, "plain"], [50, 350])})
    profile = ak.build_profile(reference)
    profile.save(tmp_path / "p.json")
    current.to_parquet(tmp_path / "cur.parquet")
    html = tmp_path / "r.html"
    code = main(
        ["check", str(tmp_path / "p.json"), str(tmp_path / "cur.parquet"), "--html-path", str(html)]
    )
    assert code == 1 and html.exists()  # drift, and the page was written
    from airflow_kl.core.text import printable

    escaped = printable(label).replace("&", "&amp;").replace("<", "&lt;")
    assert escaped in html.read_text()


def test_a_password_in_a_query_string_never_reaches_profile_report_or_page(tmp_path):
    db = tmp_path / "d.sqlite"
    engine = sa.create_engine(f"sqlite:///{db}")
    store_frame(frame_with_nulls(), "t", engine)
    engine.dispose()
    url = f"sqlite:///{db}?password=s3cret"
    out = tmp_path / "p.json"
    assert main(["profile", url, "--table", "t", "-o", str(out)]) == 0
    assert "s3cret" not in out.read_text()
    assert json.loads(out.read_text())["metadata"]["reference"].endswith("?password=*** t")
    html = tmp_path / "r.html"
    main(["check", str(out), url, "--table", "t", "--html-path", str(html)])
    assert "s3cret" not in html.read_text()
    assert str(ak.sql(url, table="t")) == f"sqlite:///{db}?password=*** t"


def test_base_dir_confines_the_history_database(tmp_path):
    """history_db, a templated path-like field, is confined as every path is:
    a file path or a sqlite:/// URL outside base_dir is refused before anything
    is read or written; a server's URL is not a path and passes."""
    from airflow_kl.provider import KLDriftCheckOperator
    from airflow_kl.provider.exceptions import InvalidDriftInput
    from airflow_kl.provider.gate import confine_database

    base = tmp_path / "base"
    base.mkdir()
    frame = pd.DataFrame({"x": np.arange(300.0)})
    frame.to_parquet(base / "d.parquet")
    ak.build_profile(frame).save(base / "p.json")
    inside = f"sqlite:///{base}/h.db"
    assert confine_database(str(base), inside) == inside
    assert confine_database(str(base), "h.db") == str(base / "h.db")
    assert confine_database(str(base), "postgresql://db/kl") == "postgresql://db/kl"
    for outside in (
        f"sqlite:///{tmp_path}/h.db",
        "../h.db",
        f"{tmp_path}/h.db",
        f"sqlite+pysqlite:///{base}/../h.db?timeout=1",
    ):
        op = KLDriftCheckOperator(
            task_id="t",
            profile="p.json",
            source="d.parquet",
            base_dir=str(base),
            history_db=outside,
            partition_key="k",
        )
        with pytest.raises(InvalidDriftInput, match="escapes base directory"):
            op.execute(context={})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["base"]
    assert sorted(p.name for p in base.iterdir()) == ["d.parquet", "p.json"]


MATH_KEYS = ["$\\foo$", "price $5 and $6"]


def test_a_backtest_page_takes_partition_keys_that_look_like_math(tmp_path):
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"x": rng.normal(size=800), "p": np.repeat(MATH_KEYS, 400)})
    frame.to_parquet(tmp_path / "year.parquet")
    ak.build_profile(frame[["x"]]).save(tmp_path / "p.json")
    page = tmp_path / "timeline.html"
    argv = ["backtest", str(tmp_path / "p.json"), str(tmp_path / "year.parquet")]
    assert main([*argv, "--partition-by", "p", "--html", str(page)]) == 0
    assert all(key in page.read_text() for key in MATH_KEYS)


def test_a_stored_key_that_looks_like_math_leaves_the_dashboard_whole(tmp_path):
    from datetime import UTC, datetime, timedelta

    from airflow_kl.report.dashboard import render_dashboard
    from airflow_kl.report.store import ReportStore, TaskInstanceRef

    reference = pd.DataFrame({"x": np.arange(500.0)})
    report = ak.check_drift(ak.build_profile(reference), reference)
    store = ReportStore(tmp_path / "store.db")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i, key in enumerate(MATH_KEYS):
        ti = TaskInstanceRef("d", f"run_{i}", "check")
        store.save(
            ti,
            report,
            html="<p/>",
            partition_key=key,
            source="s",
            checked_at=start + timedelta(days=i),
        )
    page = render_dashboard(store)
    assert all(key in page for key in MATH_KEYS)
