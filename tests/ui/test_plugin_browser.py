"""The plugin as a person sees it: Chromium logs in through Airflow's UI and
opens the Drift tab of the check task and the Drift page of the navigation."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import pytest
from PIL import Image

from ..browser import browser, docs_picture  # noqa: F401  (fixture)
from .conftest import PASSWORDS

DRIFT_BADGE = (0xFD, 0xE2, 0xE1)  # the drift verdict's background in both pages
FEATURES = 8


@pytest.fixture(scope="module")
def page(browser, deployment):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{deployment.url}/")
    page.wait_for_url(re.compile(r"/auth/login"))
    page.get_by_label(re.compile("username", re.I)).fill("admin")
    page.get_by_label(re.compile("password", re.I)).fill(PASSWORDS["admin"])
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(lambda url: "/auth/login" not in url, timeout=60_000)
    yield page
    context.close()


def plugin_frame(page, route: str, ready: str):
    """The iframe the UI shows a plugin page in, once ``ready`` is in its DOM."""
    frame = page.frame_locator(f'iframe[src*="{route}"]')
    frame.locator(ready).wait_for(timeout=60_000)
    return frame


def badge_pixels(png: bytes) -> int:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    return sum(n for n, color in image.getcolors(1 << 24) if color == DRIFT_BADGE)


def test_drift_tab_of_the_check_task_shows_its_report(page, deployment):
    run = quote(deployment.runs["2013-09-01"], safe="")
    page.goto(f"{deployment.url}/dags/kl_drift_retrain/runs/{run}/tasks/check_drift")
    page.get_by_role("link", name="Drift report").click()
    page.wait_for_url(re.compile(r"/plugin/airflow-kl-report$"))
    frame = plugin_frame(page, "/airflow-kl/reports/kl_drift_retrain/", "#verdict")
    assert frame.locator("#verdict").inner_text().strip() == "DRIFT in arr_delay"
    heading = frame.locator("h1").inner_text()  # the data's name, not a worker's path
    assert heading.endswith("/flights/month=09") and str(deployment.worker_home) not in heading
    rows = frame.locator("#features tr")
    assert rows.count() == FEATURES + 1
    first = rows.nth(1).locator("td")
    assert first.nth(0).inner_text() == "arr_delay" and first.nth(9).inner_text() == "drift"
    assert frame.locator("section.feature svg").count() == FEATURES
    shot = page.locator("iframe").screenshot()
    assert badge_pixels(shot) > 2000  # the verdict and arr_delay's badges are drawn
    whole = page.screenshot(path=str(docs_picture("drift-tab")))  # the tab inside Airflow's UI
    assert badge_pixels(whole) > 2000


def svg_y(element) -> float:
    """The vertical position of a matplotlib mark (``use``) or line (``path d``)."""
    y = element.get_attribute("y")
    if y is not None:
        return float(y)
    return float(re.match(r"M\s*[-\d.]+\s+([-\d.]+)", element.get_attribute("d")).group(1))


def test_drift_page_shows_verdicts_and_trends(page, deployment):
    page.goto(f"{deployment.url}/dags")
    page.get_by_role("button", name="Browse").click()
    page.get_by_role("menuitem", name="Drift").click()
    page.wait_for_url(re.compile(r"/plugin/airflow-kl-drift$"))
    frame = plugin_frame(page, "/airflow-kl/dashboard", "#latest")
    row = frame.locator('#latest tr[data-dag="kl_drift_retrain"][data-task="check_drift"] td')
    assert [row.nth(i).inner_text() for i in (2, 3, 4)] == ["2013-09-01", "drift", "arr_delay"]

    section = frame.locator('section.task[data-dag="kl_drift_retrain"]')
    assert section.locator("div.trend").count() == FEATURES
    arr = section.locator('div.trend[data-feature="arr_delay"] svg')
    labels = [t.strip() for t in arr.locator("text").all_text_contents()]
    assert "2013-02-01" in labels and "2013-09-01" in labels
    kl_marks = arr.locator('[id$="-kl"] use')
    drift_marks = arr.locator('[id$="-drift"] use')
    threshold = arr.locator('[id$="-threshold"] path')
    assert kl_marks.count() == 2 and drift_marks.count() == 1
    line = svg_y(threshold.first)
    feb, sep = (svg_y(kl_marks.nth(i)) for i in range(2))
    assert svg_y(drift_marks.first) == pytest.approx(sep)  # September is the drift point
    assert sep < line < feb  # above the threshold, February below it (SVG y grows down)
    shot = page.screenshot(path=str(docs_picture("drift-page")))
    assert badge_pixels(shot) > 300  # the drift verdict in the table
