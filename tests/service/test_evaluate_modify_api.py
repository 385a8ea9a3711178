"""POST /evaluate-image, POST /modify-image and GET /images/{id} through the real handlers."""

import base64
import json

import pytest
from imagegen import png

from tests.fakes import VERDICT, client_error, scored, throttle
from tests.service.conftest import BUCKET

PROMPT = "a red fox sitting in fresh snow"
UNKNOWN_ID = "AAAAAAAAAAAAAAAAAAAAAA"


# --- evaluate -------------------------------------------------------------------------------------


def test_evaluate_judges_a_stored_image_against_its_prompt_and_stores_the_verdict(world, image_id):
    status, body = world.evaluate({"image_id": image_id})
    assert status == 200
    assert body["evaluation_data"] == {"score": 8, **{k: VERDICT[k] for k in ("description", "reason", "suggestions")}}
    assert body["evaluation"]["status"] == "done"
    sent = world.bedrock.conversations[0]
    assert json.dumps(PROMPT) in sent["messages"][0]["content"][1]["text"]
    assert sent["messages"][0]["content"][0]["image"]["format"] == "png"
    assert world.json_object(f"images/{image_id}/evaluation.json")["score"] == 8


def test_evaluate_with_another_allowed_judge(world, image_id):
    world.bedrock.verdict = scored(6)
    status, body = world.evaluate({"image_id": image_id, "judge_model": "anthropic.claude-haiku-4-5-20251001-v1:0"})
    assert status == 200 and body["evaluation"]["score"] == 6
    assert body["evaluation"]["judge_model"] == "anthropic.claude-haiku-4-5-20251001-v1:0"


def test_evaluate_failure_is_its_error_status_and_the_failed_verdict_is_stored(world, image_id):
    world.bedrock.judge_outcomes = [throttle("Converse")] * 20
    world.bedrock.judge_delay = 5.0
    status, body = world.evaluate({"image_id": image_id})
    assert (status, body["error"]["code"]) == (429, "throttled")
    assert world.json_object(f"images/{image_id}/evaluation.json")["status"] == "failed"


def test_a_failed_re_evaluation_is_answered_but_keeps_the_done_verdict(world, image_id):
    world.evaluate({"image_id": image_id})
    world.bedrock.judge_outcomes = [throttle("Converse")] * 20
    world.bedrock.judge_delay = 5.0
    status, body = world.evaluate({"image_id": image_id})
    assert (status, body["error"]["code"]) == (429, "throttled")
    stored = world.json_object(f"images/{image_id}/evaluation.json")
    assert (stored["status"], stored["score"]) == ("done", 8)
    assert (stored["last_attempt"]["status"], stored["last_attempt"]["error"]["code"]) == ("failed", "throttled")
    _, described = world.describe(image_id)
    assert described["evaluation_data"]["score"] == 8


def test_an_image_whose_generation_model_left_the_registry_is_still_judged(world, image_id):
    key = f"images/{image_id}/meta.json"
    meta = world.json_object(key)
    world.s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps({**meta, "model": "stability.gone-image-v1:0"}))
    status, body = world.evaluate({"image_id": image_id})
    assert (status, body["evaluation"]["status"]) == (200, "done")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"image_id": UNKNOWN_ID}, 404, "image_not_found"),
        ({"image_id": "../../etc/passwd"}, 400, "invalid_parameter"),
        ({}, 400, "invalid_parameter"),
        ({"image_id": UNKNOWN_ID, "extra": 1}, 400, "invalid_parameter"),
    ],
)
def test_evaluate_refuses_unknown_and_malformed_ids(world, body, status, code):
    got, answer = world.evaluate(body)
    assert (got, answer["error"]["code"]) == (status, code)


# --- describe ---------------------------------------------------------------------------------------


def test_describe_returns_metadata_a_fresh_url_the_verdict_and_the_edits(world, image_id):
    world.evaluate({"image_id": image_id})
    world.modify({"image_id": image_id, "mode": "replace", "prompt": "a grey wolf", "mask_prompt": "the fox"})
    status, body = world.describe(image_id)
    assert status == 200
    assert body["meta"]["prompt"] == PROMPT
    assert "X-Amz-Signature=" in body["url"]
    assert body["evaluation_data"]["score"] == 8
    assert [(e["mode"], e["prompt"]) for e in body["edits"]] == [("replace", "a grey wolf")]
    assert "X-Amz-Signature=" in body["edits"][0]["url"]


def test_describe_before_any_evaluation_says_not_requested(world, image_id):
    _, body = world.describe(image_id)
    assert body["evaluation"] == {"status": "not_requested"} and body["evaluation_data"] is None and body["edits"] == []


@pytest.mark.parametrize(
    ("image", "status", "code"),
    [
        (UNKNOWN_ID, 404, "image_not_found"),
        ("short", 400, "invalid_parameter"),
        ("A" * 22 + "\n", 400, "invalid_parameter"),
    ],
)
def test_describe_unknown_or_malformed_id(world, image, status, code):
    got, answer = world.describe(image)
    assert (got, answer["error"]["code"]) == (status, code)


# --- modify ---------------------------------------------------------------------------------------------


def test_modify_stores_an_edit_linked_to_its_parent(world, image_id):
    mask = png.encode(png.Raster(96, 64, "L", tuple(bytes([255] * 40 + [0] * 56) for _ in range(64))))
    status, body = world.modify(
        {
            "image_id": image_id,
            "mode": "inpaint",
            "prompt": "a straw hat",
            "mask_image": base64.b64encode(mask).decode(),
            "seed": 5,
        }
    )
    assert status == 200
    edit_id = body["image_id"]
    assert (body["parent_id"], body["mode"], body["model"], body["seed"]) == (
        image_id,
        "inpaint",
        "stability.stable-image-inpaint-v1:0",
        5,
    )
    assert "X-Amz-Signature=" in body["url"]
    assert body["evaluation"] == {"status": "not_requested"}
    meta = world.json_object(f"images/{edit_id}/meta.json")
    assert meta["lineage"] == {"parent_id": image_id, "root_id": image_id, "mode": "inpaint"}
    assert meta["model_called"] == "us.stability.stable-image-inpaint-v1:0"
    assert meta["parameters"]["mask"].startswith("<base64 image")
    assert world.json_object(f"images/{image_id}/edits/{edit_id}.json")["mode"] == "inpaint"
    sent = json.loads(world.bedrock.invocations[-1]["body"])
    assert base64.b64decode(sent["image"]) == world.object(f"images/{image_id}/image.png")["Body"].read()


def test_an_edit_of_an_edit_keeps_the_root(world, image_id):
    _, first = world.modify({"image_id": image_id, "mode": "recolor", "prompt": "blue", "mask_prompt": "the fox"})
    _, second = world.modify({"image_id": first["image_id"], "mode": "upscale"})
    meta = world.json_object(f"images/{second['image_id']}/meta.json")
    assert meta["lineage"] == {"parent_id": first["image_id"], "root_id": image_id, "mode": "upscale"}
    # an upscale shows the same picture as its parent, a recolour of the root's prompt
    assert meta["judge_prompt"] == f"{PROMPT}; with the fox recoloured: blue"


def test_variation_gets_the_configured_strength_when_none_is_given(world, image_id):
    status, _ = world.modify({"image_id": image_id, "mode": "variation", "prompt": "in winter"})
    assert status == 200
    sent = json.loads(world.bedrock.invocations[-1]["body"])
    assert (sent["mode"], sent["strength"]) == ("image-to-image", 0.5)


def test_modify_can_judge_the_edit_when_asked(world, image_id):
    status, body = world.modify(
        {"image_id": image_id, "mode": "replace", "prompt": "a wolf", "mask_prompt": "the fox", "evaluate": True}
    )
    assert status == 200 and body["evaluation_data"]["score"] == 8


def _asked_sub_scores(conversation):
    schema = conversation["toolConfig"]["tools"][0]["toolSpec"]["inputSchema"]["json"]
    return schema["properties"]["sub_scores"]["required"]


def test_an_edit_is_judged_for_its_change_and_what_it_kept_and_a_generation_is_not(world, image_id):
    world.evaluate({"image_id": image_id})
    _, body = world.modify(
        {"image_id": image_id, "mode": "replace", "prompt": "a wolf", "mask_prompt": "the fox", "evaluate": True}
    )
    generation, edit = world.bedrock.conversations
    assert _asked_sub_scores(generation) == ["prompt_adherence", "visual_quality"]
    assert _asked_sub_scores(edit) == ["edit_success", "preservation", "prompt_adherence", "visual_quality"]
    stored = world.json_object(f"images/{body['image_id']}/evaluation.json")
    assert set(stored["sub_scores"]) == {"edit_success", "preservation", "prompt_adherence", "visual_quality"}


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"mode": "inpaint", "prompt": "x"}, 400, "image_id"),
        ({"image_id": None, "mode": "sharpen", "prompt": "x"}, 400, "mode"),
        ({"image_id": None, "mode": "generate", "prompt": "x"}, 400, "mode"),
        ({"image_id": None, "mode": "inpaint", "prompt": "x", "mask_image": "***"}, 400, "mask_image"),
        ({"image_id": None, "mode": "inpaint", "prompt": "x"}, 400, "mask_image"),
        ({"image_id": None, "mode": "replace", "prompt": "x"}, 400, "mask_prompt"),
        ({"image_id": None, "mode": "outpaint", "margins": {"left": 5000}}, 400, "margins.left"),
        ({"image_id": None, "mode": "erase", "model": "amazon.nova-canvas-v1:0"}, 400, "model"),
    ],
)
def test_modify_bad_input_is_a_400_naming_the_field(world, image_id, body, status, field):
    if "image_id" in body:
        body = {**body, "image_id": image_id}
    got, answer = world.modify(body)
    assert (got, answer["error"].get("field")) == (status, field)


def test_an_invalid_base64_mask_is_not_echoed(world, image_id):
    mask = "not*base64" * 50
    status, answer = world.modify({"image_id": image_id, "mode": "inpaint", "prompt": "x", "mask_image": mask})
    assert (status, answer["error"]["value"]) == (400, "<500 characters>")


def test_modify_an_unknown_image_is_a_404(world):
    status, answer = world.modify({"image_id": UNKNOWN_ID, "mode": "upscale"})
    assert (status, answer["error"]["code"]) == (404, "image_not_found")


def test_modify_filtered_is_a_422_and_the_parent_is_untouched(world, image_id):
    before = world.stored_keys()
    world.bedrock.image_outcomes = [{"seeds": [1], "finish_reasons": ["Filter reason: input image"]}]
    status, answer = world.modify({"image_id": image_id, "mode": "upscale"})
    assert (status, answer["error"]["code"], answer["error"]["stage"]) == (422, "content_filtered", "input_image")
    assert world.stored_keys() == before


def test_judge_failure_on_modify_keeps_the_edit(world, image_id):
    world.bedrock.judge_outcomes = [
        client_error(
            "ModelErrorException", "The model produced an invalid sequence as part of ToolUse.", 424, "Converse"
        )
    ]
    status, body = world.modify({"image_id": image_id, "mode": "upscale", "evaluate": True})
    assert status == 200 and body["evaluation"]["status"] == "failed"
    assert f"images/{body['image_id']}/image.png" in world.stored_keys()


def test_judge_text_answer_with_string_score_is_an_int_through_the_api(world, image_id):
    text = json.dumps(scored("9/10"))
    world.bedrock.judge_outcomes = [
        {
            "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
            "stopReason": "end_turn",
            "usage": {"inputTokens": 5, "outputTokens": 5, "totalTokens": 10},
        }
    ]
    status, body = world.evaluate({"image_id": image_id})
    assert status == 200 and body["evaluation_data"]["score"] == 9
    assert body["evaluation"]["answered_with"] == "text"
