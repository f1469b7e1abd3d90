import json
import math

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

import airflow_kl as ak
from airflow_kl.gx import ExpectColumnBinnedKlDivergenceToBeLessThan, build_suite, validate

FEATURES = ["dep_delay", "arr_delay", "carrier", "origin"]


@pytest.fixture(scope="module")
def data(flights):
    jan = flights.loc[flights.month == 1, FEATURES].reset_index(drop=True)
    sep = flights.loc[flights.month == 9, FEATURES].reset_index(drop=True)
    for frame in (jan, sep):
        for c in ("carrier", "origin"):
            frame[c] = frame[c].astype(object)
    return jan, sep, ak.build_profile(jan, features=FEATURES)


def results_by_column(result):
    return {r.expectation_config.kwargs["column"]: r for r in result.results}


def assert_matches_check_drift(result, profile, current):
    expected = ak.check_drift(profile, current, correction="bonferroni")
    got = results_by_column(result)
    assert set(got) == set(FEATURES)
    for name, f in expected.features.items():
        r = got[name]
        assert r.exception_info.get("raised_exception") is not True, r.exception_info
        details = r.result["details"]
        assert [b["current_count"] for b in details["bins"]] == [b.current_count for b in f.bins]
        assert r.result["observed_value"] == pytest.approx(f.kl, rel=1e-12)
        assert details["p_value"] == pytest.approx(f.p_value, rel=1e-12, abs=1e-300)
        assert details["p_value_raw"] == pytest.approx(f.p_value_raw, rel=1e-12, abs=1e-300)
        assert details["status"] == f.status
        assert r.success == (f.status == "ok")
    assert result.success == (not expected.drifted)
    json.dumps(result.to_json_dict(), allow_nan=False)


def test_pandas_engine(data):
    _, sep, profile = data
    result = validate(build_suite(profile), sep)
    assert_matches_check_drift(result, profile, sep)
    assert results_by_column(result)["arr_delay"].success is False


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_sqlalchemy_engine(data, backend, tmp_path, request):
    _, sep, profile = data
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path}/gx.sqlite"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = sa.create_engine(url)
    sep.to_sql("sep_flights", engine, index=False, if_exists="replace", chunksize=10_000)
    engine.dispose()
    result = validate(build_suite(profile), connection_string=url, table="sep_flights")
    assert_matches_check_drift(result, profile, sep)


def test_spark_engine(data, spark):
    _, sep, profile = data
    result = validate(build_suite(profile), spark.createDataFrame(sep))
    assert_matches_check_drift(result, profile, sep)


def test_success_flips_exactly_at_threshold(data):
    _, sep, profile = data
    kl = ak.check_drift(profile, sep).features["arr_delay"].kl

    def run(threshold):
        exp = ExpectColumnBinnedKlDivergenceToBeLessThan(
            column="arr_delay", profile=profile, threshold=threshold
        )
        import great_expectations as gx

        return validate(gx.ExpectationSuite(name="one", expectations=[exp]), sep).success

    assert run(kl) is False
    assert run(float(np.nextafter(kl, math.inf))) is True


def test_insufficient_data_fails_unless_allowed(data):
    _, sep, profile = data
    tiny = sep.head(20)
    strict = validate(build_suite(profile), tiny)
    assert strict.success is False
    assert all(r.result["details"]["status"] == "insufficient_data" for r in strict.results)
    assert all(isinstance(r.result["observed_value"], float) for r in strict.results)
    relaxed = validate(build_suite(profile, on_insufficient_data="warn"), tiny)
    assert relaxed.success is True
    with pytest.warns(DeprecationWarning, match="on_insufficient_data"):
        old = build_suite(profile, allow_insufficient=True)
    assert validate(old, tiny).success is True


def test_infinite_kl_is_explicit_and_strict_json(data):
    jan, _, _ = data
    profile = ak.build_profile(jan, features=["carrier"])
    current = pd.DataFrame({"carrier": ["UA"] * 200 + [None] * 10}, dtype=object)
    result = validate(build_suite(profile, smoothing=0.0), current)
    r = result.results[0]
    assert r.result["observed_value"] == "inf" and r.success is False
    json.dumps(result.to_json_dict(), allow_nan=False)


def test_profile_by_path_and_bad_options(data, tmp_path):
    _, sep, profile = data
    profile.save(tmp_path / "p.json")
    by_path = validate(build_suite(str(tmp_path / "p.json")), sep)
    assert_matches_check_drift(by_path, profile, sep)
    with pytest.raises(ak.ConfigError, match="correction must be one of"):
        build_suite(profile, correction="holmes")
    with pytest.raises(ak.ConfigError, match="unknown feature 'typo'"):
        build_suite(profile, threshold={"typo": 0.2})


def test_prescriptive_rendering(data):
    _, _, profile = data
    exp = ExpectColumnBinnedKlDivergenceToBeLessThan(
        column="arr_delay", profile=profile, threshold=0.2
    )
    exp.render()
    text = json.dumps([c.to_json_dict() for c in exp.rendered_content])
    assert "binned KL divergence from its reference profile must be less than" in text
    params = exp.rendered_content[0].to_json_dict()["value"]["params"]
    assert params["threshold"]["value"] == 0.2 and params["column"]["value"] == "arr_delay"


@pytest.fixture(scope="module")
def by_origin(data):
    jan, sep, _ = data
    return ak.build_profile(jan, features=FEATURES, segment_by="origin")


@pytest.mark.parametrize("engine", ["pandas", "sqlite", "spark"])
def test_a_segmented_profile_is_judged_per_segment_on_every_engine(
    engine, data, by_origin, tmp_path, request
):
    """Every expectation fails when its column drifts over all rows or in a
    segment, and its result lists each segment's numbers as check_drift has them."""
    _, sep, _ = data
    suite = build_suite(by_origin, correction="holm", segment_by="origin")
    if engine == "pandas":
        result = validate(suite, sep)
    elif engine == "sqlite":
        url = f"sqlite:///{tmp_path}/gx.sqlite"
        sep.to_sql("sep_flights", sa.create_engine(url), index=False, chunksize=10_000)
        result = validate(suite, connection_string=url, table="sep_flights")
    else:
        result = validate(suite, request.getfixturevalue("spark").createDataFrame(sep))
    expected = ak.check_drift(by_origin, sep)
    got = results_by_column(result)
    for name, f in expected.features.items():
        details = got[name].result["details"]
        assert details["status"] == f.status
        assert details["p_value"] == pytest.approx(f.p_value, rel=1e-12, abs=1e-300)
        within = [s for s in expected.segments if name in s.features]
        drifted = [s.label for s in within if s.features[name].drifted]
        assert details.get("drifted_segments", []) == drifted
        assert got[name].success == (f.status == "ok" and not drifted)
        for row, s in zip(details.get("segments", []), within, strict=True):
            assert row["segment"] == s.label
            assert row["kl"] == pytest.approx(s.features[name].kl, rel=1e-12)
            assert row["p_value"] == pytest.approx(s.features[name].p_value, rel=1e-12, abs=1e-300)
    assert "origin" not in [s.label for s in expected.segments]  # a segment column: overall only
    hidden = [
        n
        for n, f in expected.features.items()
        if f.status == "ok"
        and any(n in s.features and s.features[n].drifted for s in expected.segments)
    ]
    assert hidden == ["carrier"]  # ok over all rows, drifted at LGA: the suite fails on it
    assert got["carrier"].success is False
    from airflow_kl.gx.validation import Validation

    rebuilt = Validation(result).drift_report()
    assert rebuilt.drifted_segments == expected.drifted_segments
    assert rebuilt.segment_by == ("origin",)
    # what a rolling reference selects and merges on, as check_drift reports it
    assert rebuilt.bins_checksum == expected.bins_checksum == by_origin.bins_checksum
    assert rebuilt.settings == {**expected.settings, "segment_by": ["origin"]}  # as the suite says
    assert rebuilt.drifted == expected.drifted


def test_a_segmented_family_asks_for_one_scan(data, by_origin):
    """A segmented expectation depends on the segment counts alone (the
    overall counts are their sum, as in check_drift); an unsegmented one on
    the overall counts alone: each suite reads the batch once."""
    from airflow_kl.gx.metric import METRIC
    from airflow_kl.gx.segment_metric import SEGMENT_METRIC

    _, _, flat = data

    def metrics(profile, **options):
        e = build_suite(profile, **options).expectations[0]
        names = e.get_validation_dependencies().get_metric_names()
        return sorted(n for n in names if "airflow_kl" in n)

    assert metrics(by_origin, segment_by="origin") == [SEGMENT_METRIC]
    assert metrics(flat) == [METRIC]


def test_segment_by_other_than_the_profiles_is_refused(by_origin):
    with pytest.raises(ak.ConfigError, match=r"segment_by is \['carrier'\] but the profile"):
        validate(build_suite(by_origin, segment_by="carrier"), pd.DataFrame())


@pytest.mark.parametrize(
    "options",
    [{}, {"threshold": 0.2, "alpha": None, "correction": "holm", "on_insufficient_data": "warn"}],
)
def test_success_kwargs_are_gxs_own_from_one_configuration(data, options):
    """The success kwargs read from one configuration equal what GX's own method
    builds key by key: every success key, defaults included, and the column."""
    from great_expectations.expectations.expectation import ColumnAggregateExpectation

    suite = build_suite(data[2], **options)
    for expectation in suite.expectations:
        ours = expectation._get_success_kwargs()
        assert ours == ColumnAggregateExpectation._get_success_kwargs(expectation)
        assert set(ours) >= {*expectation.success_keys, "column"}
        assert ours["threshold"] == options.get("threshold", 0.1)
