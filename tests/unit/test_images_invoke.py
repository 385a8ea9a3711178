"""build -> InvokeModel -> parse, through a real botocore client with its Stubber, which also
checks the call against Bedrock's API model."""

import base64
import io
import json
from datetime import date

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from imagegen import clock
from imagegen.errors import ModelRetired, ModelUnavailable
from imagegen.models.images import build_request, call_image_model, invoke_image_model
from imagegen.models.request import ImageRequest, Task

from tests.imagefactory import png_image

PNG = png_image(96, 64)


def _response(payload):
    data = json.dumps(payload).encode()
    return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}


def test_invoke_sends_the_exact_body_and_returns_the_parsed_image(bedrock_runtime):
    expected = {
        "modelId": "stability.stable-image-core-v1:1",
        "body": json.dumps(
            {"prompt": "a fox", "aspect_ratio": "16:9", "seed": 11, "output_format": "png"}, separators=(",", ":")
        ),
        "contentType": "application/json",
        "accept": "application/json",
    }
    with Stubber(bedrock_runtime) as stub:
        stub.add_response(
            "invoke_model",
            _response({"seeds": [11], "finish_reasons": [None], "images": [base64.b64encode(PNG).decode()]}),
            expected,
        )
        built, result = invoke_image_model(
            bedrock_runtime,
            "stability.stable-image-core-v1:1",
            ImageRequest(prompt="a fox", width=1920, height=1080, seed=11),
        )
        stub.assert_no_pending_responses()
    assert built.seed == 11
    assert (result.images[0].data, result.images[0].width) == (PNG, 96)


def test_a_request_built_once_is_sent_unchanged_by_every_call(bedrock_runtime):
    """What a retry sends: the same body, its drawn seed too, with no second build."""
    request = ImageRequest(prompt="a fox", width=1920, height=1080)
    built = build_request("stability.stable-image-core-v1:1", request, region=bedrock_runtime.meta.region_name)
    answer = {"seeds": [built.seed], "finish_reasons": [None], "images": [base64.b64encode(PNG).decode()]}
    with Stubber(bedrock_runtime) as stub:
        for _ in range(2):
            stub.add_response("invoke_model", _response(answer), built.invoke_kwargs())
        results = [
            call_image_model(bedrock_runtime, "stability.stable-image-core-v1:1", built, request.task) for _ in "ab"
        ]
        stub.assert_no_pending_responses()
    assert [r.images[0].seed for r in results] == [built.seed, built.seed]


def test_invoke_calls_an_image_service_through_its_us_profile(bedrock_runtime):
    with Stubber(bedrock_runtime) as stub:
        stub.add_response(
            "invoke_model",
            _response({"seeds": [0], "finish_reasons": [None], "images": [base64.b64encode(PNG).decode()]}),
            {
                "modelId": "us.stability.stable-image-remove-background-v1:0",
                "body": json.dumps(
                    {"image": base64.b64encode(PNG).decode(), "output_format": "png"}, separators=(",", ":")
                ),
                "contentType": "application/json",
                "accept": "application/json",
            },
        )
        built, _ = invoke_image_model(
            bedrock_runtime,
            "stability.stable-image-remove-background-v1:0",
            ImageRequest(task=Task.REMOVE_BACKGROUND, images=(PNG,)),
        )
    assert built.model_id == "us.stability.stable-image-remove-background-v1:0"


def test_a_model_not_offered_in_the_clients_region_fails_before_any_call():
    """Stable Image Core runs in us-west-2 only; a us-east-1 client gets a typed error, and the
    Stubber, with no response queued, proves no call was attempted (it would raise its own error)."""
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    with Stubber(client), pytest.raises(ModelUnavailable, match="not offered in us-east-1"):
        invoke_image_model(client, "stability.stable-image-core-v1:1", ImageRequest(prompt="x"))


def _after_eol() -> date:
    return date(2026, 12, 1)


@pytest.mark.parametrize(
    ("message", "task", "fields", "successor"),
    [
        ("This model version has reached the end of its life.", Task.VARIATION, {}, "stability.sd3-5-large-v1:0"),
        (
            "Access denied. This Model is marked by provider as Legacy and you have not been actively using it.",
            Task.INPAINT,
            {"prompt": "a hat", "mask_prompt": "the head"},
            "stability.stable-image-inpaint-v1:0",
        ),
    ],
    ids=["end-of-life", "legacy"],
)
def test_bedrocks_retired_answer_advises_a_model_that_can_do_the_task(monkeypatch, message, task, fields, successor):
    monkeypatch.setattr(clock, "today", _after_eol)  # the lifecycle's date, pinned
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    source = png_image(384, 320)
    with Stubber(client) as stub:
        stub.add_client_error("invoke_model", "ValidationException", message)
        with pytest.raises(ModelRetired) as caught:
            invoke_image_model(
                client,
                "amazon.nova-canvas-v1:0",
                ImageRequest(task=task, images=(source,), **fields),
                allow_retired=True,
            )
    assert caught.value.message.endswith(f"use {successor} instead")
    assert caught.value.upstream == message
