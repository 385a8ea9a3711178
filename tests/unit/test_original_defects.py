"""The original pipeline's defects (../shared/reference/original-pipeline.md) that the core
library fixes. Defects 5-9 and 11 concern storage, the stack and the handlers, and are tested
with them."""

import base64
import json
import random
from datetime import date

import pytest
from imagegen.errors import ContentFiltered, ImageGenError, ModelRetired, Throttled, UpstreamFailure
from imagegen.models import registry
from imagegen.models.bedrock_errors import from_error_code
from imagegen.models.contracts import BuiltRequest
from imagegen.models.images import build_request, parse_response
from imagegen.models.judge import build_judge_request, parse_judge_response
from imagegen.models.request import ImageRequest

from tests.imagefactory import png_image

TITAN = "amazon.titan-image-generator-v2:0"
PNG = png_image(32, 32)


def test_defect_1_the_judge_body_is_not_anthropic_specific_and_the_score_is_an_int():
    request = build_judge_request("amazon.nova-lite-v1:0", PNG, "a fox")
    flat = json.dumps(request, default=lambda b: "<bytes>")
    assert "anthropic_version" not in flat and "media_type" not in flat
    # Nova Lite answering in free text with string scores, as it did to the original:
    answer = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {
                        "text": json.dumps(
                            {
                                "description": "d",
                                "sub_scores": {
                                    "prompt_adherence": {"score": "6", "reason": "r"},
                                    "visual_quality": {"score": "6/10", "reason": "r"},
                                },
                                "checklist": [{"element": "a fox", "status": "present", "note": "n"}],
                                "reason": "r",
                                "suggestions": "s",
                                "revised_prompt": "p",
                            }
                        )
                    }
                ],
            }
        },
        "stopReason": "end_turn",
        "usage": {"inputTokens": 1, "outputTokens": 1},
    }
    verdict = parse_judge_response(answer, "amazon.nova-lite-v1:0")
    assert verdict.score == 6 and type(verdict.score) is int


@pytest.mark.parametrize(
    ("code", "text", "kind", "status"),
    [
        ("ValidationException", "This request has been blocked by our content filters.", ContentFiltered, 422),
        ("ThrottlingException", "Too many requests, please wait before trying again.", Throttled, 429),
    ],
)
def test_defect_2_a_filter_block_or_a_throttle_is_a_typed_error_with_its_own_status(code, text, kind, status):
    error = from_error_code(code, text, TITAN)
    assert isinstance(error, kind) and error.http_status == status


def test_defect_2_bad_json_from_the_judge_is_a_typed_error_not_a_crash():
    answer = {"output": {"message": {"content": [{"text": '{"score": 7, "description": '}]}}, "stopReason": "end_turn"}
    with pytest.raises(ImageGenError) as caught:
        parse_judge_response(answer, "amazon.nova-lite-v1:0")
    assert caught.value.code == "judge_answer_invalid"


def test_defect_3_titan_error_field_with_no_images_raises_instead_of_reading_images_0():
    built = BuiltRequest(TITAN, {"imageGenerationConfig": {"numberOfImages": 1}}, 1, quality=None, size=None)
    with pytest.raises(ContentFiltered):
        parse_response(
            TITAN,
            json.dumps({"images": [], "error": "The generated image has been blocked by our content filters."}),
            built,
        )
    with pytest.raises(UpstreamFailure):
        parse_response(TITAN, json.dumps({"error": "something else"}), built)


def test_defect_4_png_bytes_are_sent_to_the_judge_as_png():
    image_block = build_judge_request("anthropic.claude-haiku-4-5-20251001-v1:0", PNG, "a fox")["messages"][0][
        "content"
    ][0]
    assert image_block["image"]["format"] == "png"
    generated = parse_response(
        TITAN,
        json.dumps({"images": [base64.b64encode(PNG).decode()]}),
        BuiltRequest(TITAN, {}, 3, quality=None, size=None),
    ).images[0]
    assert generated.format == "png"


def test_defect_10_seed_and_cfg_scale_are_explicit_returned_and_reproducible():
    first = build_request(
        TITAN, ImageRequest(prompt="a fox", width=768, height=1280), rng=random.Random(1), allow_retired=True
    )
    assert first.seed is not None and first.body["imageGenerationConfig"]["seed"] == first.seed
    assert first.body["imageGenerationConfig"]["cfgScale"] == 8.0
    again = build_request(
        TITAN, ImageRequest(prompt="a fox", width=768, height=1280, seed=first.seed), allow_retired=True
    )
    assert again.body == first.body


def test_defect_12_the_original_image_models_are_retired_and_name_an_active_successor():
    today = date(2026, 11, 24)
    for model_id in (TITAN, "amazon.nova-canvas-v1:0"):
        record = registry.get(model_id)
        with pytest.raises(ModelRetired):
            record.check_callable(today)
        assert registry.get(record.successor).lifecycle.state(today) == "active"
