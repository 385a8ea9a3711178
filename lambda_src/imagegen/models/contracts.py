"""What builders produce and parsers return."""

from __future__ import annotations

import json
from dataclasses import KW_ONLY, dataclass
from functools import cached_property
from typing import Any

from ..errors import RequestTooLarge

MAX_BODY_BYTES = 25_000_000  # InvokeModel's request body, at most (the InvokeModel API reference)


@dataclass(frozen=True)
class Translation:
    """A neutral value the builder translated to what the model takes, reported to the caller."""

    field: str
    given: Any
    used: Any
    note: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "given": self.given, "used": self.used, "note": self.note}


@dataclass(frozen=True)
class BuiltRequest:
    """A request ready to send, and what its builder chose, so that no one else reads the body.

    Every builder states `quality` and `size`, None included, so a new family cannot leave them
    out: `quality` is the tier the model renders at, as the price list names it (None for a model
    with one rate); `size` the (width, height) the body asks for (None where the model picks it,
    from an aspect ratio or the source image).
    """

    model_id: str  # the id to call: bare or profile
    body: dict[str, Any]
    seed: int | None
    translations: tuple[Translation, ...] = ()
    _: KW_ONLY
    quality: str | None
    size: tuple[int, int] | None

    @cached_property
    def encoded_body(self) -> str:
        """The body as sent: compact JSON."""
        return json.dumps(self.body, separators=(",", ":"))

    def check_size(self) -> None:
        """Raise RequestTooLarge if the body is over InvokeModel's MAX_BODY_BYTES."""
        size = len(self.encoded_body.encode("utf-8"))
        if size > MAX_BODY_BYTES:
            raise RequestTooLarge(self.model_id, size, MAX_BODY_BYTES)

    def invoke_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `bedrock_runtime.invoke_model`."""
        return {
            "modelId": self.model_id,
            "body": self.encoded_body,
            "contentType": "application/json",
            "accept": "application/json",
        }

    def parameters(self) -> dict[str, Any]:
        """The body without image payloads: what to store as the request's parameters."""
        return _without_blobs(self.body)


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    format: str  # read from the bytes, never from a label
    width: int
    height: int
    seed: int | None


@dataclass(frozen=True)
class ImageResult:
    images: tuple[GeneratedImage, ...]
    filtered: int = 0  # images the content filters withheld (Canvas and Stability can do this)
    notice: str | None = None  # for the caller
    upstream: str | None = None  # the model's own error text beside the images: for logs, never an answer


def withheld_notice(withheld: int, asked: int) -> str:
    """The caller-facing note for images a model did not deliver (Bedrock's text goes to logs)."""
    return f"{withheld} of {asked} requested images were withheld by the model or its content filters"


# body keys whose values are base64 images, in every family's spelling
BLOB_KEYS = frozenset(
    {"image", "images", "mask", "maskImage", "conditionImage", "referenceImage", "init_image", "style_image"}
)


def _without_blobs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _blob_note(v) if k in BLOB_KEYS else _without_blobs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_blobs(v) for v in value]
    return value


def _blob_note(value: Any) -> Any:
    if isinstance(value, list):
        return [_blob_note(v) for v in value]
    return f"<base64 image, {len(value)} chars>" if isinstance(value, str) else value
