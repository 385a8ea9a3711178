"""`imagegen modify` (and `imagegen api modify` through the dev API) in the four Stability modes
against the emulator: control-sketch, control-structure, style-guide and style-transfer, whose
style image is a local file or a stored image's id; a bad input of each is one line naming the
option, exit 2."""

import json
from pathlib import Path

import pytest
from imagegen import png

from imagegen_local.emulator import art
from tests.e2e.conftest import stored

BUCKET = "imagegen-demo"


def generated(run, prompt="a red fox in snow"):
    code, out, err = run("generate", prompt, "--no-evaluate", "--json", "--output-dir", run.tmp / "gen")
    assert code == 0, err
    return json.loads(out)["images"][0]["image_id"]


def modified(run, *argv):
    code, out, err = run("modify", *argv, "--json", "--output-dir", run.tmp / "upd")
    assert code == 0, err
    doc = json.loads(out)
    (edit,) = doc["images"]
    data = Path(edit["file"]).read_bytes()
    assert data == stored(f"images/{edit['image_id']}/image.png")
    return doc, edit, data


@pytest.mark.parametrize(
    ("mode", "options", "model", "size"),
    [
        ("control-sketch", ["--control-strength", "0.8", "--style", "line-art"], "control-sketch", (1024, 1024)),
        ("control-structure", ["--control-strength", "0.2"], "control-structure", (1024, 1024)),
        ("style-guide", ["--fidelity", "0.6", "--aspect-ratio", "16:9"], "style-guide", (1344, 768)),
    ],
)
def test_modify_draws_a_prompt_after_a_stored_images_lines_structure_or_style(
    run, emulator, mode, options, model, size
):
    image_id = generated(run)
    doc, edit, data = modified(run, image_id, "a castle on a cliff", "--mode", mode, *options)
    assert (doc["mode"], doc["parent_id"], edit["model"]) == (mode, image_id, f"stability.stable-image-{model}-v1:0")
    assert emulator.calls[-1] == {
        **emulator.calls[-1],
        "model": f"us.stability.stable-image-{model}-v1:0",
        "status": 200,
    }
    raster = png.decode(data)
    assert (raster.width, raster.height) == size
    shown = art.read_text(data)
    assert shown[0] == "EMULATED" and any(line.startswith(mode.upper()) for line in shown)


def test_style_transfer_takes_its_style_from_a_local_file(run, emulator):
    image_id = generated(run)
    style = run.tmp / "style.png"
    style.write_bytes(png.solid(256, 256, (220, 30, 30)))
    doc, edit, data = modified(
        run, image_id, "--mode", "style-transfer", "--style-image", style, "--change-strength", "0.7"
    )
    assert (doc["mode"], edit["model"]) == ("style-transfer", "stability.stable-style-transfer-v1:0")
    assert emulator.calls[-1]["model"] == "us.stability.stable-style-transfer-v1:0"
    assert "STYLE-TRANSFER" in art.read_text(data)


def test_style_transfer_takes_a_stored_image_as_the_style_by_its_id(run, emulator):
    content, style = generated(run, "a harbour at noon"), generated(run, "a watercolour of poppies")
    doc, edit, _ = modified(run, content, "in watercolour", "--mode", "style-transfer", "--style-image", style)
    assert doc["parent_id"] == content and edit["model"] == "stability.stable-style-transfer-v1:0"
    meta = json.loads(stored(f"images/{edit['image_id']}/meta.json"))
    assert meta["parameters"]["style_image"].startswith("<base64 image")
    assert meta["parameters"]["prompt"] == "in watercolour"


def test_style_transfer_through_the_deployed_api_shape(run, dev_api):
    content, style = generated(run), generated(run, "a mosaic")
    code, out, err = run(
        "api", "modify", content, "--mode", "style-transfer", "--style-image", style, "--api-url", dev_api.url, "--json"
    )
    assert code == 0, err
    answer = json.loads(out)["answer"]
    assert (answer["mode"], answer["parent_id"]) == ("style-transfer", content)
    _, path, _ = dev_api.received[-1]
    assert path == "/prd/modify-image"


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["a castle", "--mode", "control-sketch", "--control-strength", "1.5"], "--control-strength"),
        (["--mode", "control-structure"], "PROMPT"),
        (["a castle", "--mode", "style-guide", "--fidelity", "-0.1"], "--fidelity"),
        (["--mode", "style-transfer"], "--style-image"),
        (["--mode", "style-transfer", "--style-image", "no-such-file.png"], "neither an image file nor an image id"),
        (["--mode", "style-transfer", "--style-image", "AAAAAAAAAAAAAAAAAAAAAA"], "AAAAAAAAAAAAAAAAAAAAAA"),
    ],
)
def test_a_bad_input_of_each_new_mode_is_one_line_naming_the_option_and_exit_2(run, emulator, argv, words):
    image_id = generated(run)
    calls = len(emulator.calls)
    code, _, err = run("modify", image_id, *argv, "--output-dir", run.tmp / "upd")
    assert code == 2 and err.startswith("imagegen") and words in err, err
    assert len(err.strip().splitlines()) == 1 or err.startswith("usage:"), err
    assert len(emulator.calls) == calls  # refused before any model call
