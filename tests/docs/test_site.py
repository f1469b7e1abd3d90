"""The documentation site: it builds offline with warnings as errors, its
reference pages are generated from the code, the README links every page of
it, and every picture it shows is one the browser tests take."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser import browser  # noqa: F401  (a fixture)

from .api_reference import undescribed
from .examples import ROOT, pages

DOCS = ROOT / "docs"
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The site as `make docs` builds it: in its own light environment
    (docs/requirements.lock, no full lock), warnings as errors."""
    env = subprocess.run(["make", "-s", "docs-env"], cwd=ROOT, capture_output=True, text=True)
    assert env.returncode == 0, env.stderr[-3000:]
    python = ROOT / ".venv-docs" / "bin" / "python"
    light = subprocess.run([python, "-c", "import matplotlib"], capture_output=True)
    assert light.returncode != 0  # not the full lock: matplotlib is mocked there
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [python, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", DOCS, out],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    return out


def text_of(page: Path) -> str:
    return re.sub(r"<[^>]+>", " ", page.read_text())


def test_the_cli_reference_is_its_parser(site):
    from airflow_kl.cli import make_parser

    page = text_of(site / "reference" / "cli.html")
    commands = make_parser()._subparsers._group_actions[0].choices
    for name, parser in commands.items():
        assert f"airflow-kl {name}" in page
        for action in parser._actions:
            for flag in action.option_strings:
                assert flag in page or flag in ("-h", "--help"), (name, flag)


def test_the_operator_reference_lists_every_argument_and_template_field(site):
    sys.path.insert(0, str(DOCS / "_ext"))
    from reference_pages import arguments, operators

    page = (site / "reference" / "operators.html").read_text()
    found = operators()
    assert {c.__name__ for c in found} == {
        "BuildReferenceProfileOperator",
        "KLDriftCheckOperator",
        "GXValidationOperator",
        "KLBacktestOperator",
    }
    for cls in found:
        section = page.split(f'id="{cls.__name__.lower()}"')[1].split("<section")[0]
        names = [name for name, _ in arguments(cls)]
        assert {"threshold", "alpha"} <= set(names) or cls.__name__.startswith("Build")
        for name in names:
            templated = "yes" if name in cls.template_fields else ""
            row = (
                rf"<code[^>]*><span class=\"pre\">{name}</span></code></p></td>\s*"
                rf"<td><p>[^<]*(<code[^>]*>.*?</code>)?[^<]*</p></td>\s*<td><p>{templated}</p></td>"
            )
            assert re.search(row, section, re.S), (cls, name)


def test_the_exception_reference_names_every_exception_and_what_to_do(site):
    sys.path.insert(0, str(DOCS / "_ext"))
    from reference_pages import exceptions

    page = text_of(site / "reference" / "exceptions.html")
    found = exceptions()
    assert {c.__name__ for c in found} >= {
        "AirflowKLError", "ConfigError", "ProfileError", "SchemaError", "SourceError",
        "StorageUnavailable", "DatabaseUnavailable", "DriftDetected", "InsufficientData",
        "InvalidDriftInput", "ValidationFailed", "UsageError",
    }  # fmt: skip
    assert "__init__" not in page and "__new__" not in page  # what each is, not its plumbing
    for cls in found:
        assert cls.__name__ in page
        assert "What to do" in (cls.__doc__ or "") or cls.__name__ == "UsageError", cls


def test_the_api_reference_documents_every_public_name(site):
    import airflow_kl

    reference = site / "reference"
    pages = "".join((reference / f).read_text() for f in ("python-api.html", "exceptions.html"))
    for name in airflow_kl.__all__:
        assert re.search(rf'id="airflow_kl\.([\w.]+\.)?{name}"', pages), name


def test_the_api_reference_describes_every_entry_and_parameter(site):
    """Every function, class, method, attribute and property on the page has a
    sentence, and every parameter a description (tests/docs/api_reference.py)."""
    page = (site / "reference" / "python-api.html").read_text()
    assert page.count('<dl class="py ') >= 200  # members listed, described or not
    assert undescribed(page) == []


ENTRY = """<dl class="py method"><dt class="sig sig-object py" id="airflow_kl.Profile.save">
</dt><dd>{text}<dl class="field-list simple"><dt class="field-odd">Parameters</dt>
<dd class="field-odd"><p><strong>path</strong> (<em>Any</em>){param}</p></dd></dl></dd></dl>"""


def test_an_undescribed_entry_or_parameter_is_found():
    described = ENTRY.format(text="<p>Write it.</p>", param=" -- Where.")
    assert undescribed(described) == []
    assert undescribed(ENTRY.format(text="", param=" -- Where.")) == ["airflow_kl.Profile.save"]
    assert undescribed(ENTRY.format(text="<p>Write it.</p>", param="")) == [
        "airflow_kl.Profile.save(path)"
    ]


def test_the_readme_links_every_page_and_every_link_resolves():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 160
    linked = {(ROOT / target).resolve() for target in LINK.findall(readme)}
    site_pages = {p.resolve() for p in DOCS.rglob("*.md") if "_build" not in p.parts}
    site_pages = {p for p in site_pages if p.name != "index.md"}  # the site's own tables
    assert site_pages <= linked, sorted(str(p) for p in site_pages - linked)
    for page in pages():
        for target in LINK.findall(page.read_text()):
            if "://" not in target:
                assert (page.parent / target).exists(), (page, target)


def test_every_picture_is_taken_by_a_browser_test():
    """The pictures are the screenshots the browser tests write on every run
    (tests/browser.py: docs_picture), never a file drawn by hand."""
    shown = {
        Path(target).stem
        for page in pages()
        for target in LINK.findall(page.read_text())
        if target.endswith(".png")
    }
    taken = set()
    for test in (ROOT / "tests").rglob("test_*.py"):
        source = test.read_text()
        taken |= set(re.findall(r'docs_picture\("([\w-]+)"\)', source))
        taken |= set(re.findall(r'screenshot\([^)]*?"([\w-]+)"', source))
    assert shown == {"report", "drift-tab", "drift-page", "data-docs", "timeline"}
    assert shown <= taken, shown - taken
    for name in shown:
        assert (DOCS / "_static" / "screenshots" / f"{name}.png").stat().st_size > 10_000, name


def test_the_site_loads_nothing_from_elsewhere(site):
    """Offline: every script, style sheet and image comes with the site."""
    built = list(site.rglob("*.html"))
    assert len(built) >= 25
    asset = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(https?:[^"]+)"')
    for page in built:
        remote = asset.findall(page.read_text())
        assert remote == [], (page, remote)


OVERFLOWING = """() => [...document.querySelectorAll(
    ".bd-content div.highlight pre, .bd-content .pst-scrollable-table-container")]
  .filter((e) => e.scrollWidth > e.clientWidth + 1)
  .map((e) => e.innerText.slice(0, 60))"""


def test_no_code_block_or_table_needs_a_sideways_scroll(site, browser):  # noqa: F811
    """At a laptop's width every code block and table of every page fits its
    column: long lines and cells wrap (docs/_static/wrap.css)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    clipped = {}
    for html in sorted(site.rglob("*.html")):
        if "_static" in html.parts or "_modules" in html.parts:
            continue
        page.goto(html.as_uri())
        if found := page.evaluate(OVERFLOWING):
            clipped[str(html.relative_to(site))] = found
    page.close()
    assert clipped == {}
