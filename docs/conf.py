"""Sphinx configuration of the airflow-kl documentation (``make docs``).

Pages are MyST Markdown; the Python API, the CLI, the operators and the
exceptions are generated from the code, so the reference cannot go stale.
The build is offline: no intersphinx, no remote assets.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from sphinx.ext.autodoc.mock import MockFinder

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

# `make docs` builds in a light environment (docs/requirements.lock: no matplotlib,
# no Spark); what the pages only import, never call, is mocked there.
# In the full environment (the tests) every module is real.
MOCKED = [m for m in ("matplotlib",) if importlib.util.find_spec(m) is None]
if MOCKED:
    sys.meta_path.insert(0, MockFinder(MOCKED))

import airflow_kl  # noqa: E402

project = "airflow-kl"
author = "the airflow-kl developers"
copyright = "the airflow-kl developers"
release = airflow_kl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
    "reference_pages",
]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
# Flags such as --history-db stay as written (no en dash), usage blocks are plain text.
smartquotes = False
highlight_language = "text"

# Docstrings are NumPy style (Parameters, Returns, Raises sections); the types come
# from the annotations. Every public member is listed, described or not, so an
# undescribed one shows (tests/docs/test_api_reference.py fails on it).
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_default_options = {"members": True, "undoc-members": True}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_rtype = False

html_theme = "pydata_sphinx_theme"
html_title = f"airflow-kl {release}"
html_static_path = ["_static"]
html_css_files = ["wrap.css"]  # long code lines and table cells wrap
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_show_sourcelink = False
