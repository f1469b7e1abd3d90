"""One way in: every kind of data becomes a Source in one place, and every
count against data is made inside a Source's implementation."""

from __future__ import annotations

import ast
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import airflow_kl as ak
from airflow_kl.sources import resolve as resolver
from airflow_kl.sources.files import FileSource
from airflow_kl.sources.memory import FrameSource
from airflow_kl.sources.polars import PolarsSource
from airflow_kl.sources.sql import SqlSource

PACKAGE = Path(ak.__file__).parent


def test_the_engine_is_chosen_by_the_resolver(tmp_path):
    """What each kind of data becomes, decided by ``sources.resolve.resolve``."""
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    expected = {
        "pandas": (frame, FrameSource),
        "arrow": (pa.Table.from_pandas(frame), FrameSource),
        "record batch": (pa.RecordBatch.from_pandas(frame), FrameSource),
        "polars": (pl.from_pandas(frame), PolarsSource),
        "polars lazy": (pl.from_pandas(frame).lazy(), PolarsSource),
        "path": (str(tmp_path / "x.parquet"), FileSource),
        "Path": (tmp_path / "x.parquet", FileSource),
        "object store": ("s3://bucket/flights/", FileSource),
        "ak.sql": (ak.sql("sqlite://", table="t"), SqlSource),
    }
    for what, (data, kind) in expected.items():
        assert type(resolver.resolve(data)) is kind, what
    source = FrameSource(frame)
    assert resolver.resolve(source) is source
    spark = next(k for k in resolver.BUILT_IN if k.name == "spark")
    assert "pyspark.sql.dataframe.DataFrame" in spark.types  # classic and Connect subclass it
    for url in ("duckdb:///warehouse.duckdb", "postgresql://u:secret@db/x"):
        with pytest.raises(ak.ConfigError, match="is a database: say which rows") as info:
            resolver.resolve(url)
        assert "secret" not in str(info.value)
    with pytest.raises(ak.SourceError, match="cannot read data of type list"):
        resolver.resolve([1, 2])


def _calls(node: ast.AST, handed_on: bool = True) -> set[str]:
    """Names a function calls (``f(...)`` and ``x.f(...)``), and with
    ``handed_on`` every name it refers to (``map_columns(f, ...)``)."""
    names = set()
    for found in ast.walk(node):
        if isinstance(found, ast.Call) and isinstance(found.func, ast.Attribute):
            names.add(found.func.attr)
        elif isinstance(found, ast.Call) and isinstance(found.func, ast.Name):
            names.add(found.func.id)
        elif handed_on and isinstance(found, ast.Name) and isinstance(found.ctx, ast.Load):
            names.add(found.id)
    return names


def test_no_entry_point_builds_its_own_source():
    """Outside ``sources/``, a source of user data is made only by the resolver:
    no module constructs a built-in source, asks ``is_path`` or duck-types a
    counter, as the entry points each did before."""
    built_in = {"FrameSource", "FileSource", "PolarsSource", "SparkSource", "SelectableSource"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if "sources" in path.relative_to(PACKAGE).parts:
            continue
        tree = ast.parse(path.read_text())
        called = _calls(tree, handed_on=False)
        allowed = {"SelectableSource"} if path.parent.name == "gx" else set()
        found += [f"{path.name}: {name}" for name in (called & built_in) - allowed]
        found += [f"{path.name}: is_path" for name in called if name == "is_path"]
        text = path.read_text()
        found += [f"{path.name}: duck-typed" for _ in range(text.count('hasattr(source, "count'))]
    assert found == ["cli.py: is_path"]  # the progress bar asks whether to draw


def _functions(tree: ast.AST, module: str):
    """``(qualified name, class or None, node)`` of every function in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    yield f"{module}.{node.name}.{item.name}", node, item
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.FunctionDef):
            yield f"{module}.{node.name}", None, node


# What counts rows, wherever it is written: numpy's grouped count, the counting
# kernels of the core, a SQL statement's execution, a Spark action.
COUNTING_CALLS = {
    "bincount",
    "numeric_counts",
    "categorical_counts",
    "count_by_offset",
    "execute",
    "collect",
    "mapInArrow",
}
# Where such calls count no data: the report store's and history's SQL, the
# UI plugin's, and the core's kernels on arrays.
NOT_DATA = ("report", "plugin", "core")


def test_every_count_against_data_is_inside_a_source():
    """Every function that counts rows (SQL, Spark, files, frames) is reached
    only through a :class:`Source`'s implementation (its methods and the
    profiling primitives it gives): from any entry point (the public wrappers
    ``count_bins``, ``check_drift`` ..., the CLI, operators, GX), every call
    path to a count passes through a Source method. The core's count-vector
    checks and kernels take arrays, not data."""
    graph = CallGraph(PACKAGE)
    in_source = graph.methods_of(graph.source_classes())
    counting = {
        name
        for name, node in graph.functions.items()
        if _calls(node) & COUNTING_CALLS and name.split(".")[0] not in NOT_DATA
    }
    called = set().union(*graph.callees.values())
    roots = {
        n
        for n in graph.functions
        if n not in in_source and (not n.startswith("sources.") or n not in called)
    }
    reached: dict[str, str | None] = {}
    todo = [(root, None) for root in roots]
    while todo:  # every function reached from an entry point without entering a Source
        name, via = todo.pop()
        if name in reached or name in in_source:
            continue
        reached[name] = via
        todo.extend((callee, name) for callee in graph.callees[name])
    outside = {name: _path(name, reached) for name in sorted(counting & set(reached))}
    assert outside == {}, f"counts made outside a Source: {outside}"
    # the check has teeth: it finds the counting kernels, which only Sources reach
    kernels = {"sources.frame._counts", "sources.segments.count_groups"}
    kernels.add("sources.sql._grouped_tallies")
    assert kernels <= counting & called
    assert not kernels & set(reached)
    assert "sources.spark.SparkSource._grouped" in in_source & counting


class CallGraph:
    """Who calls whom in the package, by name: ``f(...)`` (and ``f`` handed
    on) is the module's own ``f`` or the one it imports; ``mod.f(...)`` is that
    module's; ``x.f(...)`` is any class's method ``f``."""

    def __init__(self, package: Path) -> None:
        self.functions: dict[str, ast.FunctionDef] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.owner: dict[str, str] = {}  # method -> class
        trees = {}
        for path in package.rglob("*.py"):
            parts = path.relative_to(package).with_suffix("").parts
            module = ".".join(p for p in parts if p != "__init__")
            trees[module] = ast.parse(path.read_text())
            for name, cls, node in _functions(trees[module], module):
                self.functions[name] = node
                if cls is not None:
                    self.classes[cls.name] = cls
                    self.owner[name] = cls.name
        methods: dict[str, set[str]] = {}
        for name in self.owner:
            methods.setdefault(name.rsplit(".", 1)[-1], set()).add(name)
        self.callees: dict[str, set[str]] = {}
        for module, tree in trees.items():
            imported = _imports(tree, module)
            for name, _, node in _functions(tree, module):
                self.callees[name] = self._resolve(node, module, imported, methods)

    def _resolve(self, node, module: str, imported: dict[str, str], methods) -> set[str]:
        found = set()
        for item in ast.walk(node):
            if isinstance(item, ast.Name) and isinstance(item.ctx, ast.Load):
                for target in (f"{module}.{item.id}", imported.get(item.id, "")):
                    if target in self.functions:
                        found.add(target)
            elif isinstance(item, ast.Call) and isinstance(item.func, ast.Attribute):
                base, attr = item.func.value, item.func.attr
                if isinstance(base, ast.Name) and base.id in imported:  # a module's function
                    found.add(f"{imported[base.id]}.{attr}")
                found |= methods.get(attr, set())
        return found & set(self.functions)

    def source_classes(self) -> set[str]:
        return {name for name, cls in self.classes.items() if _is_source(cls, self.classes)}

    def methods_of(self, classes: set[str]) -> set[str]:
        return {name for name, owner in self.owner.items() if owner in classes}


def _imports(tree: ast.Module, module: str) -> dict[str, str]:
    """``{local name: what it names}`` of a module's ``from ... import`` lines,
    relative to the package (``from ..core import values`` in ``sources.x``:
    ``values`` -> ``core.values``)."""
    out = {}
    package = module.split(".")[:-1]
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package[: len(package) - node.level + 1] + (node.module or "").split(".")
        else:
            base = (node.module or "").split(".")
            if base[0] != "airflow_kl":
                continue
            base = base[1:]
        for alias in node.names:
            out[alias.asname or alias.name] = ".".join([p for p in base if p] + [alias.name])
    return out


def _path(name: str, reached: dict[str, str | None]) -> str:
    """How an entry point reaches ``name``."""
    path = [name]
    while reached[path[-1]] is not None:
        path.append(str(reached[path[-1]]))
    return " <- ".join(path)


PRIMITIVES = {"columns", "top_values", "value_range", "quantile_edges"}


def _is_source(cls: ast.ClassDef, classes: dict[str, ast.ClassDef]) -> bool:
    """A Source, or the profiling primitives a Source gives (``primitives()``)."""
    methods = {f.name for f in cls.body if isinstance(f, ast.FunctionDef)}
    if cls.name == "Source" or methods >= PRIMITIVES:
        return True
    for base in cls.bases:
        name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
        if name == "Source" or (name in classes and _is_source(classes[name], classes)):
            return True
    return False


class CountingFileSystem:
    """An fsspec local filesystem that counts its listings (a ``find`` or
    ``ls`` not made inside another listing), as an object store counts LISTs."""

    def __init__(self) -> None:
        from fsspec.implementations.local import LocalFileSystem

        class Counting(LocalFileSystem):
            listings = 0
            depth = 0

            def _listing(self, method, *args, **kwargs):
                type(self).listings += self.depth == 0
                self.depth += 1
                try:
                    return method(self, *args, **kwargs)
                finally:
                    self.depth -= 1

            def find(self, *args, **kwargs):
                return self._listing(LocalFileSystem.find, *args, **kwargs)

            def ls(self, *args, **kwargs):
                return self._listing(LocalFileSystem.ls, *args, **kwargs)

        self.fs = Counting(skip_instance_cache=True)

    @property
    def listings(self) -> int:
        return type(self.fs).listings

    def path(self, path: Path) -> SimpleNamespace:
        """The folder as an ObjectStoragePath-like object on this filesystem."""
        return SimpleNamespace(fs=self.fs, path=str(path), protocol="counting")


def test_a_folder_is_listed_once_per_profile_and_once_per_check(tmp_path):
    rng = np.random.default_rng(3)
    folder = tmp_path / "flights"
    for month in (1, 2, 3):
        part = folder / f"month={month:02d}"
        part.mkdir(parents=True)
        frame = pd.DataFrame(
            {"delay": rng.normal(month, 1, 500), "origin": rng.choice(["JFK", "EWR"], 500)}
        )
        frame.to_parquet(part / "part-0.parquet")
    store = CountingFileSystem()
    profile = ak.build_profile(store.path(folder), bins=4, segment_by="origin")
    assert store.listings == 1  # profile (two passes), segment keys, segment counts
    assert profile.features["delay"].n == 1500
    before = store.listings
    report = ak.check_drift(profile, store.path(folder))
    assert store.listings - before == 1
    assert not report.drifted
    by_month = ak.count_partition_bins(profile.features, store.path(folder), "month")
    assert store.listings - before == 2
    assert sum(g[0]["delay"].sum() for g in by_month.values()) == 1500
