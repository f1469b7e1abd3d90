"""Every kind x every engine x a profile built on any engine: the same rows give
the same counts (so identical data never drifts), or a SchemaError before
counting that names the column and both types."""

from __future__ import annotations

import pytest

import airflow_kl as ak
from airflow_kl.gx import build_suite, validate

from .engines import (
    BUILDERS,
    DATETIMES,
    ENGINES,
    REFUSED,
    accepted,
    held,
)


@pytest.fixture(scope="module")
def profiles(stores):
    return {b: ak.build_profile(stores[b], features=accepted(b)) for b in BUILDERS}


class GXRefused(Exception):
    """A GX validation that raised inside an expectation."""


def count(engine: str, data, profile: ak.Profile, features: list[str]) -> dict[str, list[int]]:
    if not engine.startswith("gx_"):
        return {k: v.tolist() for k, v in ak.count_bins(profile, data, features).items()}
    suite = build_suite(profile, features=features)
    if engine in ("gx_sql", "gx_sqlite"):
        result = validate(suite, connection_string=data, table="kinds")
    else:
        result = validate(suite, data)
    out = {}
    for r in result.results:
        errors = gx_errors(r.exception_info)
        if errors:
            raise GXRefused(errors[0])
        bins = r.result["details"]["bins"]
        out[r.expectation_config.kwargs["column"]] = [b["current_count"] for b in bins]
    return out


def gx_errors(info: dict) -> list[str]:
    """Messages of what raised in an expectation: GX keeps them either at the top
    of ``exception_info`` or per metric that failed."""
    if info.get("raised_exception"):
        return [info["exception_message"]]
    return [
        v["exception_message"]
        for v in info.values()
        if isinstance(v, dict) and v.get("raised_exception")
    ]


# A Polars profile is the Arrow profile (test_a_polars_profile_is_the_arrow_one),
# which every engine checks: Polars builds against the engines that hold rows.
IN_MEMORY = ("pandas", "arrow", "arrow_views", "polars", "parquet", "csv")
PAIRS = [(b, c) for b in BUILDERS for c in ENGINES if b != "polars" or c in IN_MEMORY]


@pytest.mark.parametrize("builder,checker", PAIRS, ids=[f"{b}->{c}" for b, c in PAIRS])
def test_same_rows_same_counts_or_a_clear_refusal(builder, checker, stores, profiles):
    profile = profiles[builder]
    common = [k for k in accepted(builder) if k in held(checker)]
    refused = [k for k in common if k in REFUSED.get(checker, set())]
    judged = [k for k in common if k not in refused]
    counts = count(checker, stores[checker], profile, judged)
    for kind in judged:
        assert counts[kind] == list(profile.features[kind].counts), (builder, checker, kind)
    for kind in refused:
        fp = profile.features[kind]
        error = GXRefused if checker.startswith("gx_") else ak.SchemaError
        with pytest.raises(error, match=rf"'{kind}'.*{fp.source_type[:4]}"):
            count(checker, stores[checker], profile, [kind])


def test_identical_data_never_drifts_on_any_engine(stores, profiles):
    for builder, profile in profiles.items():
        for checker in ("pandas", "duckdb", "spark"):
            features = [k for k in profile.features if k in accepted(checker)]
            report = ak.check_drift(profile, stores[checker], features=features, min_rows=1)
            assert not report.drifted, (builder, checker)
            assert all(f.kl == 0.0 and f.p_value == 1.0 for f in report.features.values())


@pytest.mark.parametrize("kind", sorted(DATETIMES))
def test_sqlite_refuses_dates_naming_column_engine_and_type(kind, stores):
    with pytest.raises(ak.SchemaError, match=rf"'{kind}' has the SQLite type .*text"):
        ak.build_profile(stores["sqlite"], features=[kind])


def test_a_polars_profile_is_the_arrow_one(profiles):
    """Bins, counts and value types alike (only the type names differ:
    Polars hands strings over as large_string)."""
    for name, fp in profiles["polars"].features.items():
        arrow = profiles["arrow"].features[name]
        got = (fp.kind, fp.value, fp.counts, fp.edges, fp.categories)
        assert got == (arrow.kind, arrow.value, arrow.counts, arrow.edges, arrow.categories), name
    assert list(profiles["polars"].features) == list(profiles["arrow"].features)


def test_profiles_agree_on_kinds_across_engines(profiles):
    """Every builder reads the same value type for a column (from its schema)."""
    reference = profiles["pandas"].features
    for builder, profile in profiles.items():
        for name, fp in profile.features.items():
            assert fp.value == reference[name].value, (builder, name)
            assert fp.kind == reference[name].kind, (builder, name)
