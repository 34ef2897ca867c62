"""Layers import downward only: every ``sez_sim`` import (at module level or inside a function) goes to a module of
the same or a lower layer. Imports used only for type checking are exempt."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "sez_sim"

LAYERS = [
    (
        "version",
        "errors",
        "clock",
        "params",
        "io",
        "metrics",
        "levers",
        "yamlio",
        "blas",
        "allocator",
        "cache",
        "tally",
        "mesa_import",
    ),
    ("geography",),
    ("economy",),
    ("zones",),
    ("agents",),
    ("policies",),
    ("results",),
    ("build",),
    ("model",),
    ("scenario",),
    ("runs", "viz", "docs"),
    ("experiments",),
    ("app",),
    ("cli", "__main__", "__init__"),
]
"""From the bottom up: a module may import its own layer and the layers below it."""

LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}


def top(module: str) -> str:
    """The layer name of a module path inside the package (``sez_sim.agents.firms`` -> ``agents``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def runtime_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text())
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sez_sim"):
            names = [node.module] if node.module != "sez_sim" else [f"sez_sim.{a.name}" for a in node.names]
            out += [(node.lineno, n) for n in names]
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("sez_sim")]
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "data" not in p.parts)


def test_every_module_has_a_layer():
    names = {top("sez_sim." + ".".join(p.relative_to(PACKAGE).with_suffix("").parts)) for p in MODULES}
    assert names <= set(LAYER), names - set(LAYER)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downward(path):
    here = top("sez_sim." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    for line, module in runtime_imports(path):
        there = top(module)
        assert LAYER[there] <= LAYER[here], f"{path.name}:{line} imports {module} (layer {there} above {here})"


def test_agents_import_no_policy_and_the_economy_no_agent():
    for path in MODULES:
        layer = path.relative_to(PACKAGE).parts[0]
        for _, module in runtime_imports(path):
            if layer == "agents":
                assert not module.startswith("sez_sim.policies"), path
            if layer == "economy":
                assert not module.startswith(("sez_sim.agents", "sez_sim.zones")), path
