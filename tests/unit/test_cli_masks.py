"""Masks from the command line (a rectangle, a PNG file, or words), what each mode takes with
each model, and the mask fields' help: every claim checked against the registry's builders."""

import pytest
from imagegen import png
from imagegen.models.fields import BY_NAME
from imagegen.models.registry import all_models
from imagegen.models.tasks import MODIFY_TASKS, Task

from imagegen_local.cli import masks, modes
from imagegen_local.cli.context import Usage
from tests.imagefactory import jpeg_header, mask_png


def pixels(mask: bytes) -> list[str]:
    """The mask's rows, '#' for white and '.' for black."""
    raster = png.decode(mask)
    assert raster.mode == "L"
    return ["".join("#" if value == 255 else "." if value == 0 else "?" for value in row) for row in raster.rows]


def test_a_rectangle_in_pixels_is_white_inside_and_black_outside():
    assert pixels(masks.rect_mask([masks.parse_rect("2,1,3,2")], (8, 4))) == [
        "........",
        "..###...",
        "..###...",
        "........",
    ]


def test_a_rectangle_in_percent_is_of_the_source_s_width_and_height():
    assert pixels(masks.rect_mask([masks.parse_rect("25%, 25%, 50%, 50%")], (8, 4))) == [
        "........",
        "..####..",
        "..####..",
        "........",
    ]


def test_several_rectangles_make_one_mask():
    rects = [masks.parse_rect("0,0,2,1"), masks.parse_rect("6,3,2,1")]
    assert pixels(masks.rect_mask(rects, (8, 4))) == ["##......", "........", "........", "......##"]


@pytest.mark.parametrize("text", ["1,2,3", "a,b,c,d", "1,2,0,4", "-1,0,2,2", "0,0,101%,5%", "1,2,3,4,5", ""])
def test_a_rectangle_that_is_not_one_is_refused_with_the_form_it_takes(text):
    with pytest.raises(Usage, match="LEFT,TOP,WIDTH,HEIGHT"):
        masks.parse_rect(text)


def test_a_rectangle_past_the_image_is_refused_with_the_image_s_size():
    with pytest.raises(Usage, match=r"--mask-rect 6,0,4,2 reaches past the right edge of the 8x4 image"):
        masks.rect_mask([masks.parse_rect("6,0,4,2")], (8, 4), "--mask-rect")
    with pytest.raises(Usage, match="bottom edge"):
        masks.rect_mask([masks.parse_rect("0,50%,1,75%")], (8, 4))


def test_a_png_mask_file_is_normalised_to_black_and_white_gray():
    rgb = mask_png(4, 2, white_box=(0, 0, 2, 1), mode="RGB")
    assert pixels(masks.checked_mask(rgb, (4, 2))) == ["##..", "...."]


def test_a_mask_file_of_another_size_is_refused_with_both_sizes():
    with pytest.raises(Usage, match=r"--mask is 4x2; a mask must be the source image's size, 8x4"):
        masks.checked_mask(mask_png(4, 2, white_box=(0, 0, 1, 1)), (8, 4), "--mask")


def test_a_mask_file_with_gray_or_colour_is_refused():
    gray = png.encode(png.Raster(2, 1, "L", (b"\x00\x80",)))
    with pytest.raises(Usage, match="pure black and white.*white where the image should change"):
        masks.checked_mask(gray, (2, 1))


def test_a_mask_file_that_is_not_a_png_is_refused():
    with pytest.raises(Usage, match="the mask is a jpeg; a mask must be a PNG"):
        masks.checked_mask(jpeg_header(8, 4), (8, 4))
    with pytest.raises(Usage, match="the mask is not an image"):
        masks.checked_mask(b"hello", (8, 4))


def test_an_answer_is_a_rectangle_a_png_file_or_words(tmp_path):
    drawn = tmp_path / "mask.png"
    drawn.write_bytes(mask_png(8, 4, white_box=(0, 0, 8, 2)))
    assert pixels(masks.answer_mask("0,0,1,1; 7,3,1,1", (8, 4), words=False)[1])[0] == "#......."
    assert masks.answer_mask(str(drawn), (8, 4), words=True) == (
        "mask_image",
        masks.checked_mask(drawn.read_bytes(), (8, 4)),
    )
    assert masks.answer_mask("the fox's hat", (8, 4), words=True) == ("mask_prompt", "the fox's hat")
    with pytest.raises(Usage, match="a rectangle LEFT,TOP,WIDTH,HEIGHT .* or a PNG file"):
        masks.answer_mask("the fox's hat", (8, 4), words=False)
    with pytest.raises(Usage, match="no such file: missing.png"):
        masks.answer_mask("missing.png", (8, 4), words=True)


def test_what_each_mode_takes_is_what_its_model_s_builder_takes(monkeypatch):
    wanted = {}
    with monkeypatch.context() as patched:
        for record in all_models():
            for task in record.tasks:
                if task in MODIFY_TASKS:
                    one = taken_by_builders_of(patched, record.id, task)
                    wanted[record.id, task] = {name for name in modes.PROBED if name in one}
    for (model, task), names in wanted.items():
        takes = modes.takes(model, task)
        assert {name for name in modes.PROBED if getattr(takes, name)} == names, (model, task)


def taken_by_builders_of(patched, model, task):
    from imagegen.models.checks import Checker
    from imagegen.models.images import build_request
    from imagegen.models.request import ImageRequest

    from tests.unit.test_request_fields import _Allowed

    def stop(self, names):
        raise _Allowed(names)

    patched.setattr(Checker, "only", stop)
    try:
        build_request(model, ImageRequest(task=task), allow_retired=True)
    except _Allowed as allowed:
        return allowed.names
    raise AssertionError(f"{model} {task}: the builder never listed what it takes")


def mask_takers():
    """(field, task) -> the providers ('amazon', 'stability') of the models that take it."""
    takers: dict = {}
    for record in all_models():
        for task in record.tasks:
            if task in MODIFY_TASKS:
                takes = modes.takes(record.id, task)
                for name in ("mask_prompt", "mask_image"):
                    if getattr(takes, name):
                        takers.setdefault((name, task.value), set()).add(record.id.split(".")[0])
    return takers


def test_the_mask_help_says_which_models_take_words_and_which_a_mask_image():
    # what the help below is written from, as the builders tell it
    assert mask_takers() == {
        ("mask_prompt", "replace"): {"amazon", "stability"},
        ("mask_prompt", "recolor"): {"stability"},
        ("mask_prompt", "inpaint"): {"amazon"},
        ("mask_prompt", "outpaint"): {"amazon"},
        ("mask_prompt", "erase"): {"amazon"},
        ("mask_image", "inpaint"): {"amazon", "stability"},
        ("mask_image", "outpaint"): {"amazon"},
        ("mask_image", "erase"): {"amazon", "stability"},
    }
    words, image = BY_NAME["mask_prompt"].help, BY_NAME["mask_image"].help
    assert "replace and recolor" in words
    assert "inpaint and erase with Titan or Canvas" in words and "outpaint with Titan or Canvas" in words
    assert "Stability's inpaint and erase take a mask image instead" in words
    assert "inpaint and erase with Stability" in image and "unless transparent pixels" in image
    assert "inpaint, outpaint and erase with Titan or Canvas" in image
    assert "white where the image should change" in image


def test_the_modify_help_says_what_each_mode_takes_with_each_model_set():
    text = " ".join(modes.masks_epilog().split())
    current = Task.INPAINT, Task.ERASE
    assert all(modes.takes(model, task).mask_image for model, task in _default_models(current))
    assert "current: inpaint, erase: a mask image (--mask or --mask-rect)" in text
    assert "replace, recolor: words (--mask-prompt)" in text
    assert "outpaint: --margins" in text
    assert "original: inpaint, outpaint, erase: words (--mask-prompt) or a mask image (--mask or --mask-rect)" in text


def _default_models(tasks):
    from imagegen.config import model_sets

    return [(model_sets()["current"]["modify"][task.value], task) for task in tasks]
