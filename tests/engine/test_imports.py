"""The engine's module graph has no cycle: each phase module sits above the ones it uses.

Imports are read from the source (``ast``), at any depth (a function-level import is still a
cycle waiting to happen) and including ``TYPE_CHECKING`` blocks, as import-linter counts them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import palier.engine

PACKAGE = "palier.engine"
ENGINE_DIR = Path(palier.engine.__file__).parent


def module_name(path: Path) -> str:
    return PACKAGE if path.name == "__init__.py" else f"{PACKAGE}.{path.stem}"


def engine_imports(source: str, own_name: str, modules: set[str]) -> set[str]:
    """Engine modules imported anywhere in ``source`` (the module ``own_name``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PACKAGE:
                # ``from palier.engine import stop`` imports a module; any other name comes
                # from the package itself.
                for alias in node.names:
                    submodule = f"{PACKAGE}.{alias.name}"
                    found.add(submodule if submodule in modules else PACKAGE)
            elif node.module in modules:
                found.add(node.module)
    found.discard(own_name)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = sorted(ENGINE_DIR.glob("*.py"))
    modules = {module_name(path) for path in paths}
    return {
        module_name(path): engine_imports(path.read_text(), module_name(path), modules)
        for path in paths
    }


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    stack = list(graph[start])
    while stack:
        module = stack.pop()
        if module not in seen:
            seen.add(module)
            stack.extend(graph[module])
    return seen


def test_the_graph_reader_sees_the_imports_of_the_adaptive_step():
    graph = import_graph()
    assert {"palier.engine.select", "palier.engine.stop"} <= graph["palier.engine.cat"]
    assert "palier.engine.simulate" in graph["palier.engine.exposure_tuning"]


def test_no_engine_module_imports_a_module_that_imports_it_back():
    graph = import_graph()
    cycles = sorted(module for module in graph if module in reachable(graph, module))
    assert cycles == []


def test_the_cycle_check_finds_a_loop_closed_by_a_function_level_import():
    modules = set(import_graph())
    source = "def tune():\n    from palier.engine.simulate import simulate\n"
    graph = import_graph()
    graph["palier.engine.exposure"] |= engine_imports(source, "palier.engine.exposure", modules)
    assert "palier.engine.exposure" in reachable(graph, "palier.engine.exposure")
