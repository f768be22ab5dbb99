"""The house stays clean: imports point one way, from the faces to the checking core.

Every module's imports are read from its source, including imports inside
functions (the lazy ones that keep start-up fast), so a lazy import cannot
hide a cycle. Imports that go through `importlib.import_module` are declared
below, and a new one fails the test until it is.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from k8s_course.cli import COMMANDS
from k8s_course.rules import TOPICS

PACKAGE = Path(__file__).resolve().parent.parent / "k8s_course"

# The checking core, in flow order: source -> Bundle -> schema -> rules -> Report -> render.
CORE = ("findings", "markup", "source", "bundle", "graph", "access", "redact", "custom",
        "schema", "rules", "report", "render", "formats", "config", "discover", "pipeline",
        "pool", "batch")
# The faces: each uses the core, and none is used by it.
FACES = ("cli", "notebook", "picture", "grading", "cluster", "classroom")

# Modules that load others by name at run time, and what they load.
DYNAMIC = {
    "k8s_course.rules": {f"k8s_course.rules.{topic}" for topic in TOPICS},
    "k8s_course.cli": {f"k8s_course.cli.{command}" for command in COMMANDS},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


MODULES = _modules()


def _target(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _calls_import_module(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
        node.func, "id", "")
    return name == "import_module"


def imports_of(name: str) -> set[str]:
    """The package's own modules that `name` imports, wherever in its source."""
    path = MODULES[name]
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            target = _target(name, is_package, node)
            for alias in node.names:
                # `from . import schema` imports a module; `from .x import f` imports x
                submodule = f"{target}.{alias.name}"
                found.add(submodule if submodule in MODULES else target)
        elif _calls_import_module(node) and name != "k8s_course":
            assert name in DYNAMIC, (
                f"{name} imports by name at run time: declare what it loads in DYNAMIC")
            found |= DYNAMIC[name]
    return {module for module in found if module in MODULES and module != name}


# The package's own __init__ is the public face: it loads check, grade, diagram
# and editor on first use, and is not part of the layering.
GRAPH = {name: imports_of(name) for name in MODULES if name != "k8s_course"}


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_every_module_belongs_to_the_core_or_to_a_face():
    layers = {_layer(name) for name in GRAPH} - {"__main__"}
    assert layers <= set(CORE) | set(FACES), layers - set(CORE) - set(FACES)


def test_no_module_imports_one_that_imports_it_back():
    assert _cycles(GRAPH) == []


def test_the_core_never_imports_a_face():
    wrong = sorted(f"{name} -> {other}" for name, others in GRAPH.items()
                   if _layer(name) in CORE for other in others if _layer(other) in FACES)
    assert wrong == []


def test_each_face_can_change_without_touching_another_face():
    """cli and notebook sit on top; the others may use each other only downward."""
    allowed = {"cli": set(FACES), "notebook": {"picture", "grading", "cluster"},
               "grading": {"cluster"}, "picture": set(), "cluster": set(),
               "classroom": {"cluster"}}
    wrong = sorted(f"{name} -> {other}" for name, others in GRAPH.items()
                   if _layer(name) in FACES for other in others
                   if _layer(other) in FACES and _layer(other) != _layer(name)
                   and _layer(other) not in allowed[_layer(name)])
    assert wrong == []


@pytest.mark.parametrize("graph, cycle", [
    ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": set()}, []),
])
def test_the_cycle_finder_finds_cycles(graph, cycle):
    assert _cycles(graph) == cycle


def test_imports_inside_functions_count():
    """A lazy import is still an arrow: the reader must see it."""
    assert "k8s_course.render" in GRAPH["k8s_course.report"]  # report renders lazily
    assert "k8s_course.picture" in GRAPH["k8s_course.notebook.magic"]  # only with --diagram


def test_rule_modules_follow_the_lessons_and_stay_readable():
    rules = PACKAGE / "rules"
    for topic in TOPICS:
        lines = (rules / f"{topic}.py").read_text(encoding="utf-8").count("\n")
        assert lines <= 450, f"rules/{topic}.py has {lines} lines: split it by topic"
