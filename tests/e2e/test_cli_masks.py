"""`imagegen modify` with a mask made on the command line (--mask-rect) or given as a PNG file
(--mask, checked and made pure black and white), and the help that says which mode takes which."""

import json

import pytest
from imagegen import png

from imagegen_local import cli
from tests.imagefactory import mask_png


@pytest.fixture
def image(run):
    """A stored image: (its id, width, height)."""
    code, out, err = run("generate", "a red fox", "--no-evaluate", "--json", "--output-dir", run.tmp / "gen")
    assert (code, err) == (0, "")
    made = json.loads(out)["images"][0]
    return made["image_id"], made["width"], made["height"]


def rows(mask):
    raster = png.decode(mask)
    assert raster.mode == "L"
    return raster.rows


def test_inpaint_with_a_rectangle_sends_a_mask_of_the_source_s_size(run, sent, image):
    image_id, width, height = image
    code, out, err = run("modify", image_id, "a knitted hat", "--mode", "inpaint", "--mask-rect", "0,0,50%,10")
    assert (code, err) == (0, ""), err
    mask = rows(sent[-1][1].mask_image)
    assert len(mask) == height and len(mask[0]) == width
    assert mask[0] == b"\xff" * (width // 2) + b"\x00" * (width - width // 2)
    assert mask[9] == mask[0] and mask[10] == b"\x00" * width


def test_erase_with_a_png_file_sends_it_as_pure_black_and_white(run, sent, image):
    image_id, width, height = image
    drawn = run.tmp / "drawn.png"
    drawn.write_bytes(mask_png(width, height, white_box=(0, 0, 3, 2), mode="RGB"))
    code, _, err = run("modify", image_id, "--mode", "erase", "--mask", drawn)
    assert (code, err) == (0, ""), err
    assert rows(sent[-1][1].mask_image)[:3] == (b"\xff" * 3 + b"\x00" * (width - 3),) * 2 + (b"\x00" * width,)


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (["--mask-rect", "1,2,3"], "imagegen modify: argument --mask-rect: 1,2,3: a rectangle is LEFT,TOP,WIDTH,"),
        (["--mask-rect", "0,0,5000,10"], "imagegen: --mask-rect 0,0,5000,10 reaches past the right edge of the"),
        (["--mask", "gray.png"], "imagegen: --mask must be pure black and white"),
        (["--mask", "small.png"], "imagegen: --mask is 8x8; a mask must be the source image's size,"),
        (["--mask", "small.png", "--mask-rect", "0,0,1,1"], "imagegen: give one of --mask and --mask-rect"),
    ],
)
def test_a_wrong_mask_is_one_line_before_any_model_is_called(run, emulator, image, argv, line):
    image_id, width, height = image
    (run.tmp / "gray.png").write_bytes(png.solid(width, height, (128, 128, 128)))
    (run.tmp / "small.png").write_bytes(mask_png(8, 8, white_box=(0, 0, 1, 1)))
    argv = [str(run.tmp / a) if a.endswith(".png") else a for a in argv]
    calls = len(emulator.calls)
    code, out, err = run("modify", image_id, "a hat", "--mode", "inpaint", *argv)
    assert (code, out) == (2, "") and err.startswith(line) and err.count("\n") == 1, err
    assert len(emulator.calls) == calls


def test_api_modify_makes_the_mask_for_the_stored_image_s_size(run, dev_api):
    code, out, err = run("api", "generate", "a fox", "--no-evaluate", "--api-url", dev_api.url, "--json")
    assert code == 0, err
    source = json.loads(out)["answer"]
    argv = ["api", "modify", source["image_id"], "a hat", "--mode", "inpaint", "--api-url", dev_api.url, "--json"]
    code, out, err = run(*argv, "--mask-rect", "25%,25%,50%,50%")
    assert code == 0, err
    assert json.loads(out)["answer"]["mode"] == "inpaint"
    code, out, err = run(*argv, "--mask-rect", f"0,0,{source['width'] + 1},1")
    assert code == 2 and "reaches past the right edge" in json.loads(out)["error"]["message"]


def test_the_modify_help_says_which_mode_takes_which_mask():
    (modify,) = [
        choice
        for action in cli.build_parser()._actions
        if hasattr(action, "choices") and isinstance(action.choices, dict)
        for name, choice in action.choices.items()
        if name == "modify"
    ]
    shown = " ".join(modify.format_help().split())
    assert "--mask-rect LEFT,TOP,WIDTH,HEIGHT" in shown
    assert "current: inpaint, erase: a mask image (--mask or --mask-rect)" in shown
    assert "Stability's inpaint and erase take a mask image instead" in shown
