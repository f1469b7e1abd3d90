"""Partitions, profiles and reports on a real S3-protocol server (moto_server,
IAM authentication on), reached through the standard ``AWS_*`` variables only:
the same numbers as the local files, and a clear error for each way it fails."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

import airflow_kl as ak
from airflow_kl.cli import main
from tests.conftest import FLIGHT_FEATURES

CLI = [sys.executable, "-m", "airflow_kl.cli"]


def test_profile_and_check_on_s3_equal_the_local_files(aws_env, s3_lake):
    remote = ak.build_profile("s3://lake/flights/month=01/", features=FLIGHT_FEATURES)
    local = ak.build_profile(s3_lake / "flights" / "month=01", features=FLIGHT_FEATURES)
    assert remote.features == local.features and remote.checksum == local.checksum
    remote.save("s3://lake/profiles/flights.json")
    loaded = ak.Profile.load("s3://lake/profiles/flights.json")
    assert loaded.checksum == local.checksum
    for month, source in (("09", "s3://lake/flights/month=09/"), ("02", "s3://lake/csv/feb.csv")):
        report = ak.check_drift(loaded, source)
        expected = ak.check_drift(local, s3_lake / "flights" / f"month={month}")
        assert report.to_dict() == expected.to_dict(), month


def test_cli_profiles_and_checks_s3_with_only_the_aws_variables(s3_server, s3_lake, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(s3_server.env())
    features = ",".join(FLIGHT_FEATURES)
    run = lambda *a: subprocess.run([*CLI, *a], env=env, capture_output=True, text=True)  # noqa: E731
    made = run(
        "profile",
        "s3://lake/flights/month=01/",
        "-o",
        "s3://lake/cli/profile.json",
        "--features",
        features,
    )
    assert made.returncode == 0, made.stderr
    checked = run(
        "check",
        "s3://lake/cli/profile.json",
        "s3://lake/flights/month=09/",
        "--report-path",
        "s3://lake/cli/report.json",
        "--html-path",
        "s3://lake/cli/report.html",
    )
    assert checked.returncode == 1, checked.stderr  # drift
    assert "dataset: DRIFT in arr_delay" in checked.stdout
    body = s3_server.client().get_object(Bucket="lake", Key="cli/report.json")["Body"].read()
    stored = json.loads(body)
    local = ak.check_drift(
        ak.build_profile(s3_lake / "flights" / "month=01", features=FLIGHT_FEATURES),
        s3_lake / "flights" / "month=09",
    )
    expected = local.to_dict()
    for report in (stored, expected):  # the CLI's profile also records where it came from
        report.pop("profile_checksum")
    assert stored == expected
    html = s3_server.client().get_object(Bucket="lake", Key="cli/report.html")["Body"].read()
    assert b"DRIFT in arr_delay" in html


@pytest.mark.parametrize(
    "target,message",
    [
        ("s3://lake/flights/month=13/", "no such file or folder: 's3://lake/flights/month=13/'"),
        ("s3://no-such-bucket/flights/", "no such file or folder: 's3://no-such-bucket/flights/'"),
        ("s3://lake/corrupt/part.parquet", "cannot read 's3://lake/corrupt/part.parquet'"),
    ],
)
def test_bad_input_on_s3_is_one_clear_error(aws_env, s3_lake, target, message, capsys):
    aws_env.client().put_object(Bucket="lake", Key="corrupt/part.parquet", Body=b"PAR1 not parquet")
    ak.build_profile(s3_lake / "flights" / "month=01", features=["dep_delay"]).save(
        "s3://lake/errors/profile.json"
    )
    with pytest.raises(ak.SourceError) as info:
        ak.check_drift(ak.Profile.load("s3://lake/errors/profile.json"), target)
    assert message in str(info.value)
    assert main(["check", "s3://lake/errors/profile.json", target]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_a_wrong_credential_is_refused_clearly(aws_env, s3_lake, monkeypatch):
    from s3fs import S3FileSystem

    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    S3FileSystem.clear_instance_cache()
    with pytest.raises(ak.SourceError, match="access to 's3://lake/flights/month=09/' was refused"):
        ak.check_drift(
            ak.build_profile(s3_lake / "flights" / "month=01"), "s3://lake/flights/month=09/"
        )


def test_an_unreachable_endpoint_is_retryable(aws_env, s3_lake, monkeypatch):
    from s3fs import S3FileSystem

    from airflow_kl.core.errors import StorageUnavailable

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    S3FileSystem.clear_instance_cache()
    with pytest.raises(
        StorageUnavailable, match="cannot reach the storage of 's3://lake/p.json'"
    ) as info:
        ak.Profile.load("s3://lake/p.json")
    assert not isinstance(info.value, ak.AirflowKLError)  # not bad input: retry


def test_a_killed_writer_leaves_the_previous_profile(aws_env, s3_lake, tmp_path):
    """Each save is one PUT: killed at any point, the object is the old profile or
    the new one, never a part (the writer reports every completed save)."""
    old = ak.build_profile(s3_lake / "flights" / "month=01", features=FLIGHT_FEATURES)
    new = ak.build_profile(s3_lake / "flights" / "month=09", features=FLIGHT_FEATURES)
    old.save("s3://lake/atomic/profile.json")
    new.save(tmp_path / "new.json")
    writer = tmp_path / "writer.py"
    writer.write_text(
        "import sys, airflow_kl as ak\n"
        f"p = ak.Profile.load({str(tmp_path / 'new.json')!r})\n"
        "for i in range(1000):\n"
        "    p.save('s3://lake/atomic/profile.json')\n"
        "    print(i, flush=True)\n"
    )
    env = {**os.environ}
    for kill_after in (1, 3):
        proc = subprocess.Popen(
            [sys.executable, str(writer)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(kill_after):
            assert proc.stdout.readline(), "the writer stopped before its writes"
        proc.kill()
        proc.wait()
        assert ak.Profile.load("s3://lake/atomic/profile.json").checksum in (
            old.checksum,
            new.checksum,
        )


ROWS, COLUMNS, GROUP = 10_000_000, 20, 1_000_000
PEAK_LIMIT = 1 << 30  # 1 GiB


@pytest.mark.alone
def test_a_10m_row_partition_streams_from_s3_in_bounded_memory(aws_env, tmp_path):
    """10M x 20 float64 (1.6 GB decoded) read row group by row group with ranged
    requests: the checking process's peak RSS stays under 1 GiB, and every row is
    counted. (Values repeat, so the file is small enough to upload quickly.)"""
    import numpy as np
    import pyarrow as pa

    names = [f"c{i}" for i in range(COLUMNS)]
    path = tmp_path / "big.parquet"
    rng = np.random.default_rng(3)
    with pq.ParquetWriter(path, pa.schema([(n, pa.float64()) for n in names])) as writer:
        for _ in range(ROWS // GROUP):
            values = rng.integers(0, 40, size=(COLUMNS, GROUP)).astype(np.float64)
            writer.write_table(pa.table(dict(zip(names, values, strict=True))))
    assert pq.ParquetFile(path).metadata.num_row_groups == ROWS // GROUP
    aws_env.client().upload_file(str(path), "lake", "big/part-0.parquet")
    profile = ak.build_profile(
        pa.table({n: np.arange(40, dtype=np.float64) for n in names}), bins=8
    )
    profile.save(tmp_path / "profile.json")
    script = tmp_path / "check.py"
    script.write_text(
        "import json, airflow_kl as ak\n"
        f"p = ak.Profile.load({str(tmp_path / 'profile.json')!r})\n"
        "r = ak.check_drift(p, 's3://lake/big/')\n"
        # VmHWM: this program's own peak (ru_maxrss may carry the forking parent's)
        "peak = int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) * 1024\n"
        "print(json.dumps({'peak': peak, 'n': [f.n_current for f in r.features.values()]}))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["n"] == [ROWS] * COLUMNS
    assert ROWS * COLUMNS * 8 > 1.4 * PEAK_LIMIT  # reading it whole could not fit
    print(f"peak RSS {result['peak'] / 2**20:.0f} MiB")
    assert result["peak"] < PEAK_LIMIT, f"peak RSS {result['peak'] / 2**20:.0f} MiB"
