"""The layers point one way (ARCHITECTURE.md): each package imports only packages of lower layers, no
module imports itself back through others, and no library module prints. Read from the source with
``ast``, so a lazy import inside a function counts as much as one at the top."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "awsql_shell"

# Lowest first. A package may import its own modules and any package of a lower layer, never one beside
# or above it: engine, gateway, render and sandbox know nothing of each other.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"(base)"}),
    frozenset({"catalog"}),
    frozenset({"sql"}),
    frozenset({"engine", "gateway", "render", "sandbox"}),
    frozenset({"planner"}),
    frozenset({"execution"}),
    frozenset({"session_accounts"}),  # the session's accounts, held for the Session
    frozenset({"session"}),
    frozenset({"config"}),
    frozenset({"shell"}),
    frozenset({"cli"}),
    frozenset({"entry"}),  # the console script: a guard around importing the cli
    frozenset({"__main__"}),
)
# The modules every layer may use: the package's face (its version), errors, results and settings.
BASE = ("awsql_shell", "awsql_shell.errors", "awsql_shell.result", "awsql_shell.settings")
# The faces and the sandbox's own command (and its request log) talk to the user; everything else returns
# values or raises.
MAY_PRINT = ("cli", "shell", "sandbox.__main__", "sandbox.server")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    name = ".".join(parts)
    return name.removesuffix(".__init__")


def _imports() -> dict[str, set[str]]:
    paths = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in paths.items():
        graph[module]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("awsql_shell"):
                # ``from awsql_shell.catalog import naming`` imports the module naming, not the package face.
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}"
                    graph[module].add(submodule if submodule in paths else node.module)
            elif isinstance(node, ast.Import):
                graph[module].update(a.name for a in node.names if a.name.startswith("awsql_shell"))
    return graph


def _package(module: str) -> str:
    if module in BASE:
        return "(base)"
    return module.split(".")[1]


def _layer(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"package awsql_shell.{package} has no layer in {__file__}: give it one")


GRAPH = _imports()


def test_every_import_points_down_the_layers() -> None:
    upward = sorted(
        f"{module} imports {imported}"
        for module, imported_names in GRAPH.items()
        for imported in imported_names
        if _package(module) != _package(imported) and _layer(_package(imported)) >= _layer(_package(module))
    )
    assert upward == []


def test_no_module_imports_itself_back() -> None:
    """No circle of imports between modules (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in GRAPH.get(module, ()):
            if imported not in GRAPH:
                continue  # a name imported from a package's face resolves to the package itself
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []


@pytest.mark.parametrize("module", sorted(m for m in GRAPH if not m.removeprefix("awsql_shell.").startswith(MAY_PRINT)))
def test_library_modules_never_print(module: str) -> None:
    path = PACKAGE.parent / Path(*module.split("."))
    source = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    calls = [
        node.lineno
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
    ]
    assert calls == [], f"{module} prints (lines {calls}): return the text, the faces print it"
