import zipfile

import pandas as pd
import pyarrow.parquet as pq
import pytest

import airflow_kl as ak
from airflow_kl.sources.files import iter_batches


@pytest.fixture(scope="module")
def frames(flights):
    jan = flights[flights.month == 1]
    sep = flights[flights.month == 9]
    return jan, sep


def test_every_file_format_gives_the_in_memory_counts(tmp_path, frames):
    jan, sep = frames
    profile = ak.build_profile(jan, features=["dep_delay", "carrier", "origin"])
    expected = ak.count_bins(profile, sep)
    sep.to_parquet(tmp_path / "sep.parquet")
    sep.to_csv(tmp_path / "sep.csv", index=False)
    sep.to_csv(tmp_path / "sep.csv.gz", index=False)
    with zipfile.ZipFile(tmp_path / "sep.zip", "w") as zf:
        zf.write(tmp_path / "sep.csv", "sep.csv")
    folder = tmp_path / "folder"
    folder.mkdir()
    for day, part in sep.groupby("day"):
        part.to_parquet(folder / f"day-{day:02d}.parquet")
    for name in ("sep.parquet", "sep.csv", "sep.csv.gz", "sep.zip", "folder"):
        got = ak.count_bins(profile, tmp_path / name)
        for feature in profile.features:
            assert got[feature].tolist() == expected[feature].tolist(), (name, feature)


def test_hive_partition_folder_and_small_batches(tmp_path, frames):
    _, sep = frames
    pq.write_to_dataset(
        __import__("pyarrow").Table.from_pandas(sep[["dep_delay", "origin"]]),
        tmp_path / "ds",
        partition_cols=["origin"],
    )
    batches = list(iter_batches(tmp_path / "ds", ["dep_delay", "origin"], batch_rows=1000))
    assert len(batches) > 3 and sum(len(b) for b in batches) == len(sep)
    assert max(len(b) for b in batches) <= 1000


@pytest.mark.parametrize("name", ["data.json", "missing.parquet"])
def test_unreadable_locations(tmp_path, name):
    (tmp_path / "data.json").write_text("{}")
    with pytest.raises(ak.SourceError, match=name.split(".")[0]):
        ak.build_profile(tmp_path / name)


def test_missing_column_in_file(tmp_path):
    pd.DataFrame({"a": [1.0, 2.0]}).to_parquet(tmp_path / "a.parquet")
    profile = ak.build_profile(pd.DataFrame({"b": [1.0, 2.0]}))
    with pytest.raises(ak.SchemaError, match="'b'"):
        ak.count_bins(profile, tmp_path / "a.parquet")
