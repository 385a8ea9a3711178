"""Stability on Bedrock: SD3.5 Large, Stable Image Core and Ultra, and each Image Service:
the exact body, and every documented limit at its edge and one step past it."""

import base64

import pytest
from imagegen.errors import InvalidParameter, UnsupportedTask
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Margins, Task

from tests.imagefactory import mask_png, png_header, png_image, rgba_png

SD35 = "stability.sd3-5-large-v1:0"
CORE = "stability.stable-image-core-v1:1"
ULTRA = "stability.stable-image-ultra-v1:1"
INPAINT = "stability.stable-image-inpaint-v1:0"
OUTPAINT = "stability.stable-outpaint-v1:0"
REPLACE = "stability.stable-image-search-replace-v1:0"
RECOLOR = "stability.stable-image-search-recolor-v1:0"
ERASE = "stability.stable-image-erase-object-v1:0"
REMOVE_BG = "stability.stable-image-remove-background-v1:0"
FAST_UP = "stability.stable-fast-upscale-v1:0"
CONSERVATIVE_UP = "stability.stable-conservative-upscale-v1:0"
CREATIVE_UP = "stability.stable-creative-upscale-v1:0"

SOURCE = png_image(256, 192)
SOURCE_B64 = base64.b64encode(SOURCE).decode()
MASK = mask_png(256, 192, white_box=(10, 10, 50, 50))
MASK_B64 = base64.b64encode(MASK).decode()


def build(model_id, **fields):
    return build_request(model_id, ImageRequest(**fields), region="us-west-2")


# --- text-to-image -------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", [SD35, CORE, ULTRA])
def test_text_to_image_body(model_id):
    built = build(model_id, prompt="a red fox", negative_prompt="blurry", aspect_ratio="3:2", seed=7)
    assert built.body == {
        "prompt": "a red fox",
        "negative_prompt": "blurry",
        "aspect_ratio": "3:2",
        "seed": 7,
        "output_format": "png",
    }
    assert built.model_id == model_id


def test_text_to_image_defaults_are_explicit():
    built = build(CORE, prompt="x")
    assert built.body["aspect_ratio"] == "1:1"
    assert built.body["output_format"] == "png"
    assert 1 <= built.body["seed"] <= 4294967294 and built.seed == built.body["seed"]


@pytest.mark.parametrize(
    ("size", "ratio"),
    [
        ((1920, 1080), "16:9"),
        ((1000, 1000), "1:1"),
        ((2560, 1080), "21:9"),
        ((768, 1280), "9:16"),
        ((1280, 1024), "5:4"),
        ((1024, 1536), "2:3"),
        ((1080, 2520), "9:21"),
        ((1200, 900), "5:4"),
        ((1400, 900), "3:2"),
    ],
)
def test_width_and_height_become_the_nearest_aspect_ratio_and_it_is_reported(size, ratio):
    built = build(ULTRA, prompt="x", width=size[0], height=size[1])
    assert built.body["aspect_ratio"] == ratio
    assert "width" not in built.body and "height" not in built.body
    assert built.translations[0].as_dict()["used"] == ratio


def test_sd35_image_to_image_body_has_mode_and_strength_and_no_aspect_ratio():
    assert build(SD35, task=Task.VARIATION, prompt="in winter", images=(SOURCE,), strength=0.6, seed=3).body == {
        "prompt": "in winter",
        "mode": "image-to-image",
        "image": SOURCE_B64,
        "strength": 0.6,
        "seed": 3,
        "output_format": "png",
    }


def test_ultra_image_to_image_needs_no_mode_and_strength_is_optional():
    assert build(ULTRA, task=Task.VARIATION, prompt="in winter", images=(SOURCE,), seed=3).body == {
        "prompt": "in winter",
        "image": SOURCE_B64,
        "seed": 3,
        "output_format": "png",
    }


def test_jpg_is_spelled_jpeg():
    assert build(CORE, prompt="x", output_format="jpg").body["output_format"] == "jpeg"


T2I_EDGES = [
    (CORE, {"prompt": "p" * 10000}, {"prompt": "p" * 10001}, "prompt"),
    (SD35, {"negative_prompt": "n" * 10000}, {"negative_prompt": "n" * 10001}, "negative_prompt"),
    (ULTRA, {"seed": 4294967294}, {"seed": 4294967295}, "seed"),
    (CORE, {"seed": 0}, {"seed": -1}, "seed"),
    (CORE, {"aspect_ratio": "9:21"}, {"aspect_ratio": "4:3"}, "aspect_ratio"),
    (CORE, {"output_format": "jpeg"}, {"output_format": "webp"}, "output_format"),
    (SD35, {"count": 1}, {"count": 2}, "count"),
]


@pytest.mark.parametrize(("model_id", "ok", "past", "field"), T2I_EDGES, ids=[f"{e[0]}-{e[3]}" for e in T2I_EDGES])
def test_text_to_image_limit_holds_at_the_edge_and_fails_one_step_past(model_id, ok, past, field):
    build(model_id, **{"prompt": "a fox", **ok})
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, **{"prompt": "a fox", **past})
    assert caught.value.field == field


I2I_EDGES = [
    # just allowed, one step past, the field named, what the error says is allowed
    ({"strength": 0.0}, {"strength": -0.01}, "strength", "from 0 to 1"),
    ({"strength": 1.0}, {"strength": 1.01}, "strength", "from 0 to 1"),
    ({"images": (png_header(64, 64),)}, {"images": (png_header(64, 63),)}, "images", "at least 64 px"),
    ({"images": (png_header(3072, 3072),)}, {"images": (png_header(3072, 3073),)}, "images", "9,437,184 pixels"),
    ({"images": (png_header(250, 100),)}, {"images": (png_header(251, 100),)}, "images", "from 0.4 to 2.5"),
    ({"images": (png_header(100, 250),)}, {"images": (png_header(100, 251),)}, "images", "from 0.4 to 2.5"),
]


@pytest.mark.parametrize("model_id", [SD35, ULTRA])
@pytest.mark.parametrize(
    ("ok", "past", "field", "allowed"), I2I_EDGES, ids=[f"{e[2]}-{i}" for i, e in enumerate(I2I_EDGES)]
)
def test_image_to_image_limit_holds_at_the_edge_and_fails_one_step_past(model_id, ok, past, field, allowed):
    base = {"task": Task.VARIATION, "prompt": "in winter", "images": (SOURCE,), "strength": 0.5}
    build(model_id, **{**base, **ok})
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, **{**base, **past})
    assert caught.value.field == field
    assert allowed in caught.value.allowed


@pytest.mark.parametrize(
    ("model_id", "fields", "field"),
    [
        (CORE, {"prompt": "x", "cfg_scale": 7.0}, "cfg_scale"),
        (CORE, {"prompt": "x", "quality": "premium"}, "quality"),
        (CORE, {"prompt": "x", "style": "anime"}, "style"),
        (CORE, {"prompt": "x", "width": 1024, "height": 1024, "aspect_ratio": "1:1"}, "aspect_ratio"),
        (CORE, {"prompt": "x", "height": 1024}, "width"),
        (CORE, {"prompt": "x", "width": 0, "height": 10}, "width"),
        (SD35, {"task": Task.VARIATION, "prompt": "x", "images": (SOURCE,)}, "strength"),
        (SD35, {"task": Task.VARIATION, "prompt": "x", "images": (SOURCE,), "strength": 1.01}, "strength"),
        (
            SD35,
            {"task": Task.VARIATION, "prompt": "x", "images": (SOURCE,), "strength": 0.5, "aspect_ratio": "1:1"},
            "aspect_ratio",
        ),
        (ULTRA, {"task": Task.VARIATION, "prompt": "x", "images": (png_header(63, 100),)}, "images"),
        (ULTRA, {"task": Task.VARIATION, "prompt": "x", "images": ()}, "images"),
    ],
)
def test_a_value_stability_cannot_take_is_named(model_id, fields, field):
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, **fields)
    assert caught.value.field == field


def test_core_cannot_do_image_to_image():
    with pytest.raises(UnsupportedTask):
        build(CORE, task=Task.VARIATION, prompt="x", images=(SOURCE,), strength=0.5)


# --- Image Services ---------------------------------------------------------------------------------


SERVICE_BODIES = [
    (
        INPAINT,
        {"task": Task.INPAINT, "prompt": "a hat", "mask_image": MASK, "grow_mask": 5, "style": "anime"},
        {
            "prompt": "a hat",
            "image": SOURCE_B64,
            "mask": MASK_B64,
            "grow_mask": 5,
            "seed": 9,
            "output_format": "png",
            "style_preset": "anime",
        },
    ),
    (
        OUTPAINT,
        {"task": Task.OUTPAINT, "prompt": "more sea", "margins": Margins(left=200, down=64), "creativity": 0.5},
        {
            "image": SOURCE_B64,
            "prompt": "more sea",
            "creativity": 0.5,
            "seed": 9,
            "output_format": "png",
            "left": 200,
            "down": 64,
        },
    ),
    (
        REPLACE,
        {"task": Task.REPLACE, "prompt": "a cat", "mask_prompt": "the dog", "negative_prompt": "blur"},
        {
            "prompt": "a cat",
            "image": SOURCE_B64,
            "search_prompt": "the dog",
            "negative_prompt": "blur",
            "seed": 9,
            "output_format": "png",
        },
    ),
    (
        RECOLOR,
        {"task": Task.RECOLOR, "prompt": "bright blue", "mask_prompt": "the car", "output_format": "webp"},
        {"prompt": "bright blue", "image": SOURCE_B64, "select_prompt": "the car", "seed": 9, "output_format": "webp"},
    ),
    (
        ERASE,
        {"task": Task.ERASE, "mask_image": MASK, "grow_mask": 0},
        {"image": SOURCE_B64, "mask": MASK_B64, "grow_mask": 0, "seed": 9, "output_format": "png"},
    ),
    (REMOVE_BG, {"task": Task.REMOVE_BACKGROUND}, {"image": SOURCE_B64, "output_format": "png"}),
    (FAST_UP, {"task": Task.UPSCALE}, {"image": SOURCE_B64, "output_format": "png"}),
    (
        CONSERVATIVE_UP,
        {"task": Task.UPSCALE, "prompt": "sharp photo", "creativity": 0.35},
        {"image": SOURCE_B64, "prompt": "sharp photo", "seed": 9, "creativity": 0.35, "output_format": "png"},
    ),
    (
        CREATIVE_UP,
        {"task": Task.UPSCALE, "prompt": "sharp photo"},
        {"image": SOURCE_B64, "prompt": "sharp photo", "seed": 9, "output_format": "png"},
    ),
]


@pytest.mark.parametrize(("model_id", "fields", "expected"), SERVICE_BODIES, ids=[b[0] for b in SERVICE_BODIES])
def test_image_service_body_and_profile_id(model_id, fields, expected):
    seed = {"seed": 9} if "seed" in expected else {}
    built = build(model_id, images=(SOURCE,), **seed, **fields)
    assert built.body == expected
    assert built.model_id == f"us.{model_id}"


SERVICE_EDGES = [
    (
        INPAINT,
        {"task": Task.INPAINT, "prompt": "x", "mask_image": MASK},
        {"grow_mask": 20},
        {"grow_mask": 21},
        "grow_mask",
    ),
    (ERASE, {"task": Task.ERASE, "mask_image": MASK}, {"grow_mask": 0}, {"grow_mask": -1}, "grow_mask"),
    (OUTPAINT, {"task": Task.OUTPAINT}, {"margins": Margins(up=2000)}, {"margins": Margins(up=2001)}, "margins.up"),
    (OUTPAINT, {"task": Task.OUTPAINT}, {"margins": Margins(right=1)}, {"margins": Margins()}, "margins"),
    (
        OUTPAINT,
        {"task": Task.OUTPAINT, "margins": Margins(left=1)},
        {"creativity": 0.1},
        {"creativity": 0.09},
        "creativity",
    ),
    (
        OUTPAINT,
        {"task": Task.OUTPAINT, "margins": Margins(left=1)},
        {"creativity": 1.0},
        {"creativity": 1.01},
        "creativity",
    ),
    (CREATIVE_UP, {"task": Task.UPSCALE, "prompt": "x"}, {"creativity": 0.5}, {"creativity": 0.51}, "creativity"),
    (CREATIVE_UP, {"task": Task.UPSCALE, "prompt": "x"}, {"creativity": 0.1}, {"creativity": 0.09}, "creativity"),
    (CONSERVATIVE_UP, {"task": Task.UPSCALE, "prompt": "x"}, {"creativity": 0.1}, {"creativity": 0.09}, "creativity"),
    (CONSERVATIVE_UP, {"task": Task.UPSCALE, "prompt": "x"}, {"creativity": 0.5}, {"creativity": 0.51}, "creativity"),
    (
        OUTPAINT,
        {"task": Task.OUTPAINT},
        {"margins": Margins(left=0, right=10)},
        {"margins": Margins(left=-1, right=10)},
        "margins.left",
    ),
    (
        REPLACE,
        {"task": Task.REPLACE, "prompt": "x", "mask_prompt": "y"},
        {"grow_mask": 20},
        {"grow_mask": 21},
        "grow_mask",
    ),
    (
        RECOLOR,
        {"task": Task.RECOLOR, "prompt": "x", "mask_prompt": "y"},
        {"grow_mask": 20},
        {"grow_mask": 21},
        "grow_mask",
    ),
    (
        REPLACE,
        {"task": Task.REPLACE, "prompt": "x"},
        {"mask_prompt": "m" * 10000},
        {"mask_prompt": "m" * 10001},
        "mask_prompt",
    ),
    (
        REPLACE,
        {"task": Task.REPLACE, "prompt": "x", "mask_prompt": "y"},
        {"style": "pixel-art"},
        {"style": "watercolour"},
        "style",
    ),
    (
        REPLACE,
        {"task": Task.REPLACE, "prompt": "x", "mask_prompt": "y"},
        {"seed": 4294967294},
        {"seed": 4294967295},
        "seed",
    ),
    (
        REMOVE_BG,
        {"task": Task.REMOVE_BACKGROUND},
        {"images": (png_header(64, 64),)},
        {"images": (png_header(64, 63),)},
        "images",
    ),
    (
        REMOVE_BG,
        {"task": Task.REMOVE_BACKGROUND},
        {"images": (png_header(250, 100),)},
        {"images": (png_header(251, 100),)},
        "images",
    ),
    (
        REMOVE_BG,
        {"task": Task.REMOVE_BACKGROUND},
        {"images": (png_header(100, 250),)},
        {"images": (png_header(100, 251),)},
        "images",
    ),
    (
        REMOVE_BG,
        {"task": Task.REMOVE_BACKGROUND},
        {"images": (png_header(3072, 3072),)},
        {"images": (png_header(3072, 3073),)},
        "images",
    ),
    (
        FAST_UP,
        {"task": Task.UPSCALE},
        {"images": (png_header(1024, 1024),)},
        {"images": (png_header(1025, 1024),)},
        "images",
    ),
    (FAST_UP, {"task": Task.UPSCALE}, {"images": (png_header(32, 32),)}, {"images": (png_header(31, 32),)}, "images"),
    # 1536 px a side; 1537x682 is still under 1 MP, so only the side limit refuses it
    (
        FAST_UP,
        {"task": Task.UPSCALE},
        {"images": (png_header(1536, 682),)},
        {"images": (png_header(1537, 682),)},
        "images",
    ),
    (
        FAST_UP,
        {"task": Task.UPSCALE},
        {"images": (png_header(682, 1536),)},
        {"images": (png_header(682, 1537),)},
        "images",
    ),
    (
        CREATIVE_UP,
        {"task": Task.UPSCALE, "prompt": "x"},
        {"images": (png_header(1024, 1024),)},
        {"images": (png_header(1024, 1025),)},
        "images",
    ),
]


@pytest.mark.parametrize(
    ("model_id", "base", "ok", "past", "field"),
    SERVICE_EDGES,
    ids=[f"{e[0]}-{e[4]}-{i}" for i, e in enumerate(SERVICE_EDGES)],
)
def test_image_service_limit_holds_at_the_edge_and_fails_one_step_past(model_id, base, ok, past, field):
    base = {"images": (SOURCE,), **base}
    build(model_id, **{**base, **ok})
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, **{**base, **past})
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("model_id", "fields", "field"),
    [
        (INPAINT, {"task": Task.INPAINT, "prompt": "x"}, "mask_image"),  # no mask, and no alpha in the source
        (INPAINT, {"task": Task.INPAINT, "mask_image": MASK}, "prompt"),
        (REPLACE, {"task": Task.REPLACE, "prompt": "x"}, "mask_prompt"),
        (RECOLOR, {"task": Task.RECOLOR, "mask_prompt": "the car"}, "prompt"),
        (ERASE, {"task": Task.ERASE}, "mask_image"),
        (ERASE, {"task": Task.ERASE, "mask_image": MASK, "prompt": "x"}, "prompt"),
        (REMOVE_BG, {"task": Task.REMOVE_BACKGROUND, "seed": 1}, "seed"),
        (FAST_UP, {"task": Task.UPSCALE, "prompt": "x"}, "prompt"),
        (CONSERVATIVE_UP, {"task": Task.UPSCALE}, "prompt"),
        (OUTPAINT, {"task": Task.OUTPAINT, "margins": Margins(left=1), "mask_image": MASK}, "mask_image"),
        (INPAINT, {"task": Task.INPAINT, "prompt": "x", "mask_image": b"not an image"}, "mask_image"),
    ],
)
def test_an_image_service_names_what_is_missing_or_not_taken(model_id, fields, field):
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, images=(SOURCE,), **fields)
    assert caught.value.field == field


def test_an_image_service_is_refused_from_a_region_its_profile_does_not_serve():
    from imagegen.errors import ModelUnavailable

    with pytest.raises(ModelUnavailable, match="eu-west-1"):
        build_request(ERASE, ImageRequest(task=Task.ERASE, images=(SOURCE,), mask_image=MASK), region="eu-west-1")


@pytest.mark.parametrize("alpha", [0, 128], ids=["transparent", "semi-transparent"])
def test_inpaint_and_erase_without_a_mask_use_the_transparent_pixels_of_the_source(alpha):
    rgba = rgba_png(64, 64, alpha_at={(10, 10): alpha, (11, 10): alpha})
    body = build(ERASE, task=Task.ERASE, images=(rgba,), seed=2).body
    assert "mask" not in body and body["image"] == base64.b64encode(rgba).decode()
    assert "mask" not in build(INPAINT, task=Task.INPAINT, prompt="sky", images=(rgba,), seed=2).body


@pytest.mark.parametrize(
    ("model_id", "fields"),
    [(INPAINT, {"task": Task.INPAINT, "prompt": "sky"}), (ERASE, {"task": Task.ERASE})],
    ids=["inpaint", "erase"],
)
def test_an_alpha_channel_that_is_opaque_everywhere_is_no_mask(model_id, fields):
    opaque = rgba_png(64, 64)
    with pytest.raises(InvalidParameter, match="fully opaque") as caught:
        build(model_id, images=(opaque,), **fields)
    assert caught.value.field == "mask_image"
    mask = mask_png(64, 64, white_box=(0, 0, 8, 8))
    assert build(model_id, images=(opaque,), mask_image=mask, **fields).body["mask"] == base64.b64encode(mask).decode()


def test_a_transparent_source_is_fine_where_transparency_means_nothing_special():
    cutout = rgba_png(64, 64, alpha_at={(0, 0): 0})
    assert build(FAST_UP, task=Task.UPSCALE, images=(cutout,)).body["image"] == base64.b64encode(cutout).decode()


def test_sd35_large_takes_webp_and_core_does_not():
    assert build(SD35, prompt="x", output_format="webp").body["output_format"] == "webp"
    with pytest.raises(InvalidParameter):
        build(CORE, prompt="x", output_format="webp")


def test_respellings_are_reported():
    built = build(
        REPLACE,
        task=Task.REPLACE,
        prompt="a cat",
        mask_prompt="the dog",
        images=(SOURCE,),
        style="Pixel Art",
        output_format="JPG",
    )
    assert (built.body["style_preset"], built.body["output_format"]) == ("pixel-art", "jpeg")
    assert {(t.field, t.given, t.used) for t in built.translations} == {
        ("style", "Pixel Art", "pixel-art"),
        ("output_format", "JPG", "jpeg"),
    }


def test_parameters_for_storage_hide_the_image_payloads():
    built = build(INPAINT, task=Task.INPAINT, prompt="a hat", images=(SOURCE,), mask_image=MASK, seed=4)
    params = built.parameters()
    assert params["image"] == f"<base64 image, {len(SOURCE_B64)} chars>"
    assert params["mask"] == f"<base64 image, {len(MASK_B64)} chars>"
    assert params["prompt"] == "a hat" and params["seed"] == 4
