"""Validating 25 columns x 1M rows through GX against check_drift on the same frame."""

from __future__ import annotations

import great_expectations as gx

import airflow_kl as ak
from airflow_kl.gx import build_suite

from .data import make_frame
from .timing import best_of

ROWS = 1_000_000


def run() -> list[dict]:
    reference = make_frame(ROWS, seed=1)
    current = make_frame(ROWS, shift=0.05, seed=2)
    profile = ak.build_profile(reference)
    context = gx.get_context(mode="ephemeral")
    suite = context.suites.add(build_suite(profile))
    batch = (
        context.data_sources.add_pandas("bench")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole")
    )
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(data=batch, suite=suite, name="bench")
    )
    t_gx = best_of(lambda: definition.run(batch_parameters={"dataframe": current}))
    t_core = best_of(lambda: ak.check_drift(profile, current, correction="bonferroni"))
    return [
        {
            "benchmark": "GX suite, 25 columns x 1M rows, vs check_drift (setup excluded)",
            "ours_s": t_gx,
            "baseline_s": t_core,
            "slowdown": t_gx / t_core,
            "target": "<= 1.5x check_drift",
        }
    ]
