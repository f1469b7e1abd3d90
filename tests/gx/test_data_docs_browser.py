"""Data Docs of a validation, as a person opens them in headless Chromium."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from PIL import Image

import airflow_kl as ak
from airflow_kl.gx import build_suite, run_suite
from tests.browser import chromium, element_screenshot


def test_data_docs_show_the_drift_expectations_kl_and_bin_table(tmp_path):
    import great_expectations as gx

    rng = np.random.default_rng(4)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "c": rng.choice(["a", "b"], 3000)})
    cur = ref.assign(x=ref.x + 0.8)
    profile = ak.build_profile(ref, bins=5)
    context = gx.get_context(mode="ephemeral")
    validation = run_suite(build_suite(profile), cur, docs_dir=tmp_path / "docs", context=context)
    assert validation.docs_index.exists() and validation.failed() == [
        "expect_column_binned_kl_divergence_to_be_less_than(x)"
    ]
    page = next((tmp_path / "docs" / "validations").rglob("*.html"))
    dom = chromium("--dump-dom", page.as_uri(), cwd=tmp_path).stdout
    expected = ak.check_drift(profile, cur, correction="bonferroni").features["x"]
    assert f"KL {expected.kl:.4f} (threshold 0.1)" in dom
    assert "drift" in dom and "KL contribution" in dom
    for b in expected.bins:  # every bin of x, with its counts
        assert html.escape(b.label, quote=False) in dom
        assert str(b.current_count) in dom
    shot, row = element_screenshot(page, "x binned KL divergence", "data-docs")
    assert f"KL {expected.kl:.4f}" in row  # the picture the docs show: x's row
    assert Image.open(shot).size[1] > 150  # the row and its bin table
    index = chromium("--dump-dom", validation.docs_index.as_uri(), cwd=tmp_path).stdout
    assert "airflow_kl_drift" in index
