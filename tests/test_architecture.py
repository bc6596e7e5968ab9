"""The house rules of docs/architecture.md, checked on the code itself.

Every import counts, including those inside functions (lazy imports for start-up speed are
still dependencies); only ``if TYPE_CHECKING:`` blocks are left out. A package's
``__init__`` running before its submodules is not an edge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "cgoguard"


def _module_name(path: Path) -> str:
    parts = ["cgoguard", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str) -> set[str]:
    tree = ast.parse(MODULES[module].read_text())
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(GRAPH):
        if node not in index:
            connect(node)
    return components


def test_the_import_graph_has_no_cycles() -> None:
    assert _cycles() == []


def test_the_graph_sees_lazy_imports() -> None:
    # cgoguard.cli imports its commands inside build_parser(): that must count.
    assert "cgoguard.cli.scan" in GRAPH["cgoguard.cli"]


def _reaches(module: str) -> set[str]:
    seen: set[str] = set()
    todo = [module]
    while todo:
        for target in GRAPH[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _under(prefix: str) -> list[str]:
    return [m for m in MODULES if m == prefix or m.startswith(prefix + ".")]


@pytest.mark.parametrize(
    ("stage", "must_not_import"),
    [
        # checks judge facts; they never read files, run a pipeline or render
        (
            "cgoguard.checks",
            (
                "cgoguard.readers",
                "cgoguard.scanner",
                "cgoguard.pipeline",
                "cgoguard.sources",
                "cgoguard.reports",
                "cgoguard.cli",
                "cgoguard.linter",
            ),
        ),
        # readers turn bytes into facts; they never judge or render
        (
            "cgoguard.readers",
            ("cgoguard.checks", "cgoguard.reports", "cgoguard.cli", "cgoguard.pipeline", "cgoguard.outcome"),
        ),
        # reporters render; they never scan, read or decide
        (
            "cgoguard.reports",
            (
                "cgoguard.readers",
                "cgoguard.scanner",
                "cgoguard.pipeline",
                "cgoguard.sources",
                "cgoguard.cli",
                "cgoguard.executors",
            ),
        ),
        ("cgoguard.sources", ("cgoguard.checks", "cgoguard.reports", "cgoguard.cli", "cgoguard.readers")),
        ("cgoguard.model", ("cgoguard",)),
    ],
)
def test_stages_only_know_the_stages_before_them(stage: str, must_not_import: tuple[str, ...]) -> None:
    for module in _under(stage):
        direct = {t for t in GRAPH[module] if t != "cgoguard._version"}
        bad = sorted(t for t in direct for p in must_not_import if t == p or t.startswith(p + "."))
        assert not bad, f"{module} imports {bad}"


def test_commands_share_only_cli_common() -> None:
    commands = [m for m in _under("cgoguard.cli") if m not in ("cgoguard.cli", "cgoguard.cli.common")]
    for module in commands:
        siblings = {t for t in GRAPH[module] if t.startswith("cgoguard.cli")} - {"cgoguard.cli.common"}
        assert not siblings, f"{module} imports another command: {siblings}"
    outside = [m for m in MODULES if not m.startswith("cgoguard.cli") and m != "cgoguard.__main__"]
    for module in outside:
        assert not {t for t in GRAPH[module] if t.startswith("cgoguard.cli")}, f"{module} imports the CLI"


def test_the_model_is_a_leaf() -> None:
    assert _reaches("cgoguard.model") <= {"cgoguard.errors"}
