"""Every Bedrock failure becomes one typed error with a clear message; the raw text is kept
for logs only."""

import io
import json

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ReadTimeoutError
from botocore.response import StreamingBody
from botocore.stub import Stubber
from imagegen import errors
from imagegen.models.bedrock_errors import from_error_code, translate
from imagegen.models.images import build_request, invoke_image_model
from imagegen.models.request import ImageRequest

CORE = "stability.stable-image-core-v1:1"

CASES = [
    (
        "ValidationException",
        "Malformed input request: #: extraneous key [width] is not permitted, please reformat your input and try again.",
        errors.MalformedRequest,
        502,
    ),
    (
        "ValidationException",
        "This request has been blocked by our content filters. Please adjust your text prompt to submit a new request.",
        errors.ContentFiltered,
        422,
    ),
    (
        "ValidationException",
        "This request has been blocked by our content filters. Please adjust your input image to submit a new request.",
        errors.ContentFiltered,
        422,
    ),
    (
        "ValidationException",
        "Invocation of model ID amazon.nova-2-lite-v1:0 with on-demand throughput isn\u2019t supported. Retry your request with the ID or ARN of an inference profile that contains this model.",
        errors.ProfileRequired,
        503,
    ),
    ("ValidationException", "The provided model identifier is invalid.", errors.ModelUnavailable, 503),
    (
        "ResourceNotFoundException",
        "This model version has reached the end of its life. Please refer to the AWS documentation for more details.",
        errors.ModelRetired,
        503,
    ),
    (
        "ResourceNotFoundException",
        "Access denied. This Model is marked by provider as Legacy and you have not been actively using the model in the last 30 days. Please upgrade to an active model on Amazon Bedrock",
        errors.ModelRetired,
        503,
    ),
    (
        "AccessDeniedException",
        "You don't have access to the model with the specified model ID.",
        errors.ModelAccessDenied,
        503,
    ),
    ("ThrottlingException", "Too many requests, please wait before trying again.", errors.Throttled, 429),
    ("ServiceQuotaExceededException", "Tokens per minute exceeded (ref 3)", errors.Throttled, 429),
    ("ModelNotReadyException", "Model is warming up (ref 77)", errors.Throttled, 429),
    ("ModelTimeoutException", "Model took 61s (ref 12)", errors.UpstreamTimeout, 504),
    ("ServiceUnavailableException", "Capacity event 5021 in progress", errors.UpstreamUnavailable, 503),
    ("InternalServerException", "Internal error ref 8812", errors.UpstreamFailure, 502),
    ("ModelErrorException", "The model produced an invalid sequence as part of ToolUse.", errors.UpstreamFailure, 502),
    ("SomethingNewException", "Novel failure ref 1", errors.UpstreamFailure, 502),
]


@pytest.mark.parametrize(("code", "text", "kind", "status"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bedrock_error_becomes_a_typed_error_with_its_status(code, text, kind, status):
    error = from_error_code(code, text, "amazon.nova-2-lite-v1:0")
    assert type(error) is kind
    assert error.http_status == status
    assert error.upstream == text
    assert text not in json.dumps(error.to_dict())


def test_content_filter_stage_is_read_from_the_text():
    assert (
        from_error_code(
            "ValidationException", "blocked by our content filters. Please adjust your input image", "m"
        ).stage
        == "input_image"
    )
    assert (
        from_error_code(
            "ValidationException", "The generated image has been blocked by our content filters.", "m"
        ).stage
        == "output"
    )
    assert (
        from_error_code("ValidationException", "blocked by our content filters. adjust your text prompt", "m").stage
        == "prompt"
    )


def test_profile_required_suggests_the_profile_id():
    error = from_error_code(
        "ValidationException",
        "with on-demand throughput isn't supported ... inference profile",
        "amazon.nova-2-lite-v1:0",
    )
    assert "us.amazon.nova-2-lite-v1:0" in error.message


def test_retired_model_names_its_successor():
    error = from_error_code(
        "ResourceNotFoundException",
        "This model version has reached the end of its life.",
        "amazon.titan-image-generator-v2:0",
    )
    assert "stability.stable-image-core-v1:1" in error.message


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (NoCredentialsError(), errors.CredentialsMissing),
        (
            EndpointConnectionError(endpoint_url="https://bedrock-runtime.us-west-2.amazonaws.com"),
            errors.UpstreamUnavailable,
        ),
        (ReadTimeoutError(endpoint_url="https://x"), errors.UpstreamTimeout),
        (
            ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "InvokeModel"),
            errors.Throttled,
        ),
    ],
)
def test_botocore_exceptions_are_translated(exc, kind):
    assert type(translate(exc, CORE)) is kind


def _stubbed(client, model_id, request, *, error=None, payload=None):
    built = build_request(model_id, request, region="us-west-2")
    stub = Stubber(client)
    if error:
        stub.add_client_error(
            "invoke_model",
            service_error_code=error[0],
            service_message=error[1],
            http_status_code=error[2],
            expected_params=built.invoke_kwargs(),
        )
    else:
        data = json.dumps(payload).encode()
        stub.add_response(
            "invoke_model",
            {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"},
            expected_params=built.invoke_kwargs(),
        )
    stub.activate()
    return stub


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (("ThrottlingException", "Too many requests, please wait before trying again.", 429), errors.Throttled),
        (
            ("AccessDeniedException", "You don't have access to the model with the specified model ID.", 403),
            errors.ModelAccessDenied,
        ),
        (
            ("ValidationException", "Malformed input request: #: required key [prompt] not found", 400),
            errors.MalformedRequest,
        ),
    ],
)
def test_invoke_raises_the_typed_error_for_a_client_error(bedrock_runtime, error, kind):
    request = ImageRequest(prompt="a fox", seed=11)
    with _stubbed(bedrock_runtime, CORE, request, error=error), pytest.raises(kind) as caught:
        invoke_image_model(bedrock_runtime, CORE, request)
    assert caught.value.upstream == error[1]
