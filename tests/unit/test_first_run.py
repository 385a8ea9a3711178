"""The first `make demo` on a fresh clone: it installs only what the demo needs, says what it is
doing before it starts, and does not hide pip's progress. `make test` installs the rest."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, distribution, packages_distributions
from pathlib import Path

ROOT = Path(__file__).parents[2]


def planned(target: str, tmp_path: Path) -> list[str]:
    """The commands `make TARGET` would run on a clone with no .venv yet (make -n, nothing run)."""
    venv = tmp_path / "fresh-venv"
    outer = ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")  # under `make test`, this make would be a sub-make
    env = {k: v for k, v in os.environ.items() if k not in outer}
    run = subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={venv}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [line.replace(str(venv), ".venv") for line in run.stdout.splitlines()]


def pins(name: str) -> dict[str, str]:
    """The name==version lines of a requirements file, with the files it includes (-r)."""
    found: dict[str, str] = {}
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("-r "):
            found.update(pins(line[3:].strip()))
        elif "==" in line:
            package, version = line.split("==")
            found[re.sub(r"\[.*\]", "", package).lower()] = version.strip()
    return found


def test_the_demo_installs_only_the_demo_requirements_and_says_so_first(tmp_path):
    commands = planned("demo", tmp_path)
    installs = [c for c in commands if "pip install" in c]
    assert installs and all("requirements-dev.txt" not in c for c in installs), installs
    assert any("requirements-demo.txt" in c for c in installs), installs
    assert not any("--quiet" in c or " -q " in c for c in installs), "pip's progress is hidden"
    first = commands[0]
    assert first.startswith(("echo", "printf")) and "install" in first, f"the first thing done is not said: {first}"


def test_make_test_installs_the_whole_toolchain(tmp_path):
    installs = [c for c in planned("test", tmp_path) if "pip install" in c]
    assert any("requirements-dev.txt" in c for c in installs), installs


def test_the_development_pins_include_the_demo_pins_unchanged():
    demo, dev = pins("requirements-demo.txt"), pins("requirements-dev.txt")
    assert demo and all(dev.get(name) == version for name, version in demo.items()), (demo, dev)
    assert "aws-cdk-lib" not in demo and "pytest" not in demo


def _name(distribution_name: str) -> str:
    return distribution_name.lower().replace("_", "-")


def _closure(names: set[str]) -> set[str]:
    """The distributions `names` need or may use, with theirs (as installed here)."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = _name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            continue
        for requirement in requires:
            # a package may import its optional dependencies when they are there (jsonschema's
            # format checkers); moto's extras are per service, and the demo takes S3's only
            if name == "moto" and "extra ==" in requirement and 'extra == "s3"' not in requirement:
                continue
            todo.append(re.split(r"[\s;<>=!~\[(]", requirement, maxsplit=1)[0])
    return seen


def test_what_the_demo_imports_comes_with_the_demo_requirements():
    """Everything the demo's modules import, when its servers start, is in requirements-demo.txt's closure."""
    script = (
        "import sys, imagegen_local.demo, imagegen_local.devapi, imagegen_local.s3local, imagegen_local.emulator.server\n"
        "from imagegen_local.s3local import LocalS3\n"
        "from imagegen_local.emulator.server import Emulator\n"
        "with LocalS3(), Emulator():\n"
        "    pass\n"
        "print('\\n'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    owners = packages_distributions()
    needed = {_name(dist) for module in run.stdout.split() for dist in owners.get(module, [])}
    needed -= {"bedrock-imagegen-eval", "pip", "setuptools"}  # the project, and what every new venv has
    allowed = _closure(set(pins("requirements-demo.txt")))
    assert needed <= allowed, f"the demo imports {sorted(needed - allowed)}, which requirements-demo.txt does not bring"
