"""What the API reference leaves undescribed: read from the built page.

Every entry of the page (a function, class, method, attribute or property)
needs a sentence of its own, and every parameter of a function, method or
(non-dataclass) class a description in its Parameters section; a
dataclass's parameters are its fields, each an attribute entry of its own.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from typing import Any

from bs4 import BeautifulSoup, Tag


def resolve(dotted: str) -> Any:
    """The object a page entry's id names (``airflow_kl.Profile.save``)."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            found = (
                inspect.getattr_static(found, name)
                if inspect.isclass(found)
                else getattr(found, name)
            )
        return found
    raise LookupError(dotted)


def is_field(dotted: str) -> bool:
    """Whether ``dotted`` is a dataclass field (a callable one, ``Option.read``,
    is shown with its default's signature: its parameters are not the field's)."""
    owner, _, name = dotted.rpartition(".")
    try:
        return name in (getattr(resolve(owner), "__dataclass_fields__", None) or {})
    except (LookupError, AttributeError):
        return False


def parameters(entry: Any) -> list[str]:
    """The names a caller passes to ``entry`` (``self``/``cls`` aside)."""
    if isinstance(entry, classmethod | staticmethod):
        entry = entry.__func__
    if inspect.isclass(entry):
        if (
            dataclasses.is_dataclass(entry)
            or issubclass(entry, tuple)
            or hasattr(entry, "__fields__")
        ):  # a dataclass, named tuple or pydantic model: its fields are entries
            return []  # its fields are attribute entries of their own
        entry = entry.__init__
        if entry is object.__init__:
            return []
    if not callable(entry):
        return []
    names = list(inspect.signature(entry).parameters)
    return [n for n in names if n not in ("self", "cls")]


def described_parameters(entry: Tag) -> set[str]:
    """The parameters an entry's Parameters section describes (a name, its
    type in parentheses, a dash and a description)."""
    found = set()
    body = entry.find("dd", recursive=False)
    for fields in body.find_all("dl", class_="field-list", recursive=False):
        for head in fields.find_all("dt", recursive=False):
            if not head.get_text().startswith("Parameters"):
                continue
            items = head.find_next_sibling("dd")
            for item in items.find_all("li") or items.find_all("p"):
                name = item.find("strong")
                text = item.get_text(" ", strip=True)
                if name and re.search(r"\) (--|–) \S|^\S+ (--|–) \S", text):
                    found.add(name.get_text().lstrip("*"))
    return found


def undescribed(html: str) -> list[str]:
    """Every entry or parameter of the page without a description, as
    ``module.Class.member`` or ``module.function(parameter)``."""
    missing = []
    for entry in BeautifulSoup(html, "html.parser").select("dl.py"):
        title = entry.find("dt", recursive=False)
        name = title.get("id")
        if not name:
            continue
        body = entry.find("dd", recursive=False)
        if not any(p.get_text(strip=True) for p in body.find_all("p", recursive=False)):
            missing.append(name)
        kinds = set(entry.get("class", ()))
        if kinds & {"function", "method", "class", "exception"} and not is_field(name):
            described = described_parameters(entry)
            missing += [f"{name}({p})" for p in parameters(resolve(name)) if p not in described]
    return missing
