"""POST /generate-image through the real handler, against a local S3 and a fake Bedrock."""

import dataclasses
from urllib.parse import parse_qs, urlparse

import pytest

from tests.fakes import VERDICT, client_error, converse_answer, scored, throttle

PROMPT = "a red fox sitting in fresh snow"


def test_generate_answers_like_the_original_with_an_integer_score_and_more(world):
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert set(body["evaluation_data"]) == {"description", "score", "reason", "suggestions"}
    assert body["evaluation_data"]["score"] == 8 and type(body["evaluation_data"]["score"]) is int
    assert body["url"].startswith("https://")
    assert body["model"] == "stability.stable-image-core-v1:1"
    assert isinstance(body["seed"], int)
    assert len(body["image_id"]) == 22
    assert body["evaluation"]["status"] == "done"
    assert body["evaluation"]["revised_prompt"] == VERDICT["revised_prompt"]
    assert (body["format"], body["width"], body["height"]) == ("png", 96, 64)
    assert body["estimated_cost_usd"] > 0.04


def test_the_verdict_answered_and_stored_carries_sub_scores_and_checklist_beside_the_original_four(world):
    _, body = world.generate({"prompt": PROMPT})
    stored = world.json_object(f"images/{body['image_id']}/evaluation.json")
    for verdict in (body["evaluation"], stored):
        assert set(verdict["sub_scores"]) == {"prompt_adherence", "visual_quality"}  # a generation's two
        assert verdict["sub_scores"]["visual_quality"] == VERDICT["sub_scores"]["visual_quality"]
        assert verdict["checklist"] == VERDICT["checklist"]
        assert verdict["score"] == 8
    assert set(body["evaluation_data"]) == {"description", "score", "reason", "suggestions"}


def test_generate_stores_the_image_its_metadata_and_its_verdict(world):
    _, body = world.generate({"prompt": PROMPT, "seed": 77, "aspect_ratio": "16:9"})
    image_id = body["image_id"]
    (entry,) = [key for key in world.stored_keys() if key.startswith("images/.newest/")]  # GET /images' index
    assert entry.endswith(f"-{image_id}")
    assert [key for key in world.stored_keys() if key != entry] == [
        f"images/{image_id}/evaluation.json",
        f"images/{image_id}/image.png",
        f"images/{image_id}/meta.json",
    ]
    stored = world.object(f"images/{image_id}/image.png")
    assert stored["ContentType"] == "image/png"
    assert stored["Body"].read().startswith(b"\x89PNG")
    meta = world.json_object(f"images/{image_id}/meta.json")
    assert meta["prompt"] == PROMPT
    assert meta["seed"] == 77
    assert meta["parameters"] == {"prompt": PROMPT, "aspect_ratio": "16:9", "seed": 77, "output_format": "png"}
    assert meta["lineage"] == {"parent_id": None, "root_id": image_id, "mode": None}
    assert meta["model_called"] == "stability.stable-image-core-v1:1"
    assert meta["estimated_cost_usd"]["image"] == 0.04
    assert "invoke" in meta["timings_ms"]
    verdict = world.json_object(f"images/{image_id}/evaluation.json")
    assert verdict["status"] == "done" and verdict["score"] == 8 and verdict["judge_model"] == "amazon.nova-lite-v1:0"


def test_the_pre_signed_url_is_sigv4_on_the_regional_endpoint_with_the_configured_expiry(world):
    _, body = world.generate({"prompt": PROMPT})
    url = urlparse(body["url"])
    query = parse_qs(url.query)
    assert url.netloc == "imagegen-test-images.s3.us-west-2.amazonaws.com"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["900"]
    assert url.path.endswith(f"images/{body['image_id']}/image.png")
    assert body["url_expires_at"].endswith("+00:00")


def test_size_is_translated_for_a_model_that_takes_aspect_ratios_and_reported(world):
    status, body = world.generate({"prompt": PROMPT, "size": "1920x1080"})
    assert status == 200
    assert body["translations"] == [
        {
            "field": "width",
            "given": "1920x1080",
            "used": "16:9",
            "note": "this model takes an aspect ratio, not a size: the nearest is used; the real size is read from the image",
        }
    ]
    assert world.bedrock.invocations[0]["body"].count('"aspect_ratio":"16:9"') == 1


def test_evaluate_false_skips_the_judge(world):
    status, body = world.generate({"prompt": PROMPT, "evaluate": False})
    assert status == 200
    assert body["evaluation"] == {"status": "not_requested"}
    assert body["evaluation_data"] is None
    assert world.bedrock.conversations == []


def test_a_caller_may_pick_another_model_and_judge_that_the_deployment_allows(world):
    status, body = world.generate(
        {
            "prompt": PROMPT,
            "model": "stability.stable-image-ultra-v1:1",
            "judge_model": "anthropic.claude-haiku-4-5-20251001-v1:0",
        }
    )
    assert status == 200
    assert body["model"] == "stability.stable-image-ultra-v1:1"
    assert world.bedrock.conversations[0]["modelId"] == "us.anthropic.claude-haiku-4-5-20251001-v1:0"


def test_a_model_the_deployment_does_not_allow_is_a_400_naming_the_field(world):
    status, body = world.generate({"prompt": PROMPT, "model": "stability.sd3-5-large-v1:0"})
    assert status == 400
    assert body["error"]["field"] == "model"
    assert "stability.stable-image-core-v1:1" in body["error"]["message"]
    assert world.bedrock.invocations == []


# --- nothing lost ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (
            client_error(
                "ValidationException",
                "Malformed input request: #: extraneous key [x] is not permitted",
                400,
                "Converse",
            ),
            "upstream_rejected_request",
        ),
        (
            client_error(
                "AccessDeniedException",
                "You don't have access to the model with the specified model ID.",
                403,
                "Converse",
            ),
            "model_access_denied",
        ),
        (converse_answer(VERDICT, stop="content_filtered"), "content_filtered"),
        (converse_answer(scored("ten")), "judge_answer_invalid"),
        (
            {
                "output": {"message": {"role": "assistant", "content": [{"text": "Looks great!"}]}},
                "stopReason": "end_turn",
            },
            "judge_answer_invalid",
        ),
    ],
    ids=["malformed", "access", "filtered", "bad-score", "free-text"],
)
def test_a_failing_judge_still_returns_and_stores_the_image(world, failure, code):
    world.bedrock.judge_outcomes = [failure]
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["url"] and body["image_id"]
    assert body["evaluation_data"] is None
    assert body["evaluation"]["status"] == "failed"
    assert body["evaluation"]["error"]["code"] == code
    assert f"images/{body['image_id']}/image.png" in world.stored_keys()
    assert world.json_object(f"images/{body['image_id']}/evaluation.json")["status"] == "failed"


def test_a_judge_that_keeps_throttling_is_handed_to_the_background(world):
    world.bedrock.judge_outcomes = [throttle("Converse")] * 10
    world.bedrock.judge_delay = 4.0
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert len(world.bedrock.conversations) >= 2  # it was retried first
    assert body["evaluation"]["status"] == "pending"
    assert world.scheduled == [(body["image_id"], "amazon.nova-lite-v1:0")]


def test_without_a_background_function_a_throttled_judge_fails_the_verdict_not_the_request(world):
    world.settings = dataclasses.replace(world.settings, evaluate_function=None)
    world.bedrock.judge_outcomes = [throttle("Converse")] * 10
    world.bedrock.judge_delay = 4.0
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["evaluation"]["status"] == "failed" and body["evaluation"]["error"]["code"] == "throttled"


def test_a_crashing_judge_still_returns_the_image(world):
    def crash(request):
        raise RuntimeError("bug in a dependency")

    world.bedrock.judge_outcomes = [crash]
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["evaluation"]["error"] == {"code": "internal_error", "message": "the evaluation failed unexpectedly"}


# --- the time budget ----------------------------------------------------------------------------------


def test_with_too_little_time_left_the_verdict_is_pending_and_finishes_in_the_background(world):
    world.bedrock.image_delay = 18.0  # a slow generation leaves 29 - 2 - 18 = 9 s, the judge needs 12
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["url"]
    assert body["evaluation"]["status"] == "pending"
    assert body["evaluation_data"] is None
    assert world.bedrock.conversations == []
    assert world.scheduled == [(body["image_id"], "amazon.nova-lite-v1:0")]
    _, before = world.describe(body["image_id"])
    assert before["evaluation"]["status"] == "pending"

    # the evaluate function, invoked asynchronously with the event the scheduler sent
    from imagegen.handlers import evaluate

    from tests.fakes import LambdaContext

    result = evaluate.make_handler(world.runtime)(
        {"image_id": body["image_id"], "judge_model": "amazon.nova-lite-v1:0"},
        LambdaContext(remaining_ms=60_000, clock=world.clock),
    )
    assert result == {"status": "done"}
    _, after = world.describe(body["image_id"])
    assert after["evaluation"]["status"] == "done"
    assert after["evaluation_data"]["score"] == 8


def test_when_the_background_evaluation_cannot_start_the_verdict_says_so(world):
    world.schedule_error = RuntimeError("lambda:InvokeFunction denied")
    world.bedrock.image_delay = 20.0
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["evaluation"]["status"] == "failed"
    assert body["evaluation"]["error"]["code"] == "evaluation_not_scheduled"


def test_throttling_is_retried_with_jittered_backoff(world):
    world.bedrock.image_outcomes = [throttle(), throttle()]
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert len(world.bedrock.invocations) == 3
    assert len(world.clock.slept) == 2
    assert 0 <= world.clock.slept[0] <= 0.5 and 0 <= world.clock.slept[1] <= 1.0


def test_throttling_past_the_time_budget_is_a_429(world):
    world.bedrock.image_outcomes = [throttle()] * 20
    world.bedrock.image_delay = 4.0
    response_status, body = world.generate({"prompt": PROMPT})
    assert response_status == 429
    assert body["error"]["code"] == "throttled"
    assert world.stored_keys() == []


def test_a_429_carries_retry_after(world):
    from imagegen.handlers import generate

    from tests.fakes import LambdaContext, api_event

    world.bedrock.image_outcomes = [throttle()] * 20
    world.bedrock.image_delay = 5.0
    response = generate.make_handler(world.runtime)(
        world.received(api_event("POST", "/generate-image", {"prompt": PROMPT})), LambdaContext(clock=world.clock)
    )
    assert response["statusCode"] == 429
    assert response["headers"]["Retry-After"] == "5"
    assert response["headers"]["X-Request-Id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
