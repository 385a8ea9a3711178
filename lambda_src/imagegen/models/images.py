"""Image models end to end: pick the family's builder and parser, choose the id to call,
invoke Bedrock and translate every failure into a typed error."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from typing import Any

from ..errors import UpstreamFailure
from . import amazon_image, stability
from .bedrock_errors import bedrock_call
from .contracts import BuiltRequest, ImageResult
from .registry import ModelRecord, resolve
from .request import ImageRequest

Builder = Callable[[ModelRecord, ImageRequest, "random.Random | None"], BuiltRequest]
Parser = Callable[[ModelRecord, Any, BuiltRequest], ImageResult]

FAMILIES: dict[str, tuple[Builder, Parser]] = {
    "titan-image": (amazon_image.build, amazon_image.parse),
    "nova-canvas": (amazon_image.build, amazon_image.parse),
    "stability-text-to-image": (stability.build_text_to_image, stability.parse),
    "stability-image-services": (stability.build_service, stability.parse),
}


def build_request(
    model_id: str, request: ImageRequest, *, region: str | None = None, rng: random.Random | None = None
) -> BuiltRequest:
    """The exact InvokeModel body for this model, after checking every value against its limits.

    With a region, a bare id becomes the inference profile that serves it when the model does
    not run on demand there; a profile id is kept if it serves the region.
    """
    resolved = resolve(model_id)
    record = resolved.record
    record.require(request.task)
    builder, _ = _family(record)
    built = builder(record, request, rng)
    return dataclasses.replace(built, model_id=resolved.call_id(region))


def parse_response(model_id: str, payload: Any, built: BuiltRequest) -> ImageResult:
    record = resolve(model_id).record
    _, parser = _family(record)
    return parser(record, payload, built)


def invoke_image_model(
    client: Any, model_id: str, request: ImageRequest, *, rng: random.Random | None = None
) -> tuple[BuiltRequest, ImageResult]:
    """Build, call InvokeModel with `client` (a bedrock-runtime client), parse."""
    built = build_request(model_id, request, region=client.meta.region_name, rng=rng)
    with bedrock_call(built.model_id):
        response = client.invoke_model(**built.invoke_kwargs())
        payload = response["body"].read()
    return built, parse_response(model_id, payload, built)


def _family(record: ModelRecord) -> tuple[Builder, Parser]:
    try:
        return FAMILIES[record.family]
    except KeyError:
        raise UpstreamFailure(f"{record.id} is not an image model (family {record.family})") from None
