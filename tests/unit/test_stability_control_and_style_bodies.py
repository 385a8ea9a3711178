"""Control Sketch, Control Structure, Style Guide and Style Transfer (Stability Image Services):
the exact body each builds from the catalog's fields, and each documented limit at its edge and
one step past it, refused with an error naming the field."""

import base64

import pytest
from imagegen.errors import InvalidParameter
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Task

from tests.imagefactory import png_header, png_image

SKETCH = "stability.stable-image-control-sketch-v1:0"
STRUCTURE = "stability.stable-image-control-structure-v1:0"
STYLE_GUIDE = "stability.stable-image-style-guide-v1:0"
STYLE_TRANSFER = "stability.stable-style-transfer-v1:0"

SOURCE = png_image(256, 192)
STYLE = png_image(128, 128, (20, 40, 200))


def b64(data):
    return base64.b64encode(data).decode()


def build(model_id, **fields):
    return build_request(model_id, ImageRequest(images=(SOURCE,), **fields), region="us-west-2")


BODIES = [
    (
        SKETCH,
        {"task": Task.CONTROL_SKETCH, "prompt": "a castle", "control_strength": 0.6, "style": "line-art"},
        {
            "prompt": "a castle",
            "image": b64(SOURCE),
            "control_strength": 0.6,
            "seed": 9,
            "output_format": "png",
            "style_preset": "line-art",
        },
    ),
    (
        STRUCTURE,
        {"task": Task.CONTROL_STRUCTURE, "prompt": "a castle", "negative_prompt": "fog"},
        {"prompt": "a castle", "image": b64(SOURCE), "negative_prompt": "fog", "seed": 9, "output_format": "png"},
    ),
    (
        STYLE_GUIDE,
        {"task": Task.STYLE_GUIDE, "prompt": "a lighthouse", "fidelity": 0.8, "aspect_ratio": "16:9"},
        {
            "prompt": "a lighthouse",
            "image": b64(SOURCE),
            "fidelity": 0.8,
            "aspect_ratio": "16:9",
            "seed": 9,
            "output_format": "png",
        },
    ),
    (
        STYLE_TRANSFER,
        {
            "task": Task.STYLE_TRANSFER,
            "style_image": STYLE,
            "prompt": "oil paint",
            "composition_fidelity": 0.9,
            "style_strength": 1.0,
            "change_strength": 0.5,
        },
        {
            "init_image": b64(SOURCE),
            "style_image": b64(STYLE),
            "prompt": "oil paint",
            "composition_fidelity": 0.9,
            "style_strength": 1.0,
            "change_strength": 0.5,
        },
    ),
]


@pytest.mark.parametrize(("model_id", "fields", "expected"), BODIES, ids=[b[0] for b in BODIES])
def test_each_new_service_builds_its_documented_body_through_the_us_profile(model_id, fields, expected):
    seed = {"seed": 9} if "seed" in expected else {}
    built = build(model_id, **seed, **fields)
    assert built.body == expected
    assert built.model_id == f"us.{model_id}"


def test_style_transfer_sends_only_its_two_images_when_nothing_else_is_asked():
    built = build(STYLE_TRANSFER, task=Task.STYLE_TRANSFER, style_image=STYLE)
    assert built.body == {"init_image": b64(SOURCE), "style_image": b64(STYLE)}
    assert built.seed is None  # its row names no seed: the answer's seed is the one reported


CONTROL = {"prompt": "a castle"}
TRANSFER = {"style_image": STYLE}
EDGES = [
    (SKETCH, Task.CONTROL_SKETCH, CONTROL, {"control_strength": 1.0}, {"control_strength": 1.1}, "control_strength"),
    (SKETCH, Task.CONTROL_SKETCH, CONTROL, {"control_strength": 0.0}, {"control_strength": -0.1}, "control_strength"),
    (
        STRUCTURE,
        Task.CONTROL_STRUCTURE,
        CONTROL,
        {"control_strength": 1.0},
        {"control_strength": 1.1},
        "control_strength",
    ),
    (STYLE_GUIDE, Task.STYLE_GUIDE, CONTROL, {"fidelity": 1.0}, {"fidelity": 1.1}, "fidelity"),
    (STYLE_GUIDE, Task.STYLE_GUIDE, CONTROL, {"aspect_ratio": "9:21"}, {"aspect_ratio": "4:3"}, "aspect_ratio"),
    (STYLE_GUIDE, Task.STYLE_GUIDE, CONTROL, {"style": "pixel-art"}, {"style": "watercolour"}, "style"),
    (
        STYLE_TRANSFER,
        Task.STYLE_TRANSFER,
        TRANSFER,
        {"change_strength": 0.1},
        {"change_strength": 0.09},
        "change_strength",
    ),
    (
        STYLE_TRANSFER,
        Task.STYLE_TRANSFER,
        TRANSFER,
        {"change_strength": 1.0},
        {"change_strength": 1.1},
        "change_strength",
    ),
    (
        STYLE_TRANSFER,
        Task.STYLE_TRANSFER,
        TRANSFER,
        {"composition_fidelity": 0.0},
        {"composition_fidelity": -0.1},
        "composition_fidelity",
    ),
    (STYLE_TRANSFER, Task.STYLE_TRANSFER, TRANSFER, {"style_strength": 1.0}, {"style_strength": 1.1}, "style_strength"),
    (
        STYLE_TRANSFER,
        Task.STYLE_TRANSFER,
        {},
        {"style_image": png_image(64, 64)},
        {"style_image": png_image(63, 64)},
        "style_image",
    ),
    (
        STYLE_TRANSFER,
        Task.STYLE_TRANSFER,
        {},
        {"style_image": png_image(160, 64)},
        {"style_image": png_image(161, 64)},
        "style_image",
    ),
]


@pytest.mark.parametrize(("model_id", "task", "base", "ok", "past", "field"), EDGES)
def test_a_new_services_limit_holds_at_the_edge_and_fails_one_step_past_naming_the_field(
    model_id, task, base, ok, past, field
):
    build(model_id, task=task, **base, **ok)
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, task=task, **base, **past)
    assert caught.value.field == field
    assert caught.value.model_id == model_id


def test_a_style_image_over_the_pixel_limit_is_refused_naming_it():
    with pytest.raises(InvalidParameter) as caught:
        build(STYLE_TRANSFER, task=Task.STYLE_TRANSFER, style_image=png_header(4096, 2305))
    assert caught.value.field == "style_image" and "9,437,184 pixels" in caught.value.message


@pytest.mark.parametrize(
    ("model_id", "fields", "field", "words"),
    [
        (STYLE_TRANSFER, {"task": Task.STYLE_TRANSFER}, "style_image", "required for style-transfer"),
        (STYLE_TRANSFER, {"task": Task.STYLE_TRANSFER, "style_image": STYLE, "seed": 3}, "seed", "not supported"),
        (
            STYLE_TRANSFER,
            {"task": Task.STYLE_TRANSFER, "style_image": STYLE, "output_format": "jpeg"},
            "output_format",
            "",
        ),
        (SKETCH, {"task": Task.CONTROL_SKETCH}, "prompt", "required"),
        (SKETCH, {"task": Task.CONTROL_SKETCH, "prompt": "x", "fidelity": 0.5}, "fidelity", "not supported"),
        (STYLE_GUIDE, {"task": Task.STYLE_GUIDE, "prompt": "x", "control_strength": 0.5}, "control_strength", ""),
        (STYLE_GUIDE, {"task": Task.STYLE_GUIDE, "prompt": "x", "style_image": STYLE}, "style_image", ""),
    ],
)
def test_a_new_service_names_what_is_missing_or_not_taken(model_id, fields, field, words):
    with pytest.raises(InvalidParameter) as caught:
        build(model_id, **fields)
    assert caught.value.field == field and words in caught.value.message


def test_parameters_for_storage_hide_both_images_of_a_style_transfer():
    params = build(STYLE_TRANSFER, task=Task.STYLE_TRANSFER, style_image=STYLE).parameters()
    assert params == {
        "init_image": f"<base64 image, {len(b64(SOURCE))} chars>",
        "style_image": f"<base64 image, {len(b64(STYLE))} chars>",
    }
