"""``expect_column_binned_kl_divergence_to_be_less_than``: the drift check as a GX expectation.

The expectation asks the ``table.airflow_kl_bin_counts`` metric for the bin
counts of its *family* (the features judged together, by default just its
column) and hands them to :func:`airflow_kl.core.compare.compare_counts`, the
one place verdicts are made: its status, corrected p-value and KL are the ones
:func:`airflow_kl.check_drift` reports for the same features and options.
Its ``observed_value`` is the KL (``"inf"`` when infinite), never ``None``.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal

import numpy as np
from great_expectations.compatibility import pydantic
from great_expectations.expectations.expectation import ColumnAggregateExpectation
from great_expectations.expectations.registry import get_metric_kwargs
from great_expectations.render import RenderedStringTemplateContent, RenderedTableContent
from great_expectations.render.components import LegacyDiagnosticRendererType
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import (
    RendererConfiguration,
    RendererValueType,
)
from great_expectations.validator.metric_configuration import MetricConfiguration

from ..core.compare import compare_counts
from ..core.decision import INSUFFICIENT
from ..core.errors import SchemaError
from ..core.options import DEFAULTS, OPTIONS
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
from .metric import METRIC
from .pair_metric import PAIR_METRIC
from .segment_metric import SEGMENT_METRIC

ProfileLike = dict | str
# The options judged one column at a time (drift_share judges a dataset, not
# one column: a suite's success is its own).
EXPECTATION_OPTIONS = tuple(o.name for o in OPTIONS if o.per_feature)


def option_fields(name: str, base: type, names: tuple[str, ...]) -> type:
    """A model with one field per option in ``names``, from its declaration
    (name, type, default). It stays abstract (it has no ``_validate``), so GX
    registers only the expectations built on it."""
    return pydantic.create_model(
        name,
        __base__=base,
        __module__=__name__,
        **{
            o.name: (o.type, pydantic.Field(o.default, description=o.described))
            for o in OPTIONS
            if o.name in names
        },
    )


CheckOptionFields = option_fields(
    "CheckOptionFields", ColumnAggregateExpectation, EXPECTATION_OPTIONS
)


_REPORTS: dict[tuple, Any] = {}


def family_report(
    profile: Profile,
    checksum: str,
    counts: dict,
    settings: CheckSettings,
    segments: list | None = None,
    pair_tables: list | None = None,
) -> Any:
    """The family's report, judged once for all its expectations (each reads its row).

    The key is everything the verdict depends on: the profile, the counts (and
    the segments' counts, or the pairs' tables, ``[[a, b, table], ...]``) and
    the settings; the last few reports are kept. Without ``pair_tables`` the
    features alone are judged (a pair has an expectation of its own, which
    passes them).
    """
    found = [counts, segments, pair_tables]
    key = (checksum, json.dumps(found, sort_keys=True), repr(settings))
    if key not in _REPORTS:
        while len(_REPORTS) >= 8:
            _REPORTS.pop(next(iter(_REPORTS)))
        tables = {(a, b): table for a, b, table in pair_tables or ()}
        _REPORTS[key] = compare_counts(
            profile,
            counts,
            settings,
            segment_counts=segments,
            pair_counts=tables,
            pairs=None if pair_tables is not None else (),
        )
    return _REPORTS[key]


class ExpectColumnBinnedKlDivergenceToBeLessThan(CheckOptionFields):
    """Expect the binned KL divergence of a column from its reference profile to stay
    below ``threshold`` (or not be significant at ``alpha``).

    ``success`` is False on drift, over all rows or (with a segmented profile)
    in any segment, and on insufficient data unless ``allow_insufficient``.
    ``family`` names the features whose p-values are corrected together
    (``correction``, as in ``check_drift``); the insufficient ones are not
    counted, as in ``check_drift``.
    :func:`~airflow_kl.gx.build_suite` sets it to the suite's features.
    """

    family: list[str] | None = pydantic.Field(
        None,
        description="Features whose p-values are corrected together (default: the column alone).",
    )
    profile: ProfileLike = pydantic.Field(
        ...,
        description="The reference profile: a Profile's dict, its JSON, or a path to its file.",
    )
    on_insufficient_data: Literal["fail", "warn"] = pydantic.Field(
        "fail",
        description='What a feature with too few rows does: "fail" the expectation, or '
        '"warn" (succeed, with the verdict in the result).',
    )
    allow_insufficient: bool | None = pydantic.Field(
        None, description='Deprecated: ``True`` is ``on_insufficient_data="warn"``.'
    )

    library_metadata: ClassVar[dict] = {
        "maturity": "production",
        "tags": ["distribution", "drift", "airflow-kl"],
        "contributors": ["airflow-kl"],
        "requirements": ["airflow-kl"],
        "has_full_test_suite": True,
        "manually_reviewed_code": True,
    }
    success_keys = (
        "profile",
        *EXPECTATION_OPTIONS,
        "on_insufficient_data",
        "allow_insufficient",
        "family",
    )
    args_keys = ("column", "profile", "threshold")

    @pydantic.validator("profile", pre=True)
    def _profile_as_text(cls, value: Any, values: dict[str, Any]) -> Any:
        """Keep the family's features as one JSON string: GX copies, hashes and
        serialises an expectation's configuration many times a run, and a string
        costs nothing there, where a nested dict costs every one of its values."""
        if isinstance(value, str):
            return value
        profile = load_profile(value)
        family = values.get("family") or [values.get("column")]
        if any(f not in profile.features for f in family):
            raise SchemaError(
                f"family names {[f for f in family if f not in profile.features]} not in "
                f"the profile: {', '.join(profile.features)}"
            )
        return profile_text(profile_subset(profile, family))

    @pydantic.root_validator(skip_on_failure=True)
    def _family_lives_in_the_profile(cls, values: dict[str, Any]) -> dict[str, Any]:
        """Once the profile text is cut to the family, the family is its features:
        the list is dropped, so GX's many copies of the configuration stay small."""
        if is_profile_text(values.get("profile")):
            values["family"] = None
        return values

    def _settings(self) -> CheckSettings:
        """The same options, names, defaults and validation as ``check_drift``."""
        return CheckSettings.from_options({n: getattr(self, n) for n in EXPECTATION_OPTIONS})

    def _tolerates_insufficient(self) -> bool:
        if self.allow_insufficient is not None:
            return self.allow_insufficient
        return self.on_insufficient_data == "warn"

    def _family(self) -> Profile:
        """The profile of the features judged together with this column."""
        if is_profile_text(self.profile):
            profile = profile_from_text(self.profile)
            if self.column not in profile.features:
                raise SchemaError(
                    f"column {self.column!r} is not in the profile: {', '.join(profile.features)}"
                )
            return profile
        family = list(self.family or [self.column])
        if self.column not in family:
            family.append(self.column)
        return profile_subset(load_profile(self.profile), family)

    def _get_success_kwargs(self) -> dict[str, Any]:
        """GX's success kwargs, read from one copy of the configuration: GX's own
        builds a fresh configuration (a deep copy of every field) for each of
        the twelve success keys, several times an expectation in every run."""
        kwargs = self.configuration.kwargs
        success = {key: kwargs.get(key, self._get_default_value(key)) for key in self.success_keys}
        success.update(self._get_domain_kwargs())
        return success

    def get_validation_dependencies(self, execution_engine=None, runtime_configuration=None):
        self._settings()  # bad options fail before any data is read
        deps = super().get_validation_dependencies(execution_engine, runtime_configuration)
        profile = self._family()
        kwargs = get_metric_kwargs(METRIC, self.configuration, runtime_configuration)
        # a segmented family is one scan: the overall counts are the segments' sum;
        # a family with pairs shares its pair expectations' metric (one pass)
        name = SEGMENT_METRIC if self._segmented(profile) else METRIC
        if profile.pairs:
            name = PAIR_METRIC
        deps.set_metric_configuration(
            name,
            MetricConfiguration(
                metric_name=name,
                metric_domain_kwargs=kwargs["metric_domain_kwargs"],
                metric_value_kwargs={"profile": self._family_text(profile)},
            ),
        )
        return deps

    def _family_text(self, profile: Profile) -> str:
        """The family's profile as text: the configuration's own when it holds
        the text (25 expectations of a suite share one), else serialised."""
        return self.profile if is_profile_text(self.profile) else profile_text(profile)

    def _checksums(self, profile: Profile) -> tuple[str, str]:
        """The family profile's checksums, computed once per profile text."""
        return text_checksums(self._family_text(profile))

    def _segmented(self, profile: Profile) -> bool:
        """Whether segments are judged: the profile has them (``segment_by``,
        when given, must name the same columns)."""
        return bool(self._settings().segments_of(profile.segments and profile.segments.by))

    def _validate(self, metrics: dict, runtime_configuration=None, execution_engine=None):
        profile = self._family()
        if self._segmented(profile):
            segments = metrics[SEGMENT_METRIC]
            counts = {
                n: np.sum([g[n] for g in segments], axis=0).tolist() for n in profile.features
            }
        else:
            segments = None
            counts = metrics[PAIR_METRIC]["counts"] if profile.pairs else metrics[METRIC]
        checksum, bins_checksum = self._checksums(profile)
        report = family_report(profile, checksum, counts, self._settings(), segments)
        f = report.features[self.column]
        success = f.status == "ok" or (f.status == INSUFFICIENT and self._tolerates_insufficient())
        within = [s for s in report.segments if self.column in s.features]
        drifted_in = [s.label for s in within if s.features[self.column].drifted]
        details = {
            **f.to_dict(),
            "family": list(profile.features),
            "profile_checksum": checksum,
            # what a DriftReport rebuilt from the suite needs to join a rolling
            # reference: the bins counted in, the settings, the family's verdict
            "bins_checksum": bins_checksum,
            "settings": report.settings,
            "dataset_drifted": report.drifted,
        }
        if within:
            success = success and not drifted_in
            details["segment_by"] = list(report.segment_by)
            details["drifted_segments"] = drifted_in
            details["segments"] = [
                {
                    "segment": s.label,
                    "key": None if s.key is None else list(s.key),
                    **s.features[self.column].to_dict(),
                }
                for s in within
            ]
        return {
            "success": success,
            "result": {"observed_value": json_number(f.kl), "details": details},
        }

    @classmethod
    def _prescriptive_template(cls, renderer_configuration: RendererConfiguration):
        renderer_configuration.add_param(name="column", param_type=RendererValueType.STRING)
        renderer_configuration.add_param(name="threshold", param_type=RendererValueType.NUMBER)
        renderer_configuration.template_str = (
            "$column binned KL divergence from its reference profile must be less than $threshold."
        )
        return renderer_configuration

    @classmethod
    @renderer(renderer_type="renderer.prescriptive")
    def _prescriptive_renderer(
        cls, configuration=None, result=None, runtime_configuration=None, **kwargs
    ):
        kw = configuration.kwargs if configuration else {}
        template = (
            "$column binned KL divergence from its reference profile must be less than $threshold"
        )
        params: dict[str, Any] = {
            "column": kw.get("column"),
            "threshold": kw.get("threshold", DEFAULTS["threshold"]),
        }
        alpha = kw.get("alpha", DEFAULTS["alpha"])
        if alpha is not None:
            template += " (drift only when significant at alpha = $alpha)"
            params["alpha"] = alpha
        return [
            RenderedStringTemplateContent(
                **{
                    "content_block_type": "string_template",
                    "string_template": {
                        "template": template + ".",
                        "params": params,
                        "styling": {"params": {"column": {"classes": ["badge"]}}},
                    },
                }
            )
        ]

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.OBSERVED_VALUE)
    def _diagnostic_observed_value_renderer(
        cls, configuration=None, result=None, runtime_configuration=None, **kwargs
    ):
        """Data Docs' "observed value": the KL with the gates it was judged by."""
        details = (result.result or {}).get("details") if result is not None else None
        if not details:
            return "--"
        kl, p = details.get("kl"), details.get("p_value")
        kl_text = "inf" if kl == "inf" else f"{float(kl):.4f}"
        p_text = f"{float(p):.3g}" if p is not None else "--"
        return (
            f"KL {kl_text} (threshold {details.get('threshold')}), p = {p_text}: "
            f"{details.get('status')}"
        )

    @classmethod
    @renderer(renderer_type=LegacyDiagnosticRendererType.UNEXPECTED_TABLE)
    def _diagnostic_unexpected_table_renderer(
        cls, configuration=None, result=None, runtime_configuration=None, **kwargs
    ):
        """Data Docs' detail table: reference and current counts and KL share per bin."""
        details = (result.result or {}).get("details") if result is not None else None
        if not details or not details.get("bins"):
            return None
        rows = [
            [
                b["label"],
                b["reference_count"],
                b["current_count"],
                b["contribution"]
                if isinstance(b["contribution"], str)
                else f"{b['contribution']:.5f}",
            ]
            for b in details["bins"]
        ]
        table = RenderedTableContent(
            **{
                "content_block_type": "table",
                "header_row": ["bin", "reference", "current", "KL contribution"],
                "table": rows,
                "styling": {"classes": ["table-bordered", "table-sm", "mt-3"]},
            }
        )
        return [table]  # Data Docs appends it to the expectation's cell
