"""No module of airflow_kl imports, directly or through others, one that
imports it back: imports inside functions included, which hide a cycle
from Python but not from a reader.

The graph is read from the source (``ast``), every ``import`` statement
wherever it stands; an edge to a package means its ``__init__``. A cycle is
what the standard library's topological sort refuses (``graphlib``).
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

import airflow_kl

ROOT = Path(airflow_kl.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(node: ast.AST, package: str) -> list[str]:
    """The modules an import statement names, absolute."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    base = node.module or ""
    if node.level:
        head = package.split(".")[: len(package.split(".")) - node.level + 1]
        base = ".".join(head + ([node.module] if node.module else []))
    return [base] + [f"{base}.{a.name}" for a in node.names]


def import_graph() -> dict[str, set[str]]:
    """``{module: the airflow_kl modules it imports}``."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            for target in imported(node, package):
                if target in modules and target != name:
                    graph[name].add(target)
    return graph


def test_the_graph_sees_deferred_and_relative_imports():
    """The reader itself: a function-level relative import is an edge."""
    g = import_graph()
    assert len(g) > 60
    assert "airflow_kl.sources.sql" in g["airflow_kl.gx.metric"]  # inside a method
    assert "airflow_kl.core.profile" in g["airflow_kl.api"]
    with pytest.raises(CycleError):  # and the sort finds a cycle when there is one
        TopologicalSorter({**g, "airflow_kl.core.errors": {"airflow_kl.api"}}).prepare()


def test_no_import_cycle_inside_airflow_kl():
    try:
        TopologicalSorter(import_graph()).prepare()
    except CycleError as exc:
        pytest.fail("import cycle: " + " -> ".join(exc.args[1]))


PUBLIC = {"airflow_kl", "airflow_kl.provider", "airflow_kl.config", "airflow_kl.gx"}


def test_the_example_dags_use_only_the_public_api():
    """Users copy the example DAGs: what they import of airflow_kl is the
    package, the provider, the GX package and the settings, never a module
    inside them."""
    dags = ROOT.parent / "dags"
    used = {
        (path.relative_to(dags).as_posix(), target)
        for path in dags.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for target in imported(node, "")[:1] + [a.name for a in getattr(node, "names", [])]
        if target.split(".")[0] == "airflow_kl"
    }
    assert used, "the example DAGs import airflow_kl"
    assert sorted(u for u in used if u[1] not in PUBLIC) == []


def package_graph() -> dict[str, set[str]]:
    """The graph between airflow_kl's packages (``airflow_kl.report``, ...) and
    its top modules (``airflow_kl.api``, ...): which layer uses which."""

    def layer(module: str) -> str:
        return ".".join(module.split(".")[:2])

    layers: dict[str, set[str]] = {}
    for name, targets in import_graph().items():
        found = layers.setdefault(layer(name), set())
        found |= {layer(t) for t in targets if layer(t) not in (layer(name), "airflow_kl")}
    return layers


def test_the_layers_use_each_other_one_way():
    """A package never imports one that imports it back: the core below the
    sources, the report below the backtest, the run layer above both, the
    entry points (CLI, provider, GX validation) on top."""
    layers = package_graph()
    try:
        TopologicalSorter(layers).prepare()
    except CycleError as exc:
        pytest.fail("packages import each other: " + " -> ".join(exc.args[1]))
    assert "airflow_kl.backtesting" not in layers["airflow_kl.report"]
    assert "airflow_kl.report" in layers["airflow_kl.backtesting"]
    assert layers["airflow_kl.core"] == set()
