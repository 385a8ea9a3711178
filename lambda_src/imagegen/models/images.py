"""Image models end to end: pick the family's builder and parser, choose the id to call,
invoke Bedrock and translate every failure into a typed error."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from datetime import date
from typing import Any

from ..errors import UnsupportedTask
from . import amazon_image, stability
from .bedrock_errors import bedrock_call
from .contracts import BuiltRequest, ImageResult
from .registry import ModelRecord, resolve
from .request import ImageRequest, Task

Builder = Callable[[ModelRecord, ImageRequest, "random.Random | None"], BuiltRequest]
Parser = Callable[[ModelRecord, Any, BuiltRequest], ImageResult]

FAMILIES: dict[str, tuple[Builder, Parser]] = {
    "titan-image": (amazon_image.build, amazon_image.parse),
    "nova-canvas": (amazon_image.build, amazon_image.parse),
    "stability-text-to-image": (stability.build_text_to_image, stability.parse),
    "stability-image-services": (stability.build_service, stability.parse),
}


def build_request(
    model_id: str,
    request: ImageRequest,
    *,
    region: str | None = None,
    rng: random.Random | None = None,
    allow_retired: bool = False,
    today: date | None = None,
) -> BuiltRequest:
    """The exact InvokeModel body for this model, after checking every value against its limits.

    A model past its end of life raises ModelRetired unless `allow_retired` (the `original`
    model set, for accounts that still have access). With a region, a bare id becomes the
    inference profile that serves it where the model does not run on demand; a profile id is
    kept if it serves the region. A body over InvokeModel's 25,000,000 bytes raises RequestTooLarge.
    """
    resolved = resolve(model_id)
    record = resolved.record
    image_tasks = [t.value for t in record.tasks if t is not Task.JUDGE]
    if request.task is Task.JUDGE or not record.supports(request.task):  # judging goes through models.judge
        raise UnsupportedTask(record.id, request.task.value, image_tasks)
    if not allow_retired:
        record.check_callable(today, request.task)
    builder, _ = FAMILIES[record.family]
    built = dataclasses.replace(builder(record, request, rng), model_id=resolved.call_id(region))
    built.check_size()  # InvokeModel's 25,000,000 bytes, before any call
    return built


def parse_response(model_id: str, payload: Any, built: BuiltRequest) -> ImageResult:
    record = resolve(model_id).record
    if record.family not in FAMILIES:
        raise UnsupportedTask(record.id, "image generation", [t.value for t in record.tasks])
    _, parser = FAMILIES[record.family]
    return parser(record, payload, built)


def call_image_model(client: Any, model_id: str, built: BuiltRequest, task: Task) -> ImageResult:
    """Call InvokeModel with a request `build_request` made, and parse the answer: the part of
    an image call that is worth retrying. Building (which can take seconds for a large source
    image) is not in it, so it is done once and before the time left is weighed."""
    with bedrock_call(built.model_id, task):
        response = client.invoke_model(**built.invoke_kwargs())
        payload = response["body"].read()
    return parse_response(model_id, payload, built)


def invoke_image_model(
    client: Any,
    model_id: str,
    request: ImageRequest,
    *,
    rng: random.Random | None = None,
    allow_retired: bool = False,
) -> tuple[BuiltRequest, ImageResult]:
    """Build, call InvokeModel with `client` (a bedrock-runtime client), parse."""
    built = build_request(model_id, request, region=client.meta.region_name, rng=rng, allow_retired=allow_retired)
    return built, call_image_model(client, model_id, built, request.task)
