"""What people look at: the HTML drift report and the history of results."""

from .html import render_html, write_html

__all__ = ["render_html", "write_html"]
