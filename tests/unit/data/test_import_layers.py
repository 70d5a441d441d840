"""No import cycles in the data layer and in analytics (issue 15): every import counts, at module
level, inside functions and under TYPE_CHECKING, because a cycle is one in the design even when
Python can resolve it at run time.  Before: data.io <-> data.validation <-> data.dataset, and
analytics.plots <-> forecast / anomaly."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "symbioflows"


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _graph(package: str) -> nx.DiGraph:
    g = nx.DiGraph()
    for f in sorted((SRC / package).rglob("*.py")):
        if f.name == "__init__.py":
            continue  # a package's re-exports are not part of its layering
        mod = _module(f)
        g.add_node(mod)
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                target = node.module
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith(f"symbioflows.{package}."):
                        g.add_edge(mod, a.name)
                continue
            else:
                continue
            if target.startswith(f"symbioflows.{package}.") and target != mod:
                g.add_edge(mod, target)
    return g


@pytest.mark.parametrize("package", ["data", "analytics"])
def test_no_import_cycles(package):
    cycles = list(nx.simple_cycles(_graph(package)))
    assert cycles == [], f"import cycles in symbioflows.{package}: {cycles}"


def test_data_does_not_import_upper_layers():
    upper = ("materials", "matching", "chains", "logistics", "pricing", "impact", "compliance",
             "learn", "analytics", "distributed", "pipeline", "evaluate", "report", "cli")
    bad = []
    for f in sorted((SRC / "data").rglob("*.py")):
        for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "symbioflows" and len(parts) > 1 and parts[1] in upper:
                    bad.append(f"{f.name}:{node.lineno} imports {node.module}")
    assert bad == []
