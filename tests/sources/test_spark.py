import pytest

import airflow_kl as ak
from airflow_kl.sources.spark import SparkSource
from tests.conftest import FLIGHT_FEATURES


@pytest.fixture(scope="module")
def frames(flights, spark):
    cols = [*FLIGHT_FEATURES, "month"]
    jan = flights.loc[flights.month == 1, cols]
    sep = flights.loc[flights.month == 9, cols]
    return (
        jan,
        sep,
        spark.createDataFrame(sep.astype({"carrier": object, "origin": object, "dest": object})),
    )


def test_spark_counts_equal_in_memory(frames):
    jan, sep, sdf = frames
    profile = ak.build_profile(jan, features=FLIGHT_FEATURES)
    got = ak.count_bins(profile, sdf)
    want = ak.count_bins(profile, sep)
    for name in FLIGHT_FEATURES:
        assert got[name].tolist() == want[name].tolist(), name
    assert ak.check_drift(profile, sdf).to_dict() == ak.check_drift(profile, sep).to_dict()


def test_spark_profile_matches_numpy(frames):
    _, sep, sdf = frames
    pushed = SparkSource(sdf).profile_features(["arr_delay", "dest"], 10, 5, "quantile")
    local = ak.build_profile(sep, features=["arr_delay", "dest"], top_k=5).features
    assert pushed["arr_delay"].edges == pytest.approx(local["arr_delay"].edges, rel=1e-12)
    assert pushed["arr_delay"].counts == local["arr_delay"].counts
    assert pushed["dest"].categories == local["dest"].categories
    assert pushed["dest"].counts == local["dest"].counts


def test_spark_missing_column(frames):
    jan, _, sdf = frames
    profile = ak.build_profile(jan.assign(extra=1.0), features=["extra"])
    with pytest.raises(ak.SchemaError, match="'extra'"):
        ak.count_bins(profile, sdf)
