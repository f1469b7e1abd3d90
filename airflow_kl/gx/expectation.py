"""``expect_column_binned_kl_divergence_to_be_less_than``: the drift check as a GX expectation.

The expectation asks the ``column.airflow_kl_bin_counts`` metric for the
column's counts in the profile's bins and judges them with the same core
function as :func:`airflow_kl.check_drift`, so both report identical numbers.
Its ``observed_value`` is the KL (``"inf"`` when infinite), never ``None``.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from great_expectations.compatibility import pydantic
from great_expectations.expectations.expectation import ColumnAggregateExpectation
from great_expectations.render import RenderedStringTemplateContent
from great_expectations.render.renderer.renderer import renderer
from great_expectations.render.renderer_configuration import (
    RendererConfiguration,
    RendererValueType,
)

from ..core.compare import CheckSettings, compare_counts
from ..core.decision import INSUFFICIENT, feature_status
from ..core.profile import Profile
from ..core.report import json_number
from .metric import METRIC

ProfileLike = dict | str


def load_profile(profile: Any) -> Profile:
    """A Profile from a Profile, its JSON dict, or a path/URI to its file."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, dict):
        return Profile.from_dict(profile)
    return Profile.load(profile)


def column_profile(profile: Profile, column: str) -> Profile:
    """A one-feature profile cut from ``profile``, remembering where it came from."""
    metadata = {**profile.metadata, "cut_from": profile.checksum}
    return Profile(
        {column: profile.features[column]},
        settings=profile.settings,
        created_at=profile.created_at,
        metadata=metadata,
    )


class ExpectColumnBinnedKlDivergenceToBeLessThan(ColumnAggregateExpectation):
    """Expect the binned KL divergence of a column from its reference profile to stay
    below ``threshold`` (or not be significant at ``alpha``).

    ``success`` is False on drift, and on insufficient data unless
    ``allow_insufficient``. ``family_size`` (set by :func:`build_suite`) applies a
    Bonferroni correction over the suite's columns.
    """

    profile: ProfileLike
    threshold: float = 0.1
    alpha: float | None = 0.01
    smoothing: float = 0.5
    min_rows: int = 100
    direction: Literal["current||reference", "reference||current"] = "current||reference"
    allow_insufficient: bool = False
    family_size: int = 1

    library_metadata: ClassVar[dict] = {
        "maturity": "production",
        "tags": ["distribution", "drift", "airflow-kl"],
        "contributors": ["airflow-kl"],
        "requirements": ["airflow-kl"],
        "has_full_test_suite": True,
        "manually_reviewed_code": True,
    }
    metric_dependencies = (METRIC,)
    success_keys = (
        "profile",
        "threshold",
        "alpha",
        "smoothing",
        "min_rows",
        "direction",
        "allow_insufficient",
        "family_size",
    )
    args_keys = ("column", "profile", "threshold")

    @pydantic.validator("profile", pre=True)
    def _profile_as_dict(cls, value: Any, values: dict[str, Any]) -> Any:
        """Keep only this column's feature: a suite then carries each feature once,
        and GX's per-call copies of the configuration stay small."""
        if isinstance(value, str):
            return value
        profile = load_profile(value)
        column = values.get("column")
        if column not in profile.features or len(profile.features) == 1:
            return profile.to_dict()
        return column_profile(profile, column).to_dict()

    @pydantic.validator("family_size")
    def _positive_family(cls, value: int) -> int:
        if value < 1:
            raise ValueError(f"family_size must be >= 1, got {value!r}")
        return value

    def _settings(self) -> CheckSettings:
        return CheckSettings(
            threshold=self.threshold,
            alpha=self.alpha,
            smoothing=self.smoothing,
            min_rows=self.min_rows,
            direction=self.direction,
        )

    def _feature(self):
        profile = load_profile(self.profile)
        if self.column not in profile.features:
            from ..core.errors import SchemaError

            raise SchemaError(
                f"column {self.column!r} is not in the profile: {', '.join(profile.features)}"
            )
        return profile, profile.features[self.column]

    def get_validation_dependencies(self, execution_engine=None, runtime_configuration=None):
        self._settings()  # bad options fail before any data is read
        deps = super().get_validation_dependencies(execution_engine, runtime_configuration)
        _, fp = self._feature()
        config = deps.get_metric_configuration(metric_name=METRIC)
        config.metric_value_kwargs["feature"] = {"name": fp.name, **fp.to_dict()}
        return deps

    def _validate(self, metrics: dict, runtime_configuration=None, execution_engine=None):
        profile, fp = self._feature()
        settings = self._settings()
        report = compare_counts(profile, {fp.name: metrics[METRIC]}, settings, [fp.name])
        f = report.features[fp.name]
        p_value, status = f.p_value, f.status
        if self.family_size > 1:
            p_value = min(1.0, f.p_value_raw * self.family_size)
            status = feature_status(
                kl=f.kl,
                p_value=p_value,
                n_current=f.n_current,
                n_reference=f.n_reference,
                threshold=f.threshold,
                alpha=settings.alpha,
                min_rows=settings.min_rows,
            )
        success = status == "ok" or (status == INSUFFICIENT and self.allow_insufficient)
        details = {
            **f.to_dict(),
            "p_value": json_number(p_value),
            "status": status,
            "family_size": self.family_size,
            "profile_checksum": profile.checksum,
        }
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
        params: dict[str, Any] = {"column": kw.get("column"), "threshold": kw.get("threshold", 0.1)}
        if kw.get("alpha") is not None:
            template += " (drift only when significant at alpha = $alpha)"
            params["alpha"] = kw.get("alpha", 0.01)
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
