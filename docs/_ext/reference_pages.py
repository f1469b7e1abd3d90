"""Reference pages generated from the code: every operator with its arguments
and template fields, and every exception airflow-kl raises.

``{operator-reference}`` lists the operators the provider exports, so a new
operator appears without editing a page; ``{exception-reference}`` lists every
exception class defined in the package, each with its docstring (what raises
it, what to do).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import warnings
from typing import Any

from sphinx.util.docutils import SphinxDirective

ANY = inspect.Parameter.empty


def operators() -> list[type]:
    """The operator classes ``airflow_kl.provider`` exports, in its order."""
    from airflow.sdk import BaseOperator

    import airflow_kl.provider as provider

    found = [getattr(provider, name) for name in provider.__all__]
    return [c for c in found if inspect.isclass(c) and issubclass(c, BaseOperator)]


def arguments(cls: type) -> list[tuple[str, Any]]:
    """The keyword arguments ``cls`` takes beyond ``BaseOperator``'s: its own
    and its bases', then the check options a :class:`CheckOptionsOperator` takes."""
    from airflow.sdk import BaseOperator

    from airflow_kl.core.options import DEFAULTS, OPTION_NAMES
    from airflow_kl.provider.gate import CheckOptionsOperator

    seen: dict[str, Any] = {}
    for klass in cls.__mro__:
        if klass is BaseOperator or not issubclass(klass, BaseOperator):
            break
        for p in inspect.signature(klass.__init__).parameters.values():
            if p.kind is p.KEYWORD_ONLY and p.name not in seen:
                seen[p.name] = p.default
    if issubclass(cls, CheckOptionsOperator):
        for name in OPTION_NAMES:
            seen.setdefault(name, DEFAULTS[name])
    return list(seen.items())


def _default(value: Any) -> str:
    """A default as a table cell (a ``|`` escaped, as tables need)."""
    return "required" if value is ANY else f"`{value!r}`".replace("|", "\\|")


def operator_lines(cls: type) -> list[str]:
    """One operator's section as MyST Markdown."""
    path = f"{cls.__module__}.{cls.__qualname__}"
    templated = set(getattr(cls, "template_fields", ()))
    rows = [
        f"| `{name}` | {_default(default)} | {'yes' if name in templated else ''} |"
        for name, default in arguments(cls)
    ]
    return [
        f"## {cls.__name__}",
        "",
        "```{eval-rst}",
        f".. autoclass:: {path}",
        "   :no-members:",
        "```",
        "",
        "| argument | default | templated |",
        "|---|---|---|",
        *rows,
        "",
        "Template fields: " + ", ".join(f"`{f}`" for f in cls.template_fields) + ".",
        "Every other argument of Airflow's `BaseOperator` (`task_id`, `retries`, ...) applies.",
        "",
    ]


def exceptions() -> list[type]:
    """Every exception class defined in ``airflow_kl`` (the UI plugin and
    private classes aside), base classes first."""
    import airflow_kl

    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(airflow_kl.__path__, "airflow_kl."):
        if ".plugin" in info.name or ".migrations" in info.name:
            continue
        with warnings.catch_warnings():  # a deprecated alias, pyspark on pandas 3: not ours
            warnings.simplefilter("ignore")
            module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
                and not name.startswith("_")
            ):
                found[f"{info.name}.{name}"] = value
    return sorted(found.values(), key=lambda c: (len(c.__mro__), c.__module__, c.__name__))


class _MarkdownDirective(SphinxDirective):
    """Renders the Markdown lines of :meth:`lines` in place."""

    def lines(self) -> list[str]:
        raise NotImplementedError

    def run(self) -> list:
        text = "\n".join(self.lines())
        return self.parse_text_to_nodes(text, allow_section_headings=True)


class OperatorReference(_MarkdownDirective):
    def lines(self) -> list[str]:
        return [line for cls in operators() for line in operator_lines(cls)]


class ExceptionReference(_MarkdownDirective):
    def lines(self) -> list[str]:
        out = []
        for cls in exceptions():
            path = f"{cls.__module__}.{cls.__qualname__}"
            bases = ", ".join(f"`{b.__module__}.{b.__qualname__}`" for b in cls.__bases__)
            # the docstring as written: autodoc would add the inherited __init__/__new__
            doc = [f"   {line}" if line else "" for line in inspect.getdoc(cls).splitlines()]
            out += [f"## {cls.__name__}", "", "```{eval-rst}", f".. py:exception:: {path}", ""]
            out += [*doc, "```"]
            out += ["", f"Subclass of {bases}.", ""]
        return out


def described_fields(cls: type) -> list[tuple[str, Any, Any, str]]:
    """``(name, annotation, default, description)`` of the fields a class
    makes from declarations rather than its source: a dataclass field with a
    ``metadata["doc"]`` (made from a check option), a pydantic field of an
    expectation's ``args_keys`` and ``success_keys`` with a ``description``."""
    found = []
    for f in getattr(cls, "__dataclass_fields__", {}).values():
        if "doc" in f.metadata:
            found.append((f.name, f.type, f.default, f.metadata["doc"]))
    model = getattr(cls, "__fields__", None) or {}
    keys = dict.fromkeys([*getattr(cls, "args_keys", ()), *getattr(cls, "success_keys", ())])
    for name in keys:
        info = model[name].field_info
        if info.description:
            found.append((name, model[name].annotation, info.default, info.description))
    return found


def _annotation(value: Any) -> str:
    text = value if isinstance(value, str) else inspect.formatannotation(value)
    return text.replace("typing.", "")


class FieldEntries(_MarkdownDirective):
    """``{field-entries} module.Class``: one attribute entry per field of
    :func:`described_fields`, with its type, default and description (the
    page's ``autoclass`` excludes them: autodoc finds no docstring for them)."""

    required_arguments = 1

    def lines(self) -> list[str]:
        path = self.arguments[0]
        module, _, name = path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        out = ["```{eval-rst}"]
        for field, annotation, default, text in described_fields(cls):
            value = [] if default is ... else [f"   :value: {default!r}"]  # ...: required
            out += [
                f".. py:attribute:: {name}.{field}",
                f"   :module: {module}",
                f"   :type: {_annotation(annotation)}",
                *value,
                "",
                f"   {text}",
                "",
            ]
        return [*out, "```"]


_SENTENCES = ("attribute", "property", "data")
_as_written: dict[str, list[str]] = {}


def keep_sentence(app, what, name, obj, options, lines) -> None:
    """``autodoc-process-docstring``, around napoleon's: an attribute's or
    property's docstring is sentences, never napoleon's ``type: description``
    (the annotation gives the type), so "The CLI flag: ..." stays whole. Kept
    before napoleon (priority 400), put back after it (600)."""
    if what not in _SENTENCES:
        return
    if name not in _as_written:
        _as_written[name] = list(lines)
    else:
        lines[:] = _as_written.pop(name)


def setup(app) -> dict:
    app.add_directive("operator-reference", OperatorReference)
    app.add_directive("exception-reference", ExceptionReference)
    app.add_directive("field-entries", FieldEntries)
    app.connect("autodoc-process-docstring", keep_sentence, priority=400)
    app.connect("autodoc-process-docstring", keep_sentence, priority=600)
    return {"parallel_read_safe": True}
