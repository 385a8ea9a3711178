"""Every error is JSON {"error": {"code", "message"}} with the right status; bad input is a
4xx naming the field, never a 500; error bodies and logs carry no prompt text the caller did
not send in that field, and no image bytes."""

import base64
import dataclasses
import json

import pytest
from imagegen import png
from imagegen.errors import ConfigurationError
from imagegen.handlers import generate

from tests.fakes import LambdaContext, api_event, client_error

PROMPT = "a red fox sitting in fresh snow"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "prompt"),
        ({"prompt": ""}, "prompt"),
        ({"prompt": 42}, "prompt"),
        ({"prompt": PROMPT, "colour": "red"}, "colour"),
        ({"prompt": PROMPT, "seed": "seven"}, "seed"),
        ({"prompt": PROMPT, "seed": 4294967295}, "seed"),
        ({"prompt": PROMPT, "count": 2}, "count"),
        ({"prompt": PROMPT, "size": "big"}, "size"),
        ({"prompt": PROMPT, "size": "1024x1024", "width": 1024}, "size"),
        ({"prompt": PROMPT, "aspect_ratio": "4:3"}, "aspect_ratio"),
        ({"prompt": PROMPT, "evaluate": "yes"}, "evaluate"),
        ({"prompt": PROMPT, "model": 5}, "model"),
        ({"prompt": PROMPT, "quality": "premium"}, "quality"),
        ({"prompt": "p" * 10001}, "prompt"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, body, field):
    status, answer = world.generate(body)
    assert status == 400
    assert answer["error"]["field"] == field
    assert set(answer["error"]) >= {"code", "message"}
    assert world.bedrock.invocations == []


@pytest.mark.parametrize(
    ("raw", "base64_body", "message"),
    [
        ("{not json", False, "not valid JSON"),
        ("[1, 2]", False, "must be a JSON object"),
        ("%%%", True, "base64"),
        ("[" * 50_000, False, "not valid JSON"),
    ],
)
def test_a_body_that_is_not_a_json_object_is_a_400(world, raw, base64_body, message):
    event = api_event("POST", "/generate-image", raw_body=raw)
    if base64_body:
        event["isBase64Encoded"] = True
    status, answer = world.call(generate, event)
    assert status == 400
    assert message in answer["error"]["message"]


def test_a_base64_encoded_body_is_accepted(world):
    status, _ = world.call(generate, api_event("POST", "/generate-image", {"prompt": PROMPT}, base64_body=True))
    assert status == 200


def test_an_unknown_route_is_a_404(world):
    status, answer = world.call(generate, api_event("DELETE", "/generate-image", {}))
    assert (status, answer["error"]["code"]) == (404, "no_such_route")


@pytest.mark.parametrize(
    ("outcome", "status", "code"),
    [
        (
            client_error(
                "ValidationException",
                "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.",
            ),
            422,
            "content_filtered",
        ),
        ({"seeds": [1], "finish_reasons": ["Filter reason: output image"]}, 422, "content_filtered"),
        (
            client_error(
                "AccessDeniedException", "You don't have access to the model with the specified model ID.", 403
            ),
            503,
            "model_access_denied",
        ),
        (
            client_error("ResourceNotFoundException", "This model version has reached the end of its life.", 404),
            503,
            "model_retired",
        ),
        (
            client_error(
                "ValidationException", "Malformed input request: #: extraneous key [cfg_scale] is not permitted"
            ),
            502,
            "upstream_rejected_request",
        ),
        (client_error("ModelTimeoutException", "Model timed out", 408), 504, "upstream_timeout"),
        (client_error("InternalServerException", "Internal error", 500), 502, "upstream_failure"),
        ({"seeds": [1], "finish_reasons": ["Inference error"]}, 502, "upstream_failure"),
        (b"not json at all", 502, "upstream_failure"),
    ],
    ids=[
        "filtered-prompt",
        "filtered-output",
        "access",
        "retired",
        "malformed",
        "timeout",
        "internal",
        "inference-error",
        "not-json",
    ],
)
def test_each_bedrock_failure_has_its_status_and_code(world, outcome, status, code):
    world.bedrock.image_outcomes = [outcome]
    got, answer = world.generate({"prompt": PROMPT})
    assert (got, answer["error"]["code"]) == (status, code)
    assert "upstream" not in answer["error"]
    assert world.stored_keys() == []  # nothing half-written


def test_a_storage_failure_is_a_503(world):
    world.s3.delete_bucket(Bucket="imagegen-test-images")
    status, answer = world.generate({"prompt": PROMPT})
    assert (status, answer["error"]["code"]) == (503, "image_not_stored")  # the image made comes back inline
    assert answer["error"]["images"][0]["inline"] is True


def test_a_configuration_error_is_a_500_with_its_code():
    def broken():
        raise ConfigurationError("no image bucket configured: set IMAGEGEN_BUCKET")

    response = generate.make_handler(broken)(api_event("POST", "/generate-image", {"prompt": PROMPT}), LambdaContext())
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["error"] == {
        "code": "configuration_error",
        "message": "no image bucket configured: set IMAGEGEN_BUCKET",
    }


def test_an_unexpected_crash_is_a_500_that_names_only_the_request_id(world, monkeypatch):
    from imagegen.pipeline import Pipeline

    def boom(self, given, deadline):
        raise KeyError(given.request.prompt)  # an arbitrary exception may quote the request

    monkeypatch.setattr(Pipeline, "generate", boom)
    status, answer = world.generate({"prompt": PROMPT})
    assert status == 500
    assert answer == {
        "error": {
            "code": "internal_error",
            "message": "internal error; quote request id c6af9ac6-7b61-11e6-9a41-93e8deadbeef when reporting it",
        }
    }
    (crash,) = [line for line in world.log_lines() if line["event"] == "request_crashed"]
    assert crash["error"] == "KeyError"
    assert "in boom" in crash["trace"]  # where it was raised, for the one who fixes it


def test_a_crash_is_logged_by_type_and_frames_without_its_message_which_may_quote_the_prompt(world, monkeypatch):
    from imagegen.pipeline import Pipeline

    def boom(self, given, deadline):
        raise ValueError(f"cannot use {given.request.prompt!r}") from KeyError(given.request.prompt)

    monkeypatch.setattr(Pipeline, "generate", boom)
    status, _ = world.generate({"prompt": PROMPT})
    assert status == 500
    assert [line["error"] for line in world.log_lines() if line["event"] == "request_crashed"] == ["ValueError"]
    assert PROMPT not in world.logs.getvalue()


def test_logs_are_json_lines_with_the_request_id_and_no_prompt_text(world):
    world.generate({"prompt": PROMPT})
    lines = world.log_lines()
    assert {"request", "image_generated", "images_stored", "response"} <= {line["event"] for line in lines}
    assert all(line["request_id"] == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef" for line in lines)
    assert PROMPT not in world.logs.getvalue()


def test_an_error_echoes_no_image_bytes_and_no_other_prompt(world):
    mask = base64.b64encode(b"\x89PNG" + bytes(5000)).decode()
    status, answer = world.modify(
        {"image_id": "A" * 22, "mode": "inpaint", "prompt": "secret words", "mask_image": mask}
    )
    assert status == 404
    text = json.dumps(answer)
    assert "secret words" not in text and mask[:40] not in text


@pytest.mark.parametrize(
    "raw", ['{"prompt": "x", "seed": NaN}', '{"prompt": "x", "strength": Infinity}', '{"prompt": "x", "seed": 1e400}']
)
def test_numbers_json_does_not_allow_are_a_400(world, raw):
    status, answer = world.call(generate, api_event("POST", "/generate-image", raw_body=raw))
    assert (status, answer["error"]["code"]) == (400, "invalid_request")
    json.loads(json.dumps(answer), parse_constant=lambda c: pytest.fail(f"{c} in the answer"))


def test_a_model_given_as_an_arn_is_recorded_as_its_id(world):
    arn = "arn:aws:bedrock:us-west-2::foundation-model/stability.stable-image-ultra-v1:1"
    status, body = world.generate({"prompt": PROMPT, "model": arn})
    assert status == 200
    assert body["model"] == "stability.stable-image-ultra-v1:1"
    assert world.json_object(f"images/{body['image_id']}/meta.json")["model"] == "stability.stable-image-ultra-v1:1"


def test_error_logs_carry_the_code_and_field_but_not_the_callers_text(world):
    secret = "my private prompt " * 700
    status, _ = world.generate({"prompt": secret})
    assert status == 400
    failure = next(line for line in world.log_lines() if line["event"] == "request_failed")
    assert (failure["code"], failure["field"], failure["request_id"]) == (
        "invalid_parameter",
        "prompt",
        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    )
    assert "my private prompt" not in world.logs.getvalue()


def test_answers_carry_the_cors_origin_when_one_is_configured(world):
    from imagegen.handlers import generate

    world.settings = dataclasses.replace(world.settings, cors_origin="https://app.example.com")
    handler = generate.make_handler(world.runtime)
    for body in ({"prompt": PROMPT}, {"prompt": ""}):  # a success and an error
        response = handler(world.received(api_event("POST", "/generate-image", body)), LambdaContext(clock=world.clock))
        assert response["headers"]["Access-Control-Allow-Origin"] == "https://app.example.com"
    world.settings = dataclasses.replace(world.settings, cors_origin=None)
    response = generate.make_handler(world.runtime)(
        world.received(api_event("POST", "/generate-image", {"prompt": PROMPT})), LambdaContext(clock=world.clock)
    )
    assert "Access-Control-Allow-Origin" not in response["headers"]


def test_the_models_own_words_beside_its_images_reach_the_log_not_the_answer(original_world):
    world = original_world
    picture = base64.b64encode(png.solid(96, 64, (1, 2, 3))).decode()
    world.bedrock.image_outcomes = [{"images": [picture, picture], "error": "One image came out degraded."}]
    status, answer = world.generate({"prompt": PROMPT, "count": 2, "evaluate": False})
    assert status == 200 and len(answer["images"]) == 2 and "degraded" not in json.dumps(answer)
    (generated,) = [line for line in world.log_lines() if line["event"] == "image_generated"]
    assert generated["upstream"] == "One image came out degraded."
