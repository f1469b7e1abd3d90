"""The report page and table of a check with pairs."""

import html
import re

import numpy as np
import pandas as pd

import airflow_kl as ak
from airflow_kl.report.html import render_html


def frame(rng, n, rho):
    x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], n)
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})


def test_a_drifted_pair_has_its_row_its_heatmap_and_its_cells_in_words():
    rng = np.random.default_rng(3)
    profile = ak.build_profile(frame(rng, 5000, 0.6), pairs="a:b")
    report = ak.check_drift(profile, frame(rng, 5000, -0.6))
    page = render_html(report)
    row = re.search(r'<tr data-pair="a × b">(.*?)</tr>', page, re.S).group(1)
    assert "drift" in row and f"{report.pairs[('a', 'b')].dependence:.4f}" in row
    section = re.search(
        r'<section class="pair" id="p-1" data-pair="a × b">(.*?)</section>', page, re.S
    )
    words = [html.unescape(w) for w in re.findall(r"<li>(.*?)</li>", section.group(1))]
    assert words == report.pairs[("a", "b")].moved_cells() and len(words) == 2
    # the two cells the flip fills: a low with b high, a high with b low
    sides = {tuple(part.split()[1] for part in w.split(":")[0].split(", ")) for w in words}
    assert sides == {("<", ">="), (">=", "<")}
    assert "<svg" in section.group(1) and "dependence term" in section.group(1)
    assert "DRIFT in pairs a × b" in page


def test_a_report_without_pairs_shows_no_pair_section():
    rng = np.random.default_rng(3)
    data = frame(rng, 500, 0.6)
    page = render_html(ak.check_drift(ak.build_profile(data), data))
    assert 'id="pairs"' not in page and 'class="pair"' not in page
