"""The functions' Pillow layer: built by `make layer` for the stack's runtime, on every function
(each one judges), and a synthesis without it stops with one line saying what to run."""

import re
from pathlib import Path

import pytest

from stacks.config import StackConfigError
from tests.infra.conftest import SYNTH_DAY

ROOT = Path(__file__).resolve().parents[2]


def test_every_function_has_the_pillow_layer_built_for_its_runtime_and_architecture(synthesized):
    template = synthesized["current"]
    (layer_id,) = template.resources("AWS::Lambda::LayerVersion")
    layer = template.template["Resources"][layer_id]["Properties"]
    fns = template.resources("AWS::Lambda::Function")
    app_functions = {lid: fn for lid, fn in fns.items() if fn["Properties"].get("Handler", "").startswith("imagegen.")}
    assert len(app_functions) == 7  # generate, evaluate, modify, refine, the refine worker, batches, the batch worker
    for fn in app_functions.values():
        props = fn["Properties"]
        assert props["Layers"] == [{"Ref": layer_id}]
        assert [props["Runtime"]] == layer["CompatibleRuntimes"]
        assert props["Architectures"] == layer["CompatibleArchitectures"]


def test_the_makefile_builds_the_layer_for_the_stacks_python_and_the_pinned_pillow():
    from stacks import functions

    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    python = re.search(r"^LAMBDA_PYTHON\s*:=\s*(\S+)", makefile, re.M)
    assert python and f"python{python.group(1)}" == functions.RUNTIME.name
    assert "aarch64" in makefile and functions.ARCHITECTURE.name == "arm64"
    assert re.search(r"^pillow==13\.0\.0\b", (ROOT / "requirements-demo.txt").read_text(encoding="utf-8"), re.M)


def test_synthesis_without_the_built_layer_says_to_run_make(monkeypatch, tmp_path):
    from app import build_app
    from stacks import functions

    monkeypatch.setattr(functions, "PILLOW_LAYER", tmp_path / "lambda-layer")
    with pytest.raises(StackConfigError, match=r"run `make layer`") as raised:
        build_app(outdir=str(tmp_path / "out"), today=SYNTH_DAY)
    assert "\n" not in str(raised.value)
