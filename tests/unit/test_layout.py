"""Small modules: the command line's package holds no module over 300 lines, the core library (the
Lambda asset) none over 400, and the local package (the command line, the offline world) no
import cycle."""

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


PACKAGE = ROOT / "src" / "imagegen_local"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def local_imports(path: Path, known: set[str]) -> set[str]:
    """The modules of imagegen_local a module imports, relative or absolute."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            submodules = {f"{base}.{alias.name}" for alias in node.names} & known
            found.update(submodules or {base})  # `from . import x` imports x, `from .x import y` x
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found & known


def test_the_local_package_has_no_import_cycle():
    paths = list(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in paths}
    graph = {module_name(p): local_imports(p, known) for p in paths}
    assert graph["imagegen_local.cli.parser"] >= {"imagegen_local.cli.generate", "imagegen_local.cli.api"}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name not in done:
            for imported in sorted(graph[name]):
                visit(imported, (*path, name))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())
