"""The project's one error taxonomy.

Every failure the core library reports is an `ImageGenError`. Each class carries a stable
`code`, the HTTP status a handler answers with and the exit code the command line ends with
(what each exit code means: imagegen_local.cli.exits); `message` is written for people, while
`upstream` keeps Bedrock's raw text for logs only (it never goes into a response body).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

_BY_CODE: dict[str, type[ImageGenError]] = {}


class ImageGenError(Exception):
    """Base of every error the project raises on purpose."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500
    exit_code: int = 1  # a class's; an error answered by a deployed API takes the one its code names
    retryable: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:  # a class with a code of its own: an answer may name it
            _BY_CODE.setdefault(cls.code, cls)  # the taxonomy's own class wins

    def __init__(self, message: str, *, upstream: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.upstream = upstream
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The JSON error object: code, message and safe details, never the upstream text."""
        return {"code": self.code, "message": self.message, **self.details}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


_BY_CODE[ImageGenError.code] = ImageGenError


class ConfigurationError(ImageGenError):
    """The deployment's settings are wrong (a missing bucket, an unknown model id...)."""

    code = "configuration_error"
    http_status = 500
    exit_code = 6


# --- the caller's input -------------------------------------------------------------------


class InvalidRequest(ImageGenError):
    code = "invalid_request"
    http_status = 400
    exit_code = 2


class InvalidParameter(InvalidRequest):
    """A value the chosen model cannot take: names the field, the value and what is allowed."""

    code = "invalid_parameter"

    def __init__(
        self, field: str, value: Any, allowed: str, *, model_id: str | None = None, takes: Sequence[str] | None = None
    ) -> None:
        """`takes`: for a field the task does not take, the fields it does (named in the message)."""
        shown = _short(value)
        where = f" for {model_id}" if model_id else ""
        self.rule = allowed  # what is allowed, without the fields the task takes
        self.takes = None if takes is None else tuple(takes)
        if takes is not None:
            allowed += f" (this task takes: {', '.join(takes) or 'no options'})"
        # the answer's details: what is allowed, the fields the task takes and the model, apart
        details: dict[str, Any] = {"field": field, "value": shown, "allowed": self.rule}
        if takes is not None:
            details["takes"] = list(self.takes or ())
        if model_id:
            details["model_id"] = model_id
        super().__init__(f"{field}={shown} is not allowed{where}: {allowed}", **details)
        self.field = field
        self.value = value
        self.shown = shown
        self.allowed = allowed
        self.model_id = model_id


class UnsupportedTask(InvalidRequest):
    code = "unsupported_task"

    def __init__(self, model_id: str, task: str, supported: list[str]) -> None:
        super().__init__(
            f"{model_id} cannot do '{task}'; it can do: {', '.join(supported) or 'nothing'}",
            model_id=model_id,
            task=task,
            supported=supported,
        )


class UnknownModel(InvalidRequest):
    code = "unknown_model"

    def __init__(self, model_id: str, close_matches: list[str]) -> None:
        hint = f"; did you mean {', '.join(close_matches)}?" if close_matches else ""
        super().__init__(
            f"unknown model id '{model_id}'{hint}",
            model_id=model_id,
            close_matches=close_matches,
        )


class InvalidImage(InvalidRequest):
    """Bytes that are not a readable image, or an image outside a model's input limits."""

    code = "invalid_image"


class RequestTooLarge(InvalidRequest):
    """The model call's body, as built, is over what InvokeModel takes (25,000,000 bytes): refused
    before the call, as Bedrock would refuse it with a generic message."""

    code = "request_too_large"

    def __init__(self, model_id: str, size: int, limit: int) -> None:
        super().__init__(
            f"the request to {model_id} would be {size:,} bytes; InvokeModel takes at most {limit:,} bytes "
            "(base64 makes an image a third larger): send a smaller source image",
            model_id=model_id,
            size=size,
            limit=limit,
        )


class IdempotencyKeyReused(InvalidRequest):
    """An idempotency key sent again with another request body: a key names one request."""

    code = "idempotency_key_reused"
    http_status = 422

    def __init__(self) -> None:
        super().__init__(
            "this idempotency key was first sent with another request body; use a new key for a new request"
        )


class ImageNotFound(ImageGenError):
    code = "image_not_found"
    http_status = 404
    exit_code = 2

    def __init__(self, image_id: str) -> None:
        super().__init__(f"no image with id {image_id}", image_id=image_id)


class JobNotFound(ImageGenError):
    code = "job_not_found"
    http_status = 404
    exit_code = 2

    def __init__(self, job_id: str) -> None:
        super().__init__(f"no job with id {job_id}", job_id=job_id)


# --- the image or the answer ----------------------------------------------------------------


class BatchNotFound(ImageGenError):
    code = "batch_not_found"
    http_status = 404
    exit_code = 2

    def __init__(self, batch_id: str) -> None:
        super().__init__(f"no batch with id {batch_id}", batch_id=batch_id)


class ContentFiltered(ImageGenError):
    """Bedrock's content filters blocked the prompt, an input image or the output."""

    code = "content_filtered"
    http_status = 422
    exit_code = 3

    MESSAGES: ClassVar[dict[str, str]] = {
        "prompt": "Bedrock's content filters blocked the prompt; rephrase it and try again",
        "input_image": "Bedrock's content filters blocked the input image; try a different image",
        "output": "Bedrock's content filters blocked the generated image; rephrase the prompt and try again",
    }

    def __init__(self, message: str, *, stage: str, upstream: str | None = None) -> None:
        super().__init__(message, upstream=upstream, stage=stage)
        self.stage = stage

    @classmethod
    def at(cls, stage: str, upstream: str | None = None) -> ContentFiltered:
        """The standard error for a block at `stage`: prompt, input_image or output."""
        return cls(cls.MESSAGES[stage], stage=stage, upstream=upstream)


class ImageTooLarge(ImageGenError):
    """An image exceeds a limit of the API it must be sent to (e.g. Converse's 3.75 MB)."""

    code = "image_too_large"
    http_status = 422
    exit_code = 2


# --- the model and the account ----------------------------------------------------------------


class Throttled(ImageGenError):
    code = "throttled"
    http_status = 429
    exit_code = 4
    retryable = True


class NoTimeLeft(ImageGenError):
    """Too little of the request's time is left for a model call to finish, so none was started
    (and nothing was paid for). A new request has the whole time again."""

    code = "no_time_left"
    http_status = 503
    exit_code = 4
    retryable = True

    def __init__(self, seconds_left: float, seconds_needed: float) -> None:
        super().__init__(
            f"not enough time left in this request to call the model ({seconds_left:.1f} s left, "
            f"a call may take {seconds_needed:g} s); send the request again",
            seconds_left=round(seconds_left, 1),
            seconds_needed=seconds_needed,
        )


class RequestInProgress(ImageGenError):
    """A request with this idempotency key is still running: its answer will be there shortly."""

    code = "request_in_progress"
    http_status = 409
    exit_code = 4
    retryable = True

    def __init__(self) -> None:
        super().__init__("a request with this idempotency key is still in progress; send it again in a few seconds")


class ModelAccessDenied(ImageGenError):
    code = "model_access_denied"
    http_status = 503
    exit_code = 5


class ModelUnavailable(ImageGenError):
    """The model is not offered in this region, or cannot be reached by this id."""

    code = "model_unavailable"
    http_status = 503
    exit_code = 5


class ModelRetired(ModelUnavailable):
    code = "model_retired"


class ProfileRequired(ModelUnavailable):
    """The bare model id has no on-demand throughput here; an inference profile id is needed."""

    code = "inference_profile_required"


class CredentialsMissing(ImageGenError):
    code = "credentials_missing"
    http_status = 503
    exit_code = 6


# --- Bedrock itself ------------------------------------------------------------------------------


class UpstreamFailure(ImageGenError):
    code = "upstream_failure"
    http_status = 502
    exit_code = 8


class MalformedRequest(UpstreamFailure):
    """Bedrock rejected the body: a bug in a builder, since builders check every limit first."""

    code = "upstream_rejected_request"


class UpstreamUnavailable(UpstreamFailure):
    code = "upstream_unavailable"
    http_status = 503
    retryable = True


class UpstreamTimeout(UpstreamFailure):
    code = "upstream_timeout"
    http_status = 504


class StorageFailure(ImageGenError):
    """S3 refused or failed a read or write the pipeline needs."""

    code = "storage_unavailable"
    http_status = 503
    exit_code = 7


class StorageUnavailable(StorageFailure):
    """S3 answered a transient failure (a 500 or 503, SlowDown, a timeout): a later try may succeed."""

    retryable = True


class ImageNotStored(ImageGenError):
    """The model made the image (it was paid for) but S3 would not store it: the answer carries
    it inline (`images`, base64) where the response limit allows, so it is not lost. A retry would
    pay again, so the class is not retryable."""

    code = "image_not_stored"
    http_status = 503
    exit_code = 7


class MetadataLost(StorageFailure):
    """An image is stored but its meta.json is not (S3 refused the write): what only that held
    (the prompt to judge against) is gone, and no request the caller can change brings it back.
    500, not 503: sending the request again meets the same loss."""

    code = "metadata_lost"
    http_status = 500


class JudgeAnswerInvalid(UpstreamFailure):
    """The judge answered, but not with a usable evaluation."""

    code = "judge_answer_invalid"


class NoSuchRoute(ImageGenError):
    """A method and resource the function does not serve (the API's routes and code disagree)."""

    code = "no_such_route"
    http_status = 404
    exit_code = 2


def by_code(code: str) -> type[ImageGenError] | None:
    """The error class an answer's `error.code` names, if it is one of the project's."""
    return _BY_CODE.get(code)


def classes() -> list[type[ImageGenError]]:
    """The taxonomy: every class of this module with a code of its own, the base first."""
    return [kind for kind in _BY_CODE.values() if kind.__module__ == __name__]


def _short(value: Any, limit: int = 80) -> Any:
    """A JSON-safe echo of a value that never dumps prompts or image bytes into an error."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return f"{value[:limit]}... ({len(value)} chars)" if len(value) > limit else value
    if isinstance(value, (list, tuple)):
        return [_short(v, limit) for v in value] if len(value) <= 8 else f"<{len(value)} items>"
    if isinstance(value, dict):
        return {str(k): _short(v, limit) for k, v in list(value.items())[:8]}
    if hasattr(value, "as_dict"):
        return _short(value.as_dict(), limit)
    return f"<{type(value).__name__}>"
