"""POST /modify-image in the four Stability modes (control-sketch, control-structure, style-guide,
style-transfer) through the real handlers: the body each sends, the edit it stores, and a bad
input of each refused as a 400 naming the field before any call."""

import base64
import json

import pytest
from imagegen import png

PROMPT = "a red fox sitting in fresh snow"
UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA"


def sent(world):
    return json.loads(world.bedrock.invocations[-1]["body"])


def stored_bytes(world, image_id):
    return world.object(f"images/{image_id}/image.png")["Body"].read()


@pytest.mark.parametrize(
    ("mode", "model", "fields", "expected", "judge_prompt"),
    [
        (
            "control-sketch",
            "stability.stable-image-control-sketch-v1:0",
            {"prompt": "a castle on a cliff", "control_strength": 0.8, "style": "line-art"},
            {"prompt": "a castle on a cliff", "control_strength": 0.8, "style_preset": "line-art"},
            "a castle on a cliff; drawn after the lines of a sketch",
        ),
        (
            "control-structure",
            "stability.stable-image-control-structure-v1:0",
            {"prompt": "a stone statue of a fox", "control_strength": 0.3, "negative_prompt": "blur"},
            {"prompt": "a stone statue of a fox", "control_strength": 0.3, "negative_prompt": "blur"},
            f"a stone statue of a fox; with the structure of: {PROMPT}",
        ),
        (
            "style-guide",
            "stability.stable-image-style-guide-v1:0",
            {"prompt": "a lighthouse at dusk", "fidelity": 0.7, "aspect_ratio": "16:9"},
            {"prompt": "a lighthouse at dusk", "fidelity": 0.7, "aspect_ratio": "16:9"},
            f"a lighthouse at dusk; in the style of: {PROMPT}",
        ),
    ],
)
def test_a_control_or_style_guide_mode_sends_the_stored_image_and_stores_the_edit(
    world, image_id, mode, model, fields, expected, judge_prompt
):
    status, body = world.modify({"image_id": image_id, "mode": mode, "seed": 12, **fields})
    assert status == 200, body
    assert (body["parent_id"], body["mode"], body["model"], body["seed"]) == (image_id, mode, model, 12)
    call = sent(world)
    assert base64.b64decode(call.pop("image")) == stored_bytes(world, image_id)
    assert call == {**expected, "seed": 12, "output_format": "png"}
    assert world.bedrock.invocations[-1]["modelId"] == f"us.{model}"
    meta = world.json_object(f"images/{body['image_id']}/meta.json")
    assert meta["lineage"] == {"parent_id": image_id, "root_id": image_id, "mode": mode}
    assert meta["judge_prompt"] == judge_prompt
    assert world.json_object(f"images/{image_id}/edits/{body['image_id']}.json")["mode"] == mode


def test_style_transfer_takes_a_stored_image_as_the_style_by_its_id(world, image_id):
    _, style = world.generate({"prompt": "a watercolour of a harbour", "evaluate": False})
    status, body = world.modify(
        {"image_id": image_id, "mode": "style-transfer", "style_image_id": style["image_id"], "change_strength": 0.6}
    )
    assert status == 200, body
    assert (body["mode"], body["model"]) == ("style-transfer", "stability.stable-style-transfer-v1:0")
    call = sent(world)
    assert base64.b64decode(call["init_image"]) == stored_bytes(world, image_id)
    assert base64.b64decode(call["style_image"]) == stored_bytes(world, style["image_id"])
    assert {k: v for k, v in call.items() if not k.endswith("image")} == {"change_strength": 0.6}
    meta = world.json_object(f"images/{body['image_id']}/meta.json")
    assert meta["parameters"]["style_image"].startswith("<base64 image")
    assert meta["judge_prompt"] == f"{PROMPT}; restyled after a style image"


def test_style_transfer_takes_the_style_image_as_base64(world, image_id):
    style = png.solid(128, 96, (10, 20, 200))
    status, body = world.modify(
        {
            "image_id": image_id,
            "mode": "style-transfer",
            "style_image": base64.b64encode(style).decode(),
            "prompt": "oil paint",
            "composition_fidelity": 0.9,
            "style_strength": 1,
        }
    )
    assert status == 200, body
    call = sent(world)
    assert base64.b64decode(call["style_image"]) == style
    assert (call["prompt"], call["composition_fidelity"], call["style_strength"]) == ("oil paint", 0.9, 1)


STYLE_B64 = base64.b64encode(png.solid(96, 96, (10, 20, 200))).decode()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"mode": "control-sketch", "prompt": "x", "control_strength": 1.5}, 400, "control_strength"),
        ({"mode": "control-structure", "control_strength": 0.5}, 400, "prompt"),
        ({"mode": "control-structure", "prompt": "x", "control_strength": -0.1}, 400, "control_strength"),
        ({"mode": "style-guide", "prompt": "x", "aspect_ratio": "4:3"}, 400, "aspect_ratio"),
        ({"mode": "style-guide", "prompt": "x", "fidelity": 2}, 400, "fidelity"),
        ({"mode": "style-transfer"}, 400, "style_image"),
        ({"mode": "style-transfer", "style_image": STYLE_B64, "change_strength": 0.05}, 400, "change_strength"),
        ({"mode": "style-transfer", "style_image": STYLE_B64, "seed": 4}, 400, "seed"),
        ({"mode": "style-transfer", "style_image": "***"}, 400, "style_image"),
        ({"mode": "style-transfer", "style_image_id": "../etc"}, 400, "style_image_id"),
        ({"mode": "style-transfer", "style_image_id": UNKNOWN_ID}, 404, None),
        ({"mode": "control-sketch", "prompt": "x", "style_image": STYLE_B64}, 400, "style_image"),
    ],
)
def test_a_bad_input_of_each_new_mode_is_refused_before_any_call_naming_the_field(world, image_id, body, status, field):
    calls = len(world.bedrock.invocations)
    got, answer = world.modify({"image_id": image_id, **body})
    assert (got, answer["error"].get("field")) == (status, field), answer
    assert len(world.bedrock.invocations) == calls


def test_style_transfer_with_both_a_stored_and_a_sent_style_image_is_refused(world, image_id):
    status, answer = world.modify(
        {"image_id": image_id, "mode": "style-transfer", "style_image_id": image_id, "style_image": STYLE_B64}
    )
    assert (status, answer["error"]["field"]) == (400, "style_image_id")
    assert "not both" in answer["error"]["message"]
