"""The limits the 2026-12-01 audit found wrong, each at its documented edge: accepted at the edge,
refused one step past it with an error naming the field, the value and the limit."""

import pytest
from imagegen import png
from imagegen.errors import InvalidParameter
from imagegen.models import registry
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Task

from tests.imagefactory import mask_png, rgba_png

FAST = "stability.stable-fast-upscale-v1:0"
CREATIVE = "stability.stable-creative-upscale-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
CANVAS = "amazon.nova-canvas-v1:0"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"


def upscale(model_id, width, height, **fields):
    extra = {} if model_id == FAST else {"prompt": "a sharp photograph"}
    request = ImageRequest(task=Task.UPSCALE, images=(png.solid(width, height, (9, 9, 9)),), **extra, **fields)
    return build_request(model_id, request)


def refused(call, *args, **kwargs) -> InvalidParameter:
    with pytest.raises(InvalidParameter) as caught:
        call(*args, **kwargs)
    return caught.value


# --- Fast Upscale: each side 32-1536 px, 1,024-1,048,576 pixels, no aspect rule -----------------


@pytest.mark.parametrize("size", [(1536, 320), (32, 32), (32, 1536), (1536, 682)], ids=str)
def test_fast_upscale_takes_any_shape_within_its_documented_sides_and_pixels(size):
    assert "image" in upscale(FAST, *size).body


@pytest.mark.parametrize(
    ("size", "value", "limit"),
    [
        ((31, 32), "31x32 png", "each side at least 32 px"),
        ((1537, 320), "1537x320 png", "each side at most 1536 px"),
        ((1024, 1025), "1024x1025 png", "at most 1,048,576 pixels"),
    ],
    ids=str,
)
def test_fast_upscale_refuses_one_step_past_its_edges_naming_the_limit(size, value, limit):
    error = refused(upscale, FAST, *size)
    assert (error.field, error.value, error.rule) == ("images", value, limit)


# --- Creative Upscale: style_preset; each side >= 64 px, 4,096-1,048,576 pixels, no aspect rule -------


def test_creative_upscale_takes_a_wide_source_and_a_style_preset():
    built = upscale(CREATIVE, 2048, 256, style="anime")
    assert built.body["style_preset"] == "anime"
    assert "image" in upscale(CREATIVE, 64, 64).body  # 4,096 pixels: the least it takes


@pytest.mark.parametrize(
    ("size", "value", "limit"),
    [
        ((63, 128), "63x128 png", "each side at least 64 px"),
        ((1024, 1025), "1024x1025 png", "at most 1,048,576 pixels"),
    ],
    ids=str,
)
def test_creative_upscale_refuses_one_step_past_its_edges_naming_the_limit(size, value, limit):
    error = refused(upscale, CREATIVE, *size)
    assert (error.field, error.value, error.rule) == ("images", value, limit)


def test_creative_upscale_refuses_a_style_preset_it_does_not_list():
    error = refused(upscale, CREATIVE, 256, 256, style="watercolour")
    assert (error.field, error.value) == ("style", "watercolour") and "tile-texture" in error.rule


def test_the_other_upscalers_still_take_no_style_preset():
    error = refused(upscale, FAST, 256, 256, style="anime")
    assert error.field == "style" and "not supported" in error.rule


# --- Nova Canvas seeds: 0 to 2,147,483,646 -------------------------------------------------------------


def test_a_canvas_seed_is_taken_up_to_2147483646_and_refused_one_past():
    assert build_request(CANVAS, ImageRequest(prompt="x", seed=2147483646), allow_retired=True).seed == 2147483646
    error = refused(build_request, CANVAS, ImageRequest(prompt="x", seed=2147483647), allow_retired=True)
    assert (error.field, error.value, error.rule) == ("seed", 2147483647, "a whole number from 0 to 2147483646")


# --- Titan and Canvas image variation: width and height, the generation sizes -----------------------


def variation(model_id, **fields):
    source = png.solid(640, 384, (20, 90, 40))
    request = ImageRequest(task=Task.VARIATION, images=(source,), prompt="a fox", **fields)
    return build_request(model_id, request, allow_retired=True)


def test_a_titan_variation_takes_a_listed_size_and_answers_at_it():
    built = variation(TITAN, width=768, height=1152)
    config = built.body["imageGenerationConfig"]
    assert ((config["width"], config["height"]), built.size) == ((768, 1152), (768, 1152))
    assert "width" not in variation(TITAN).body["imageGenerationConfig"]  # no size: the source's


def test_a_titan_variation_refuses_a_size_not_in_its_list():
    error = refused(variation, TITAN, width=770, height=1152)
    assert (error.field, error.value) == ("width", "770x1152") and error.rule.startswith("one of the listed sizes")


def test_a_canvas_variation_takes_a_size_by_the_canvas_rule_and_refuses_one_step_past():
    assert variation(CANVAS, width=1024, height=320).size == (1024, 320)
    error = refused(variation, CANVAS, width=1024, height=319)
    assert (error.field, error.value, error.rule) == ("height", 319, "320-4096 px and divisible by 16")


def test_a_stability_variation_still_takes_no_size():
    error = refused(variation, "stability.sd3-5-large-v1:0", width=1024, height=1024, strength=0.5)
    assert error.field == "width" and "not supported" in error.rule


# --- Claude Haiku 4.5: the jp. inference profile -------------------------------------------------------


def test_claude_haiku_4_5_is_called_through_its_jp_profile_from_japan():
    resolved = registry.resolve(f"jp.{HAIKU}")
    assert (resolved.record.id, resolved.profile_prefix) == (HAIKU, "jp")
    assert resolved.call_id("ap-northeast-1") == f"jp.{HAIKU}"
    assert registry.resolve(HAIKU).call_id("ap-northeast-3") == f"jp.{HAIKU}"


# --- transparency: Titan states no rule (Nova Canvas does); masks stay pure black and white -----------

SEE_THROUGH = rgba_png(512, 512, alpha_at={(3, 4): 0, (5, 6): 128})


@pytest.mark.parametrize("task", [Task.INPAINT, Task.VARIATION])
def test_titan_takes_a_source_with_transparent_pixels(task):
    fields = {"mask_prompt": "the head"} if task is Task.INPAINT else {}
    request = ImageRequest(task=task, images=(SEE_THROUGH,), prompt="a hat", **fields)
    built = build_request(TITAN, request, allow_retired=True)
    assert built.body["taskType"] in ("INPAINTING", "IMAGE_VARIATION")


def test_canvas_still_refuses_a_source_with_transparent_pixels():
    request = ImageRequest(task=Task.INPAINT, images=(SEE_THROUGH,), prompt="a hat", mask_prompt="the head")
    error = refused(build_request, CANVAS, request, allow_retired=True)
    assert error.field == "images" and error.rule.startswith("an opaque image")


def test_a_titan_mask_must_still_be_pure_black_and_white():
    grey = png.encode(png.Raster(512, 512, "L", tuple(bytes([255] * 100 + [128] * 412) for _ in range(512))))
    source = png.solid(512, 512, (1, 2, 3))
    request = ImageRequest(task=Task.INPAINT, images=(source,), prompt="a hat", mask_image=grey)
    assert refused(build_request, TITAN, request, allow_retired=True).field == "mask_image"
    white = mask_png(512, 512, white_box=(0, 0, 10, 10))
    good = ImageRequest(task=Task.INPAINT, images=(source,), prompt="a hat", mask_image=white)
    assert build_request(TITAN, good, allow_retired=True).body["inPaintingParams"]["maskImage"]
