"""The ``schema/`` modules import each other one way only: their import graph has no cycle.

A cycle between type modules (``customer`` → ``group`` → ``customer``) works only as long as
the import order happens to suit it, and a late import inside a function hides it until a
request runs that function. Types that must refer back up the graph do so lazily
(``Annotated["Customer", strawberry.lazy("schema.customer")]``), which is not an import.

Every ``import`` counts, wherever it is (module level, inside a function or a class), except
under ``if TYPE_CHECKING:``: those never run; they are the type checker's half of a lazy
reference.
"""

from __future__ import annotations

import ast
from pathlib import Path

SCHEMA = Path(__file__).resolve().parent.parent / "schema"


def _module_name(path: Path) -> str:
    parts = path.relative_to(SCHEMA.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement in ``tree``, at any depth, but not under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """The modules ``node`` imports: ``from schema import dynamic`` imports ``schema.dynamic``
    (a submodule), ``from schema.common import Node`` imports ``schema.common``."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    base = node.module or ""
    if node.level:
        package = module.split(".") if is_package else module.split(".")[:-1]
        anchor = package[: len(package) - (node.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    return {base} | {f"{base}.{alias.name}" for alias in node.names}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(SCHEMA.rglob("*.py"))
    modules = {_module_name(p): p for p in paths}
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        targets: set[str] = set()
        for node in _imports(tree):
            targets |= _targets(node, module, path.name == "__init__.py")
        graph[module] = {t for t in targets if t in modules and t != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as ``[a, b, …, a]``, or None: a depth-first search for a back edge."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = "open"
        stack.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return [*stack[stack.index(target) :], target]
            if target not in state and (cycle := visit(target)):
                return cycle
        stack.pop()
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_the_schema_modules_import_each_other_without_a_cycle() -> None:
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle among schema modules: " + " -> ".join(cycle or [])


def test_the_check_sees_late_imports_and_skips_type_checking_ones() -> None:
    # The check itself, on a made-up module pair: an import inside a function closes a
    # cycle; the same import under TYPE_CHECKING does not.
    late = ast.parse("def f():\n    from schema.b import B\n")
    guarded = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import schema.b\n"
    )
    assert [n.module for n in _imports(late) if isinstance(n, ast.ImportFrom)] == ["schema.b"]
    assert [n for n in _imports(guarded) if isinstance(n, ast.Import)] == []
    assert find_cycle({"schema.a": {"schema.b"}, "schema.b": {"schema.a"}}) == [
        "schema.a",
        "schema.b",
        "schema.a",
    ]
    assert find_cycle({"schema.a": {"schema.b"}, "schema.b": set()}) is None
