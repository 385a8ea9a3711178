"""The original pipeline's defects 1-5 and 10 (original-pipeline.md), shown through the API with
the `original` profile: Titan v2, Nova Canvas and Nova Lite in us-east-1."""

import base64
import json
from urllib.parse import parse_qs, urlparse

import pytest
from imagegen import png

from tests.service.conftest import BUCKET

PROMPT = "a red fox sitting in fresh snow"


@pytest.fixture
def original(original_world):
    return original_world


def test_defect_1_nova_lite_judges_with_a_vendor_neutral_call_and_the_score_is_an_int(original):
    status, body = original.generate({"prompt": PROMPT})
    assert status == 200 and type(body["evaluation_data"]["score"]) is int
    call = original.bedrock.conversations[0]
    assert call["modelId"] == "amazon.nova-lite-v1:0"
    assert "anthropic_version" not in json.dumps(call, default=str)


@pytest.mark.parametrize(
    ("judge_answer", "code"),
    [
        (
            {
                "output": {"message": {"role": "assistant", "content": [{"text": '{"score": 7, "description": '}]}},
                "stopReason": "end_turn",
            },
            "judge_answer_invalid",
        )
    ],
)
def test_defect_2_bad_json_from_the_judge_is_not_a_bare_502(original, judge_answer, code):
    original.bedrock.judge_outcomes = [judge_answer]
    status, body = original.generate({"prompt": PROMPT})
    assert status == 200 and body["evaluation"]["error"]["code"] == code


def test_defect_2_and_3_titans_error_field_with_no_image_is_a_clear_422(original):
    original.bedrock.image_outcomes = [
        {"images": [], "error": "The generated image has been blocked by our content filters."}
    ]
    status, body = original.generate({"prompt": PROMPT})
    assert status == 422
    assert body["error"]["code"] == "content_filtered" and body["error"]["stage"] == "output"


def test_defect_4_png_is_stored_and_judged_as_png(original):
    _, body = original.generate({"prompt": PROMPT})
    assert original.object(f"images/{body['image_id']}/image.png")["ContentType"] == "image/png"
    assert original.bedrock.conversations[0]["messages"][0]["content"][0]["image"]["format"] == "png"


def test_defect_5_urls_are_sigv4_on_the_us_east_1_regional_host_with_the_configured_expiry(original):
    _, body = original.generate({"prompt": PROMPT})
    url = urlparse(body["url"])
    assert url.netloc == f"{BUCKET}.s3.us-east-1.amazonaws.com"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["900"]
    assert "Signature" not in query  # no SigV2


def test_defect_10_seed_and_cfg_scale_are_explicit_returned_and_stored(original):
    _, body = original.generate({"prompt": PROMPT, "size": "768x1280"})
    sent = json.loads(original.bedrock.invocations[0]["body"])
    config = sent["imageGenerationConfig"]
    assert config["seed"] == body["seed"]
    assert config["cfgScale"] == 8.0 and (config["width"], config["height"]) == (768, 1280)
    meta = original.json_object(f"images/{body['image_id']}/meta.json")
    assert meta["parameters"]["imageGenerationConfig"] == config
    _, again = original.generate({"prompt": PROMPT, "size": "768x1280", "seed": body["seed"]})
    assert json.loads(original.bedrock.invocations[-1]["body"]) == sent  # the same request again


def test_the_original_profile_modifies_with_nova_canvas(original):
    _, body = original.generate({"prompt": PROMPT, "evaluate": False})
    status, edit = original.modify(
        {"image_id": body["image_id"], "mode": "inpaint", "prompt": "a hat", "mask_prompt": "the head"}
    )
    # the fake's 64x64 image is below Canvas's 320 px minimum: the builder says so before any call
    assert (status, edit["error"]["field"]) == (400, "images")
    original.bedrock.size = (384, 320)
    _, body = original.generate({"prompt": PROMPT, "evaluate": False})
    status, edit = original.modify(
        {"image_id": body["image_id"], "mode": "inpaint", "prompt": "a hat", "mask_prompt": "the head"}
    )
    assert status == 200 and edit["model"] == "amazon.nova-canvas-v1:0"
    assert json.loads(original.bedrock.invocations[-1]["body"])["taskType"] == "INPAINTING"


def test_count_above_one_stores_judges_and_returns_every_image(original):
    status, body = original.generate({"prompt": PROMPT, "count": 3, "quality": "premium"})
    assert status == 200
    assert len(body["images"]) == 3
    assert body["images"][0]["image_id"] == body["image_id"]
    assert len({i["image_id"] for i in body["images"]}) == 3
    assert all(i["evaluation"]["status"] == "done" for i in body["images"])
    assert len(original.bedrock.conversations) == 3
    meta = original.json_object(f"images/{body['images'][2]['image_id']}/meta.json")
    assert meta["batch"] == {"index": 2, "ids": [i["image_id"] for i in body["images"]]}
    assert meta["estimated_cost_usd"]["image"] == 0.01  # Titan premium, per image


def test_colour_guided_generation_is_reachable_from_post_generate_image(original):
    reference = png.solid(64, 64, (20, 120, 200))
    status, body = original.generate(
        {
            "prompt": "a poster of a fox",
            "colors": ["#ff9800", "#000000"],
            "reference_image": base64.b64encode(reference).decode(),
            "evaluate": False,
        }
    )
    assert status == 200, body
    sent = json.loads(original.bedrock.invocations[-1]["body"])
    assert sent["taskType"] == "COLOR_GUIDED_GENERATION"
    assert sent["colorGuidedGenerationParams"] == {
        "text": "a poster of a fox",
        "colors": ["#FF9800", "#000000"],
        "referenceImage": base64.b64encode(reference).decode(),
    }
    meta = original.json_object(f"images/{body['image_id']}/meta.json")
    assert meta["parameters"]["colorGuidedGenerationParams"]["colors"] == ["#FF9800", "#000000"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"colors": "#ff9800"}, "colors"),
        ({"colors": ["#ff9800"], "reference_image": "***"}, "reference_image"),
        ({"reference_image": base64.b64encode(png.solid(64, 64, (0, 0, 0))).decode()}, "reference_image"),
    ],
    ids=["colours-not-a-list", "reference-not-base64", "reference-without-colours"],
)
def test_colour_guided_generation_refuses_what_it_cannot_use_naming_the_field(original, extra, field):
    status, body = original.generate({"prompt": "a poster", "evaluate": False, **extra})
    assert (status, body["error"]["field"]) == (400, field)
    assert original.bedrock.invocations == []
