"""Titan Image Generator v1/v2 and Nova Canvas: the exact body for every task, and every
documented limit at its edge and one step past it."""

import base64
import functools
from datetime import date

import pytest
from imagegen import png
from imagegen.errors import InvalidParameter, ModelRetired, UnsupportedTask
from imagegen.models import images
from imagegen.models.request import ImageRequest, Margins, Task

from tests.imagefactory import jpeg_header, mask_png, png_header, png_image, rgba_png

# Titan and Canvas are past end of life; building for them is an explicit choice (the
# `original` profile), as it is here.
build_request = functools.partial(images.build_request, allow_retired=True)

TITAN_V1 = "amazon.titan-image-generator-v1"
TITAN = "amazon.titan-image-generator-v2:0"
CANVAS = "amazon.nova-canvas-v1:0"
SOURCE = png_image(384, 320)  # within every Titan and Canvas input limit
SOURCE_B64 = base64.b64encode(SOURCE).decode()


def body(model_id, **fields):
    fields.setdefault("seed", 42)
    return build_request(model_id, ImageRequest(**fields)).body


def config(cfg=8.0, seed=42, count=1, quality="standard", **size):
    return {"numberOfImages": count, "quality": quality, "cfgScale": cfg, "seed": seed, **size}


# --- exact bodies -------------------------------------------------------------------------


def test_titan_generate_body():
    assert body(TITAN, prompt="a red fox", negative_prompt="blurry", width=768, height=1280) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red fox", "negativeText": "blurry"},
        "imageGenerationConfig": config(width=768, height=1280),
    }


def test_canvas_generate_body_with_style_and_explicit_settings():
    assert body(
        CANVAS,
        prompt="a red fox",
        style="PHOTOREALISM",
        count=3,
        quality="premium",
        cfg_scale=7.5,
        width=1280,
        height=720,
    ) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red fox", "style": "PHOTOREALISM"},
        "imageGenerationConfig": config(cfg=7.5, count=3, quality="premium", width=1280, height=720),
    }


def test_generate_defaults_are_explicit_in_the_body():
    assert body(TITAN, prompt="x")["imageGenerationConfig"] == config(cfg=8.0, width=1024, height=1024)
    assert body(CANVAS, prompt="x")["imageGenerationConfig"] == config(cfg=6.5, width=1024, height=1024)


def test_generate_with_colours_becomes_colour_guided_generation():
    assert body(TITAN, prompt="a poster", colors=("#ff9800", "#000000"), reference_image=SOURCE) == {
        "taskType": "COLOR_GUIDED_GENERATION",
        "colorGuidedGenerationParams": {
            "text": "a poster",
            "colors": ["#FF9800", "#000000"],
            "referenceImage": SOURCE_B64,
        },
        "imageGenerationConfig": config(width=1024, height=1024),
    }


def test_variation_body_translates_strength_to_similarity():
    built = build_request(
        CANVAS, ImageRequest(task=Task.VARIATION, prompt="in winter", images=(SOURCE, SOURCE), strength=0.3, seed=42)
    )
    assert built.body == {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {"images": [SOURCE_B64, SOURCE_B64], "text": "in winter", "similarityStrength": 0.7},
        "imageGenerationConfig": config(cfg=6.5),
    }
    assert [t.as_dict() for t in built.translations] == [
        {"field": "strength", "given": 0.3, "used": 0.7, "note": "sent as similarityStrength = 1 - strength"}
    ]


def test_variation_without_a_prompt_sends_no_text():
    params = body(TITAN, task=Task.VARIATION, images=(SOURCE,))["imageVariationParams"]
    assert params == {"images": [SOURCE_B64]}


def test_inpaint_with_a_mask_prompt():
    assert body(TITAN, task=Task.INPAINT, prompt="a straw hat", mask_prompt="the hat", images=(SOURCE,)) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": SOURCE_B64, "text": "a straw hat", "maskPrompt": "the hat"},
        "imageGenerationConfig": config(),
    }


def test_inpaint_mask_image_is_sent_inverted_because_titan_and_canvas_change_the_black_area():
    mask = mask_png(384, 320, white_box=(0, 0, 192, 320))
    sent = body(CANVAS, task=Task.INPAINT, prompt="sky", mask_image=mask, images=(SOURCE,))["inPaintingParams"][
        "maskImage"
    ]
    rows = png.decode(base64.b64decode(sent)).rows
    assert rows[0][:192] == b"\x00" * 192 and rows[0][192:] == b"\xff" * 192


def test_outpaint_mask_image_is_sent_as_is_because_outpainting_changes_the_white_area():
    mask = mask_png(384, 320, white_box=(0, 0, 192, 320))
    params = body(
        TITAN, task=Task.OUTPAINT, prompt="a beach", mask_image=mask, outpaint_mode="precise", images=(SOURCE,)
    )
    rows = png.decode(base64.b64decode(params["outPaintingParams"]["maskImage"])).rows
    assert rows[0][:192] == b"\xff" * 192
    assert params["outPaintingParams"]["outPaintingMode"] == "PRECISE"
    assert params["taskType"] == "OUTPAINTING"


def test_outpaint_with_a_mask_prompt_defaults_to_default_mode():
    assert body(CANVAS, task=Task.OUTPAINT, prompt="a beach", mask_prompt="the dog", images=(SOURCE,))[
        "outPaintingParams"
    ] == {
        "image": SOURCE_B64,
        "text": "a beach",
        "maskPrompt": "the dog",
        "outPaintingMode": "DEFAULT",
    }


def test_replace_is_inpainting_of_what_the_mask_prompt_names():
    assert body(TITAN, task=Task.REPLACE, prompt="a cat", mask_prompt="the dog", images=(SOURCE,))[
        "inPaintingParams"
    ] == {
        "image": SOURCE_B64,
        "text": "a cat",
        "maskPrompt": "the dog",
    }


def test_erase_is_inpainting_without_text():
    assert body(CANVAS, task=Task.ERASE, mask_prompt="the car", images=(SOURCE,)) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": SOURCE_B64, "maskPrompt": "the car"},
        "imageGenerationConfig": config(cfg=6.5),
    }


def test_titan_v1_generate_body():
    assert body(TITAN_V1, prompt="a red fox", negative_prompt="blurry", width=512, height=512) == {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a red fox", "negativeText": "blurry"},
        "imageGenerationConfig": config(width=512, height=512),
    }


def test_titan_v1_variation_body_has_one_image_and_no_similarity():
    assert body(TITAN_V1, task=Task.VARIATION, prompt="in winter", images=(SOURCE,), count=2) == {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {"images": [SOURCE_B64], "text": "in winter"},
        "imageGenerationConfig": config(count=2),
    }


def test_titan_erase_is_inpainting_without_text():
    assert body(TITAN, task=Task.ERASE, mask_prompt="the car", images=(SOURCE,)) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": SOURCE_B64, "maskPrompt": "the car"},
        "imageGenerationConfig": config(),
    }


def test_canvas_replace_body():
    assert body(
        CANVAS, task=Task.REPLACE, prompt="a cat", negative_prompt="blur", mask_prompt="the dog", images=(SOURCE,)
    ) == {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": SOURCE_B64, "text": "a cat", "negativeText": "blur", "maskPrompt": "the dog"},
        "imageGenerationConfig": config(cfg=6.5),
    }


def test_canvas_colour_guided_body_without_a_reference_image():
    assert body(CANVAS, prompt="a poster", negative_prompt="text", colors=("#00ff00", "#123ABC"), count=5) == {
        "taskType": "COLOR_GUIDED_GENERATION",
        "colorGuidedGenerationParams": {"text": "a poster", "negativeText": "text", "colors": ["#00FF00", "#123ABC"]},
        "imageGenerationConfig": config(cfg=6.5, count=5, width=1024, height=1024),
    }


@pytest.mark.parametrize("model_id", [TITAN, CANVAS])
def test_remove_background_sends_only_the_image(model_id):
    built = build_request(model_id, ImageRequest(task=Task.REMOVE_BACKGROUND, images=(SOURCE,)))
    assert built.body == {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": SOURCE_B64}}
    assert built.seed is None


def test_aspect_ratio_becomes_the_closest_listed_titan_size_and_is_reported():
    built = build_request(TITAN, ImageRequest(prompt="x", aspect_ratio="16:9", seed=1))
    assert built.body["imageGenerationConfig"]["width"] == 1152
    assert built.body["imageGenerationConfig"]["height"] == 640
    assert built.translations[0].field == "aspect_ratio"


@pytest.mark.parametrize(("ratio", "size"), [("11:5", (1408, 640)), ("5:11", (640, 1408))])
def test_titan_honours_an_aspect_ratio_up_to_the_widest_listed_size(ratio, size):
    cfg = body(TITAN, prompt="x", aspect_ratio=ratio)["imageGenerationConfig"]
    assert (cfg["width"], cfg["height"]) == size


def test_titan_refuses_a_ratio_no_listed_size_comes_near_and_names_the_range():
    with pytest.raises(InvalidParameter) as caught:
        build_request(TITAN, ImageRequest(prompt="x", aspect_ratio="10:1"))
    assert caught.value.field == "aspect_ratio"
    assert "between 1:2.2 and 2.2:1" in caught.value.allowed


def test_canvas_colour_guided_generation_refuses_a_style_instead_of_dropping_it():
    with pytest.raises(InvalidParameter) as caught:
        build_request(CANVAS, ImageRequest(prompt="a poster", colors=("#FF0000",), style="PHOTOREALISM"))
    assert caught.value.field == "style"
    assert "colour-guided" in caught.value.allowed


def test_aspect_ratio_becomes_a_canvas_size_divisible_by_16():
    cfg = body(CANVAS, prompt="x", aspect_ratio="9:16")["imageGenerationConfig"]
    assert (cfg["width"], cfg["height"]) == (768, 1360)


def test_a_seed_is_chosen_in_range_and_reported_when_none_is_given():
    for model_id, high in ((TITAN, 2147483646), (CANVAS, 2147483646)):
        built = build_request(model_id, ImageRequest(prompt="x"))
        assert 1 <= built.seed <= high
        assert built.body["imageGenerationConfig"]["seed"] == built.seed


# --- limits: at the edge, and one step past it ------------------------------------------------

EDGES = [
    # model, fields that are just allowed, fields one step past, the field named
    (TITAN, {"prompt": "a" * 512}, {"prompt": "a" * 513}, "prompt"),
    (CANVAS, {"prompt": "a" * 1024}, {"prompt": "a" * 1025}, "prompt"),
    (TITAN, {"negative_prompt": "n" * 512}, {"negative_prompt": "n" * 513}, "negative_prompt"),
    (CANVAS, {"negative_prompt": "n" * 1024}, {"negative_prompt": "n" * 1025}, "negative_prompt"),
    (TITAN, {"seed": 2147483646}, {"seed": 2147483647}, "seed"),
    (CANVAS, {"seed": 2147483646}, {"seed": 2147483647}, "seed"),
    (CANVAS, {"seed": 0}, {"seed": -1}, "seed"),
    (TITAN, {"count": 5}, {"count": 6}, "count"),
    (CANVAS, {"count": 5}, {"count": 6}, "count"),
    (CANVAS, {"count": 1}, {"count": 0}, "count"),
    (TITAN, {"cfg_scale": 1.1}, {"cfg_scale": 1.0}, "cfg_scale"),
    (CANVAS, {"cfg_scale": 10.0}, {"cfg_scale": 10.1}, "cfg_scale"),
    (TITAN, {"quality": "premium"}, {"quality": "ultra"}, "quality"),
    (TITAN, {"width": 1173, "height": 640}, {"width": 1024, "height": 1040}, "width"),
    (TITAN, {"width": 320, "height": 704}, {"width": 320, "height": 720}, "width"),
    (CANVAS, {"width": 320, "height": 320}, {"width": 304, "height": 320}, "width"),
    (CANVAS, {"width": 1024, "height": 1008}, {"width": 1024, "height": 1000}, "height"),
    (CANVAS, {"width": 2048, "height": 2032}, {"width": 2048, "height": 2048}, "width"),
    (CANVAS, {"width": 2048, "height": 512}, {"width": 2064, "height": 512}, "width"),
    (CANVAS, {"width": 1024, "height": 4080}, {"width": 1024, "height": 4112}, "height"),
    (CANVAS, {"aspect_ratio": "4:1"}, {"aspect_ratio": "5:1"}, "aspect_ratio"),
    (TITAN, {"aspect_ratio": "11:5"}, {"aspect_ratio": "9:4"}, "aspect_ratio"),  # the list spans 1:2.2 to 2.2:1
    (TITAN, {"aspect_ratio": "5:11"}, {"aspect_ratio": "4:9"}, "aspect_ratio"),
    (CANVAS, {"style": "MAXIMALISM"}, {"style": "CUBISM"}, "style"),
    (TITAN, {"colors": ("#000000",) * 10}, {"colors": ("#000000",) * 11}, "colors"),
    (CANVAS, {"colors": ("#000000",) * 10}, {"colors": ("#000000",) * 11}, "colors"),
    (TITAN, {"colors": ("#A1B2C3",)}, {"colors": ("#A1B2C",)}, "colors"),
]


@pytest.mark.parametrize(
    ("model_id", "ok", "past", "field"),
    EDGES,
    ids=[f"{e[0].split('.')[1][:12]}-{e[3]}-{i}" for i, e in enumerate(EDGES)],
)
def test_generate_limit_holds_at_the_edge_and_fails_one_step_past(model_id, ok, past, field):
    base = {"prompt": "a red fox"}
    build_request(model_id, ImageRequest(**{**base, **ok}))
    with pytest.raises(InvalidParameter) as caught:
        build_request(model_id, ImageRequest(**{**base, **past}))
    assert caught.value.field == field
    assert model_id in caught.value.message


def _titan_sized(total: int) -> bytes:
    """A 640x640 PNG header padded to exactly `total` bytes (5 MB is Titan's input limit)."""
    header = png_header(640, 640)
    return header + bytes(total - len(header))


EDIT_EDGES = [
    (TITAN, Task.VARIATION, {"images": (SOURCE,) * 5}, {"images": (SOURCE,) * 6}, "images"),
    (CANVAS, Task.VARIATION, {"images": (SOURCE,) * 5}, {"images": (SOURCE,) * 6}, "images"),
    (TITAN, Task.VARIATION, {"strength": 0.8}, {"strength": 0.81}, "strength"),  # similarityStrength 0.2
    (TITAN, Task.VARIATION, {"strength": 0.0}, {"strength": -0.01}, "strength"),  # similarityStrength 1.0
    (
        CANVAS,
        Task.VARIATION,
        {"images": (SOURCE,), "strength": 0.8},
        {"images": (SOURCE,), "strength": 0.81},
        "strength",
    ),
    (
        CANVAS,
        Task.VARIATION,
        {"images": (SOURCE,), "strength": 0.0},
        {"images": (SOURCE,), "strength": -0.01},
        "strength",
    ),
    (TITAN, Task.INPAINT, {"images": (png_header(1408, 640),)}, {"images": (png_header(1409, 640),)}, "images"),
    (TITAN, Task.INPAINT, {"images": (_titan_sized(5_000_000),)}, {"images": (_titan_sized(5_000_001),)}, "images"),
    (CANVAS, Task.INPAINT, {"images": (png_header(320, 320),)}, {"images": (png_header(319, 320),)}, "images"),
    (CANVAS, Task.INPAINT, {"images": (png_header(4096, 1024),)}, {"images": (png_header(4096, 1025),)}, "images"),
    (CANVAS, Task.INPAINT, {"images": (png_header(1600, 400),)}, {"images": (png_header(1604, 400),)}, "images"),
    (CANVAS, Task.INPAINT, {"images": (jpeg_header(640, 640),)}, {"images": (b"GIF89a" + bytes(10),)}, "images"),
    (TITAN, Task.INPAINT, {"mask_prompt": "m" * 512}, {"mask_prompt": "m" * 513}, "mask_prompt"),
    (CANVAS, Task.INPAINT, {"mask_prompt": "m" * 1024}, {"mask_prompt": "m" * 1025}, "mask_prompt"),
]


@pytest.mark.parametrize(
    ("model_id", "task", "ok", "past", "field"),
    EDIT_EDGES,
    ids=[f"{e[0].split('.')[1][:12]}-{e[1].value}-{i}" for i, e in enumerate(EDIT_EDGES)],
)
def test_edit_limit_holds_at_the_edge_and_fails_one_step_past(model_id, task, ok, past, field):
    base = {"task": task, "prompt": "a hat", "images": (SOURCE,)}
    if task is not Task.VARIATION:
        base["mask_prompt"] = "the head"
    build_request(model_id, ImageRequest(**{**base, **ok}))
    with pytest.raises(InvalidParameter) as caught:
        build_request(model_id, ImageRequest(**{**base, **past}))
    assert caught.value.field == field


# --- what a model or task cannot take -------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_id", "fields", "field"),
    [
        (TITAN, {"prompt": "x", "style": "PHOTOREALISM"}, "style"),
        (TITAN_V1, {"prompt": "x", "colors": ("#000000",)}, "colors"),
        (TITAN, {"prompt": "x", "margins": Margins(left=10)}, "margins"),
        (TITAN, {"prompt": "x", "grow_mask": 3}, "grow_mask"),
        (TITAN, {"prompt": "x", "images": (SOURCE,)}, "images"),
        (TITAN, {"prompt": "x", "width": 1024}, "height"),
        (TITAN, {"prompt": "x", "width": 1024, "height": 1024, "aspect_ratio": "1:1"}, "aspect_ratio"),
        (CANVAS, {"prompt": "x", "aspect_ratio": "wide"}, "aspect_ratio"),
        (TITAN, {}, "prompt"),
        (TITAN, {"prompt": "   "}, "prompt"),
        (TITAN_V1, {"task": Task.VARIATION, "images": (SOURCE,), "strength": 0.5}, "strength"),
        (TITAN_V1, {"task": Task.VARIATION, "images": (SOURCE, SOURCE)}, "images"),
        (TITAN, {"task": Task.VARIATION, "images": ()}, "images"),
        (TITAN, {"task": Task.INPAINT, "prompt": "x", "images": (SOURCE,)}, "mask_prompt"),
        (
            TITAN,
            {"task": Task.INPAINT, "prompt": "x", "images": (SOURCE,), "mask_prompt": "a", "mask_image": SOURCE},
            "mask_prompt",
        ),
        (TITAN, {"task": Task.INPAINT, "images": (SOURCE,), "mask_prompt": "a"}, "prompt"),
        (TITAN, {"task": Task.REPLACE, "prompt": "x", "images": (SOURCE,)}, "mask_prompt"),
        (TITAN, {"task": Task.REPLACE, "prompt": "x", "images": (SOURCE,), "mask_image": SOURCE}, "mask_image"),
        (TITAN, {"task": Task.ERASE, "prompt": "x", "images": (SOURCE,), "mask_prompt": "a"}, "prompt"),
        (
            TITAN,
            {"task": Task.OUTPAINT, "prompt": "x", "images": (SOURCE,), "mask_prompt": "a", "outpaint_mode": "wild"},
            "outpaint_mode",
        ),
        (
            TITAN,
            {
                "task": Task.OUTPAINT,
                "prompt": "x",
                "images": (SOURCE,),
                "mask_prompt": "a",
                "width": 1024,
                "height": 1024,
            },
            "width",
        ),
        (TITAN, {"task": Task.REMOVE_BACKGROUND, "images": (SOURCE,), "prompt": "x"}, "prompt"),
        (
            CANVAS,
            {
                "task": Task.INPAINT,
                "prompt": "x",
                "images": (SOURCE,),
                "mask_image": mask_png(32, 32, white_box=(0, 0, 1, 1)),
            },
            "mask_image",
        ),
        (
            CANVAS,
            {
                "task": Task.INPAINT,
                "prompt": "x",
                "images": (SOURCE,),
                "mask_image": png_image(384, 320, (128, 128, 128)),
            },
            "mask_image",
        ),
        (
            CANVAS,
            {"task": Task.INPAINT, "prompt": "x", "images": (SOURCE,), "mask_image": jpeg_header(384, 320)},
            "mask_image",
        ),
    ],
)
def test_a_value_the_model_cannot_take_is_named(model_id, fields, field):
    with pytest.raises(InvalidParameter) as caught:
        build_request(model_id, ImageRequest(**fields))
    assert caught.value.field == field
    assert caught.value.to_dict()["code"] == "invalid_parameter"


@pytest.mark.parametrize(
    ("model_id", "task"), [(TITAN_V1, Task.REMOVE_BACKGROUND), (TITAN, Task.RECOLOR), (CANVAS, Task.UPSCALE)]
)
def test_a_task_the_model_cannot_do_is_refused(model_id, task):
    with pytest.raises(UnsupportedTask):
        build_request(model_id, ImageRequest(task=task, images=(SOURCE,)))


def test_a_long_prompt_is_not_echoed_whole_in_the_error():
    with pytest.raises(InvalidParameter) as caught:
        build_request(TITAN, ImageRequest(prompt="secret " * 200))
    assert len(str(caught.value.to_dict()["value"])) < 120


@pytest.mark.parametrize(("model_id", "eol"), [(TITAN, date(2026, 6, 30)), (CANVAS, date(2026, 9, 30))])
def test_a_retired_model_is_refused_before_any_call_unless_allowed(model_id, eol):
    request = ImageRequest(prompt="a fox")
    images.build_request(model_id, request, today=date(eol.year, eol.month, eol.day - 1))
    with pytest.raises(ModelRetired, match="stability.stable-image-core-v1:1 instead"):
        images.build_request(model_id, request, today=eol)
    assert images.build_request(model_id, request, today=eol, allow_retired=True).body["taskType"] == "TEXT_IMAGE"


@pytest.mark.parametrize(
    ("task", "fields", "successor"),
    [
        (Task.GENERATE, {"prompt": "a fox"}, "stability.stable-image-core-v1:1"),
        (Task.VARIATION, {"images": (SOURCE,)}, "stability.sd3-5-large-v1:0"),
        (
            Task.INPAINT,
            {"prompt": "a hat", "mask_prompt": "the head", "images": (SOURCE,)},
            "stability.stable-image-inpaint-v1:0",
        ),
    ],
)
def test_a_retired_model_points_to_an_active_model_that_can_do_the_requested_task(task, fields, successor):
    with pytest.raises(ModelRetired) as caught:
        images.build_request(CANVAS, ImageRequest(task=task, **fields), today=date(2026, 12, 1))
    assert caught.value.message.endswith(f"use {successor} instead")


# --- transparency: Canvas rejects any pixel that is not opaque (no Titan document says so) -------

CUTOUT = rgba_png(384, 320, alpha_at={(383, 319): 0})  # what a remove-background step returns
HALF_CLEAR = rgba_png(384, 320, alpha_at={(0, 0): 128})
OPAQUE_RGBA = rgba_png(384, 320)


@pytest.mark.parametrize("source", [CUTOUT, HALF_CLEAR], ids=["transparent", "semi-transparent"])
@pytest.mark.parametrize(
    ("model_id", "fields", "field"),
    [
        (CANVAS, {"task": Task.INPAINT, "prompt": "a hat", "mask_prompt": "the head"}, "images"),
        (CANVAS, {"task": Task.OUTPAINT, "prompt": "a beach", "mask_prompt": "the dog"}, "images"),
        (CANVAS, {"task": Task.VARIATION}, "images"),
        (CANVAS, {"task": Task.REMOVE_BACKGROUND}, "images"),
        (CANVAS, {"prompt": "a poster", "colors": ("#FF0000",)}, "reference_image"),
    ],
    ids=["canvas-inpaint", "canvas-outpaint", "canvas-variation", "canvas-remove-background", "canvas-colour-ref"],
)
def test_a_source_with_transparent_pixels_is_refused_before_any_call(model_id, fields, field, source):
    image = {"reference_image": source} if field == "reference_image" else {"images": (source,)}
    with pytest.raises(InvalidParameter) as caught:
        build_request(model_id, ImageRequest(**image, **fields))
    assert caught.value.field == field
    assert "transparent pixels" in caught.value.message
    assert "an opaque image" in caught.value.message and model_id in caught.value.message


@pytest.mark.parametrize("model_id", [TITAN, CANVAS])
def test_an_opaque_png_with_an_alpha_channel_is_accepted_and_sent_unchanged(model_id):
    params = body(model_id, task=Task.INPAINT, prompt="a hat", mask_prompt="the head", images=(OPAQUE_RGBA,))
    assert params["inPaintingParams"]["image"] == base64.b64encode(OPAQUE_RGBA).decode()
