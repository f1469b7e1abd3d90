"""The code blocks of the README and the docs that are marked runnable.

A fenced block whose info string is ``python runnable`` or ``bash runnable``
runs; a ``text output`` block right after it is what it must print. The
blocks of one page run in order in one folder (where the example data lies)
and, for Python, in one namespace, as a reader would run them one after
another. ``bash runnable exit=1`` expects that exit status (a check that
finds drift).

>>> page = "```python runnable\\nprint(1)\\n```\\n\\n```text output\\n1\\n```\\n"
>>> [(e.language, e.code, e.output, e.exit) for e in parse(page + "```python\\nskip\\n```\\n")]
[('python', 'print(1)\\n', '1\\n', 0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ("python", "bash")


@dataclass(frozen=True)
class Example:
    language: str
    code: str
    line: int  # 1-based line of the opening fence
    output: str | None  # what it must print, when a ``text output`` block follows
    exit: int  # the exit status a bash block must end with


def parse(markdown: str) -> list[Example]:
    """The runnable blocks of a Markdown text, in order."""
    fences = [t for t in MarkdownIt("commonmark").parse(markdown) if t.type == "fence"]
    found = []
    for i, token in enumerate(fences):
        words = token.info.split()
        if len(words) < 2 or words[0] not in LANGUAGES or words[1] != "runnable":
            continue
        options = dict(w.split("=", 1) for w in words[2:])
        after = fences[i + 1] if i + 1 < len(fences) else None
        output = None
        if after is not None and after.info.split() == ["text", "output"]:
            output = after.content
        line = token.map[0] + 1
        found.append(Example(words[0], token.content, line, output, int(options.get("exit", 0))))
    return found


def pages() -> list[Path]:
    """The README and every page of the docs site."""
    docs = sorted(p for p in (ROOT / "docs").rglob("*.md") if "_build" not in p.parts)
    return [ROOT / "README.md", *docs]
