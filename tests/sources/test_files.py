import zipfile

import numpy as np
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


def test_file_profile_equals_in_memory_when_it_fits(tmp_path, frames):
    jan, _ = frames
    jan.to_parquet(tmp_path / "jan.parquet")
    features = ["dep_delay", "carrier", "distance"]
    from_file = ak.build_profile(tmp_path / "jan.parquet", features=features)
    in_memory = ak.build_profile(jan, features=features)
    for name in features:
        assert from_file.features[name].counts == in_memory.features[name].counts
        assert from_file.features[name].edges == in_memory.features[name].edges
        assert from_file.features[name].categories == in_memory.features[name].categories
    assert from_file.settings["edges_from"] == "all rows"


def test_sampled_file_profile_has_exact_counts_and_close_edges(tmp_path, frames):
    from airflow_kl.sources.files import FileSource

    jan, _ = frames
    jan.to_parquet(tmp_path / "jan.parquet", row_group_size=2000)
    profiled = FileSource(tmp_path / "jan.parquet").profile(
        ["dep_delay", "carrier"], 10, 20, "quantile", sample_rows=5000
    )
    sampled = profiled.features
    assert "sample" in profiled.settings["edges_from"]
    fp = sampled["dep_delay"]
    assert fp.counts == tuple(ak.count_bins(ak.Profile({"dep_delay": fp}), jan)["dep_delay"])
    assert fp.n == len(jan)
    # each sampled edge lies between the true quantiles 4 standard errors
    # (sqrt(q(1-q)/m), m = 5000 sampled rows) either side of its target
    values = jan.dep_delay.dropna().to_numpy()
    exact_edges = ak.build_profile(jan, features=["dep_delay"]).features["dep_delay"].edges
    assert len(fp.edges) == len(exact_edges)
    for q, edge in zip(np.linspace(0, 1, 11)[1:-1], fp.edges, strict=False):
        se = np.sqrt(q * (1 - q) / 5000)
        assert np.quantile(values, max(0, q - 4 * se)) <= edge <= np.quantile(values, q + 4 * se)
    exact = ak.build_profile(jan, features=["carrier"]).features["carrier"]
    assert sampled["carrier"].categories == exact.categories
    assert sampled["carrier"].counts == exact.counts
