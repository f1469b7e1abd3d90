"""Sphinx configuration of the airflow-kl documentation (``make docs``).

Pages are MyST Markdown; the Python API, the CLI, the operators and the
exceptions are generated from the code, so the reference cannot go stale.
The build is offline: no intersphinx, no remote assets.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))

import airflow_kl  # noqa: E402

project = "airflow-kl"
author = "the airflow-kl developers"
copyright = "the airflow-kl developers"
release = airflow_kl.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
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

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"
autodoc_default_options = {"members": True, "undoc-members": False}

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
