"""Small modules: the command line's package holds no module over 300 lines and no import cycle;
the core library (the Lambda asset) none over 400."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "src" / "imagegen_local" / "cli"
CORE = ROOT / "lambda_src" / "imagegen"


@pytest.mark.parametrize(("folder", "most"), [(CLI, 300), (CORE, 400)], ids=["cli", "core"])
def test_no_module_is_longer_than_its_limit(folder, most):
    lengths = {str(p.relative_to(ROOT)): len(p.read_text().splitlines()) for p in folder.rglob("*.py")}
    assert {path: n for path, n in lengths.items() if n > most} == {}


def sibling_imports(module: Path) -> set[str]:
    """The modules of its own package a module imports (`from . import x`, `from .x import y`)."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
    return {name.split(".")[0] for name in found}


def test_the_command_line_package_has_no_import_cycle():
    graph = {p.stem: sibling_imports(p) for p in CLI.glob("*.py")}
    assert set().union(*graph.values()) <= set(graph)
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name not in done:
            for imported in graph[name]:
                visit(imported, (*path, name))
            done.add(name)

    for name in graph:
        visit(name, ())
