"""The core is a house in layers: no import cycle, no import inside a function, nothing from above.

The layers are those of ``../shared/DESIGN.md`` §3 and ``model/__init__.py``:
each module of ``model/`` may import only modules of a lower layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

MODEL = Path(__file__).resolve().parents[1] / "model"

LAYER = {
    "model.errors": 0,
    "model.survey": 1,
    "model.parameters": 2,
    "model.town.layers": 3, "model.town.sparse": 3, "model.town.networkx_reference": 4, "model.town.survey_population": 4, "model.town": 5,
    "model.rules": 6,
    "model.state": 7, "model.recruitment": 7, "model.interventions": 8, "model.kernels": 8,
    "model.survey_figures": 9, "model.metrics": 9,
    "model.engine": 10, "model.agents": 10,
    "model.checkpoint": 11,
    "model.model": 12,
    "model": 13,
}
"""Rank of each module; an import must go to a strictly lower rank."""


def module_name(path: Path) -> str:
    parts = path.relative_to(MODEL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, ast.AST]]:
    """Every imported module (relative imports resolved), with its node."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(alias.name, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            target = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            if node.module:                   # ``from . import rules`` imports only the submodule
                out.append((target, node))
            for alias in node.names:          # ``from . import rules``, ``from .town import layers``
                if f"{target}.{alias.name}" in LAYER:
                    out.append((f"{target}.{alias.name}", node))
    return out


FILES = sorted(MODEL.rglob("*.py"))


def core_graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in FILES:
        src = module_name(path)
        g.add_node(src)
        for target, _ in imports(path):
            if target == "model" or target.startswith("model."):
                g.add_edge(src, target)
    return g


def test_every_module_of_the_core_has_a_layer():
    assert {module_name(p) for p in FILES} == set(LAYER)


def test_the_core_has_no_import_cycle():
    g = core_graph()
    assert nx.is_directed_acyclic_graph(g), nx.find_cycle(g)


def test_each_layer_imports_only_from_the_layers_below():
    wrong = [(a, b) for a, b in core_graph().edges if LAYER[b] >= LAYER[a]]
    assert not wrong, wrong


@pytest.mark.parametrize("path", FILES, ids=lambda p: module_name(p))
def test_no_import_inside_a_function_and_nothing_from_experiments_or_dashboard(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [sub for sub in ast.walk(node) if isinstance(sub, (ast.Import, ast.ImportFrom))]
            assert not inner, f"{path.name}:{inner[0].lineno} imports inside {node.name}()"
    for target, node in imports(path):
        assert target.split(".")[0] not in ("experiments", "dashboard"), f"{path.name}:{node.lineno} imports {target}"
