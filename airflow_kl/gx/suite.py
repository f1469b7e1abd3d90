"""Build a GX suite of drift expectations from a profile."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import great_expectations as gx

from ..core.compare import DEFAULT_THRESHOLD, selected_pairs
from ..core.errors import ConfigError
from ..core.options import OPTION_NAMES, OPTIONS
from ..core.profile import Profile
from ..core.profile_forms import profile_subset, profile_text
from ..core.settings import CheckSettings
from .expectation import ExpectColumnBinnedKlDivergenceToBeLessThan, load_profile
from .pair_expectation import PAIR_OPTIONS, ExpectColumnPairDependenceDriftToBeLessThan

# options that judge a whole dataset, which a suite of per-column expectations cannot
DATASET_OPTIONS = tuple(o.name for o in OPTIONS if not o.per_feature)


def build_suite(
    profile: Profile | dict | str,
    threshold: float | Mapping[str, float] = DEFAULT_THRESHOLD,
    name: str = "airflow_kl_drift",
    features: list[str] | None = None,
    correction: str = "bonferroni",
    thresholds: float | Mapping[str, float] | None = None,
    pairs: Any = None,
    **options: Any,
) -> gx.ExpectationSuite:
    """One expectation per profiled feature, judged together as one family: each
    expectation's p-value is corrected over the suite's features that have
    enough rows, so verdicts equal ``check_drift(..., correction=correction)``.
    Then one expectation per pair of the profile
    (:class:`~airflow_kl.gx.ExpectColumnPairDependenceDriftToBeLessThan`),
    the pairs a family of their own, as in ``check_drift``.

    ``correction`` stays Bonferroni by default, as suites built by airflow-kl
    0.1 were; pass ``"holm"`` to match ``check_drift``'s default.

    Parameters
    ----------
    profile
        The reference profile: a Profile, its dict or JSON, or a path to its file.
    threshold
        The KL threshold: one number, or ``{feature: value}`` (``"*"`` for the rest).
    name
        The suite's name.
    features
        The features to expect on (default: all of the profile's).
    correction
        The multiple-testing correction over the suite's features: ``holm``,
        ``bonferroni``, ``bh`` or ``none``.
    thresholds
        Deprecated: ``threshold``.
    pairs
        The profile's pairs to expect on (``[("a", "b")]``, ``"a:b,c:d"``): by
        default every pair whose two features are in the suite; ``[]`` for none.
        A pair is judged against the default threshold (the number, or the
        ``"*"`` entry).
    **options
        The other check options judged per column (``alpha``, ``smoothing``,
        ``min_rows``, ``direction``, ``base``, ``segment_by``) and
        ``on_insufficient_data``; ``drift_share`` judges a whole dataset and is
        refused.
    """
    if thresholds is not None:
        warnings.warn(
            "build_suite(thresholds=...) is deprecated; use threshold=", DeprecationWarning, 2
        )
        threshold = thresholds
    if options.get("allow_insufficient") is not None:
        warnings.warn(
            "allow_insufficient is deprecated; use on_insufficient_data='warn' (or 'fail')",
            DeprecationWarning,
            2,
        )
        on = "warn" if options.pop("allow_insufficient") else "fail"
        options["on_insufficient_data"] = on
    profile = load_profile(profile)
    names = list(features or profile.features)
    for option in DATASET_OPTIONS:
        if options.get(option) is not None:
            raise ConfigError(
                f"{option} judges a whole dataset; a GX suite succeeds only when every "
                f"expectation does: use check_drift or KLDriftCheckOperator for {option}"
            )
    checked = {k: v for k, v in options.items() if k in OPTION_NAMES}
    settings = CheckSettings.from_options(
        {**checked, "threshold": threshold, "correction": correction}
    )
    settings.check_features(names)
    validated = settings.to_dict()  # values, not the text they may have come as
    given = {k: validated[k] if k in checked else v for k, v in options.items()}
    for option in DATASET_OPTIONS:
        given.pop(option, None)
    # one profile text for every expectation: GX computes one metric of the
    # features' counts (and the pairs' tables) for the whole suite, in one pass
    judged = tuple(selected_pairs(profile, pairs, names))
    text = profile_text(replace(profile_subset(profile, names), pairs=judged))
    expectations = [
        ExpectColumnBinnedKlDivergenceToBeLessThan(
            column=column,
            profile=text,
            threshold=settings.threshold_for(column),
            correction=settings.correction,
            **given,
        )
        for column in names
    ]
    pair_options = {
        k: v for k, v in given.items() if k in PAIR_OPTIONS or k == "on_insufficient_data"
    }
    expectations += [
        ExpectColumnPairDependenceDriftToBeLessThan(
            column_A=pair.features[0],
            column_B=pair.features[1],
            profile=text,
            threshold=settings.default_threshold,
            family=[list(p.features) for p in judged],
            correction=settings.correction,
            **pair_options,
        )
        for pair in judged
    ]
    return gx.ExpectationSuite(name=name, expectations=expectations)
