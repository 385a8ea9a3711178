"""Turn whatever botocore raises for a Bedrock call into one of the project's typed errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ParamValidationError,
    ReadTimeoutError,
)

from ..errors import (
    ContentFiltered,
    CredentialsMissing,
    ImageGenError,
    MalformedRequest,
    ModelAccessDenied,
    ModelRetired,
    ModelUnavailable,
    ProfileRequired,
    Throttled,
    UpstreamFailure,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from .registry import ModelRecord, resolve
from .request import Task


@contextmanager
def bedrock_call(model_id: str, task: Task | None = None) -> Iterator[None]:
    """Run a Bedrock call for `task`; re-raise any botocore failure as a typed error."""
    try:
        yield
    except ImageGenError:
        raise
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, model_id, task) from exc


def translate(exc: ClientError | BotoCoreError, model_id: str, task: Task | None = None) -> ImageGenError:
    if isinstance(exc, NoCredentialsError):
        return CredentialsMissing("no AWS credentials found: set AWS_PROFILE or configure credentials")
    if isinstance(exc, NoRegionError):
        return CredentialsMissing("no AWS region configured: set AWS_REGION")
    if isinstance(exc, ParamValidationError):
        return MalformedRequest(f"the request for {model_id} does not fit the Bedrock API", upstream=str(exc))
    if isinstance(exc, (ReadTimeoutError, ConnectTimeoutError)):
        return UpstreamTimeout(f"{model_id} did not answer in time", upstream=str(exc))
    if isinstance(exc, EndpointConnectionError):
        return UpstreamUnavailable(f"cannot reach the Bedrock runtime endpoint for {model_id}", upstream=str(exc))
    if not isinstance(exc, ClientError):
        return UpstreamFailure(f"calling {model_id} failed", upstream=str(exc))
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    text = str(error.get("Message", ""))
    return from_error_code(code, text, model_id, task)


def from_error_code(code: str, text: str, model_id: str, task: Task | None = None) -> ImageGenError:
    """Classify a Bedrock error by its code and message text (the text decides within a code)."""
    lowered = text.lower()
    if "content filter" in lowered:
        return ContentFiltered.at(_filter_stage(lowered), upstream=text)
    if "end of its life" in lowered or "end-of-life" in lowered or "marked by provider as legacy" in lowered:
        return ModelRetired(
            f"{model_id} is retired or legacy-only on Bedrock for this account; {_instead(model_id, task)}",
            upstream=text,
        )
    if "on-demand throughput" in lowered and "inference profile" in lowered:
        return ProfileRequired(
            f"{model_id} must be called through an inference profile here{_profiles(model_id)}", upstream=text
        )
    if code == "AccessDeniedException":
        return ModelAccessDenied(
            f"this account has no access to {model_id}: enable it under Model access in the Bedrock console",
            upstream=text,
        )
    if code == "ResourceNotFoundException" or "model identifier is invalid" in lowered:
        return ModelUnavailable(f"{model_id} is not offered in this region or under this id", upstream=text)
    if code in (
        "ThrottlingException",
        "ServiceQuotaExceededException",
        "ModelNotReadyException",
        "TooManyRequestsException",
    ):
        return Throttled(f"Bedrock is throttling calls to {model_id}; try again shortly", upstream=text)
    if code == "ModelTimeoutException":
        return UpstreamTimeout(f"{model_id} took too long to answer", upstream=text)
    if code == "ServiceUnavailableException":
        return UpstreamUnavailable("Bedrock is unavailable right now; try again shortly", upstream=text)
    if code == "ValidationException":
        return MalformedRequest(f"Bedrock rejected the request for {model_id} as invalid", upstream=text)
    return UpstreamFailure(f"{model_id} failed ({code or 'unknown error'})", upstream=text)


def _filter_stage(lowered: str) -> str:
    if "input image" in lowered or "reference image" in lowered:
        return "input_image"
    if "generated image" in lowered or "output image" in lowered:
        return "output"
    return "prompt"


def _instead(model_id: str, task: Task | None) -> str:
    record = _record(model_id)
    return record.instead(task) if record else "choose an Active model from the registry"


def _profiles(model_id: str) -> str:
    record = _record(model_id)
    ids = record.profile_ids() if record else []
    return f" ({', '.join(ids)})" if ids else ""


def _record(model_id: str) -> ModelRecord | None:
    try:
        return resolve(model_id).record
    except ImageGenError:
        return None
