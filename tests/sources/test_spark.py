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
    pushed = SparkSource(sdf).profile(["arr_delay", "dest"], 10, 5, "quantile").features
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


def test_both_spark_kernels_give_the_in_memory_counts(spark):
    """Python workers (the default) and Spark aggregates (no Python on the
    executors) count every kind Spark holds exactly as pandas does."""
    import warnings

    from tests.conformance.engines import accepted, make_frame, spark_frame

    frame = make_frame()
    profile = ak.build_profile(frame, features=accepted("spark"))
    expected = ak.count_bins(profile, frame)
    data = spark_frame(spark, frame)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no fallback: the workers ran it
        arrow = SparkSource(data).count(profile.features).totals()
    aggregates = SparkSource(data, kernel="aggregates").count(profile.features).totals()
    for name in profile.features:
        assert arrow[name].tolist() == expected[name].tolist() == aggregates[name].tolist(), name


def test_workers_that_cannot_count_fall_back_to_aggregates(spark, monkeypatch):
    from tests.conformance.engines import accepted, make_frame, spark_frame

    frame = make_frame()
    profile = ak.build_profile(frame, features=accepted("spark"))

    def workers_without_pyarrow(self, features, group_by, value):
        raise RuntimeError("PythonException: ModuleNotFoundError: No module named 'pyarrow'")

    monkeypatch.setattr(SparkSource, "_in_python_workers", workers_without_pyarrow)
    data = spark_frame(spark, frame)
    with pytest.warns(RuntimeWarning, match="counting with Spark aggregates instead"):
        counts = SparkSource(data).count(profile.features).totals()
    expected = ak.count_bins(profile, frame)
    assert all(counts[n].tolist() == expected[n].tolist() for n in profile.features)
    # the same one fallback counts by partition too
    with pytest.warns(RuntimeWarning, match="counting with Spark aggregates instead"):
        by_bool = ak.count_partition_bins(profile.features, data, "bool")
    assert by_bool.keys() == ak.count_partition_bins(profile.features, frame, "bool").keys()
    for label, groups in ak.count_partition_bins(profile.features, frame, "bool").items():
        assert all(by_bool[label][0][n].tolist() == groups[0][n].tolist() for n in groups[0])
