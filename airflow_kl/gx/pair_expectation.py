"""``expect_column_pair_dependence_drift_to_be_less_than``: a pair's check as a
GX expectation.

A pair of a profile (:mod:`airflow_kl.core.pairs`) drifts when how its two
features relate changes: its dependence part reaches the threshold and the
homogeneous-association test is significant. The expectation asks the
``table.airflow_kl_pair_bin_counts`` metric for its family's counts (the
pairs judged together, by default just its own) and hands them to
:func:`airflow_kl.core.compare.compare_counts`, as ``check_drift`` does: its
status, p-value and parts are the ones ``check_drift`` reports for the same
pairs and options. Its ``observed_value`` is the dependence part.

>>> ExpectColumnPairDependenceDriftToBeLessThan.expectation_type
'expect_column_pair_dependence_drift_to_be_less_than'
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar, Literal

from great_expectations.compatibility import pydantic
from great_expectations.core.metric_domain_types import MetricDomainTypes
from great_expectations.expectations.expectation import BatchExpectation
from great_expectations.expectations.registry import get_metric_kwargs
from great_expectations.validator.metric_configuration import MetricConfiguration

from ..core.decision import INSUFFICIENT
from ..core.errors import SchemaError
from ..core.options import OPTIONS
from ..core.pair_profile import SEPARATOR, read_pairs
from ..core.profile import Profile
from ..core.profile_forms import (
    is_profile_text,
    load_profile,
    profile_from_text,
    profile_subset,
    profile_text,
    text_checksums,
)
from ..core.results import json_number
from ..core.settings import CheckSettings
from .expectation import family_report, option_fields
from .pair_metric import PAIR_METRIC

# the options judged per pair: as per column, but a pair is never segmented
PAIR_OPTIONS = tuple(o.name for o in OPTIONS if o.per_feature and o.name != "segment_by")

PairOptionFields = option_fields("PairOptionFields", BatchExpectation, PAIR_OPTIONS)


def family_profile(profile: Any, family: list[tuple[str, str]]) -> Profile:
    """``profile`` cut to the features of the ``family`` pairs, keeping only those
    pairs (each of which must be in it)."""
    profile = load_profile(profile)
    kept = {frozenset(p.features): p for p in profile.pairs}
    missing = [f"{a}{SEPARATOR}{b}" for a, b in family if frozenset((a, b)) not in kept]
    if missing:
        have = ", ".join(SEPARATOR.join(p.features) for p in profile.pairs) or "none"
        raise SchemaError(f"pair {missing[0]} is not in the profile; its pairs: {have}")
    names = list(dict.fromkeys(n for pair in family for n in pair))
    subset = profile_subset(profile, [n for n in profile.features if n in names])
    return replace(subset, pairs=tuple(kept[frozenset(pair)] for pair in family))


class ExpectColumnPairDependenceDriftToBeLessThan(PairOptionFields):
    """Expect how two columns relate to stay as in their reference profile: the
    dependence part of the pair's binned KL below ``threshold`` (or not
    significant at ``alpha``).

    ``success`` is False when the pair drifts, and on insufficient data
    unless ``on_insufficient_data="warn"``. ``family`` names the pairs whose
    p-values are corrected together (``correction``, as in ``check_drift``);
    :func:`~airflow_kl.gx.build_suite` sets it to the suite's pairs.
    """

    column_A: pydantic.StrictStr = pydantic.Field(
        min_length=1, description="The pair's first column."
    )
    column_B: pydantic.StrictStr = pydantic.Field(
        min_length=1, description="The pair's second column."
    )
    family: list[list[str]] | None = pydantic.Field(
        None,
        description="Pairs ([a, b]) whose p-values are corrected together (default: this pair).",
    )
    profile: dict | str = pydantic.Field(
        ...,
        description="The reference profile: a Profile's dict, its JSON, or a path to its file.",
    )
    on_insufficient_data: Literal["fail", "warn"] = pydantic.Field(
        "fail",
        description='What a pair with too few rows does: "fail" the expectation, or "warn".',
    )

    domain_keys: ClassVar[tuple[str, ...]] = ("batch_id", "column_A", "column_B")
    domain_type: ClassVar[MetricDomainTypes] = MetricDomainTypes.COLUMN_PAIR
    success_keys = ("profile", *PAIR_OPTIONS, "on_insufficient_data", "family")
    args_keys = ("column_A", "column_B", "profile", "threshold")
    library_metadata: ClassVar[dict] = {
        "maturity": "production",
        "tags": ["distribution", "drift", "dependence", "airflow-kl"],
        "contributors": ["airflow-kl"],
        "requirements": ["airflow-kl"],
        "has_full_test_suite": True,
        "manually_reviewed_code": True,
    }

    @pydantic.validator("profile", pre=True)
    def _profile_as_text(cls, value: Any, values: dict[str, Any]) -> Any:
        """The family's profile as one JSON string (GX copies a configuration
        many times a run; a string costs nothing there)."""
        if isinstance(value, str) and is_profile_text(value):
            return value
        family = cls._pairs(values.get("family"), values.get("column_A"), values.get("column_B"))
        return profile_text(family_profile(value, family))

    @staticmethod
    def _pairs(family: Any, a: Any, b: Any) -> list[tuple[str, str]]:
        pairs = list(read_pairs(family)) if family else []
        if not any({a, b} == set(p) for p in pairs):
            pairs.append((a, b))
        return pairs

    def _family(self) -> Profile:
        return profile_from_text(self.profile)

    def _settings(self) -> CheckSettings:
        return CheckSettings.from_options({n: getattr(self, n) for n in PAIR_OPTIONS})

    def get_validation_dependencies(self, execution_engine=None, runtime_configuration=None):
        self._settings()  # bad options fail before any data is read
        deps = super().get_validation_dependencies(execution_engine, runtime_configuration)
        kwargs = get_metric_kwargs(PAIR_METRIC, self.configuration, runtime_configuration)
        deps.set_metric_configuration(
            PAIR_METRIC,
            MetricConfiguration(
                metric_name=PAIR_METRIC,
                metric_domain_kwargs=kwargs["metric_domain_kwargs"],
                metric_value_kwargs={"profile": self.profile},
            ),
        )
        return deps

    def _validate(self, metrics: dict, runtime_configuration=None, execution_engine=None):
        profile = self._family()
        found = metrics[PAIR_METRIC]
        checksum, _ = text_checksums(self.profile)
        # judged once for the family's pair expectations (each reads its pair)
        report = family_report(
            profile, checksum, found["counts"], self._settings(), pair_tables=found["pairs"]
        )
        own = next(k for k in report.pairs if set(k) == {self.column_A, self.column_B})
        pair = report.pairs[own]
        tolerated = pair.status == INSUFFICIENT and self.on_insufficient_data == "warn"
        details = {
            **pair.to_dict(),
            "family": [list(p.features) for p in profile.pairs],
            "profile_checksum": checksum,
        }
        return {
            "success": pair.status == "ok" or tolerated,
            "result": {"observed_value": json_number(pair.dependence), "details": details},
        }
