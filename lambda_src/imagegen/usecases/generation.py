"""Generate and modify: pick the models, hold the idempotency key, call the image model within
the time left (keeping time for the writes after it), then hand what it made to `storing`,
which stores it while the judge looks at it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any, cast

from .. import documents, idempotency
from ..clock import Deadline
from ..documents import Origin
from ..errors import ImageNotStored, InvalidParameter
from ..ids import checked_image_id
from ..models.contracts import BuiltRequest, ImageResult
from ..models.images import build_request, call_image_model
from ..models.registry import resolve
from ..models.request import ImageRequest, Task
from ..retry import with_retries
from . import evaluation, gallery, storing
from .services import Services, Warnings, pick, pick_judge


@dataclasses.dataclass(frozen=True)
class GenerateInput:
    request: ImageRequest
    model: str | None = None
    evaluate: bool = True
    judge_model: str | None = None
    idempotency: idempotency.IdempotencyKey | None = None


@dataclasses.dataclass(frozen=True)
class ModifyInput:
    image_id: str
    request: ImageRequest  # its task is the mode; the source image is filled in from storage
    model: str | None = None
    evaluate: bool = False
    judge_model: str | None = None
    idempotency: idempotency.IdempotencyKey | None = None
    style_image_id: str | None = None  # style-transfer: a stored image as the style (else request.style_image)


def generate(services: Services, given: GenerateInput, deadline: Deadline) -> dict[str, Any]:
    """Generate, store every image, then judge each (or defer the judging) as time allows. With
    an idempotency key already used, the images that request stored, without a model call."""
    model = pick("model", given.model, services.settings.generation_models, Task.GENERATE)
    judge = pick_judge(services, given.judge_model)
    with _Once(services, given.idempotency, "generate") as once:
        if once.done is not None:
            return _again(services, once.done)
        reserve = _writes_reserve(given.request, 2, once)
        built, result, invoke_ms = _invoke(services, model, given.request, deadline, reserve)

        def origin(image_id: str) -> Origin:
            return documents.generated_origin(image_id, given.request.prompt)

        asked = judge if given.evaluate else None  # recorded, so a verdict S3 refuses reads as lost
        made = storing.made(services, result, built, model, given.request, invoke_ms, origin, asked)

        def after(stored: Sequence[storing.Stored], warnings: Warnings) -> None:
            once.record(_result(stored, built, result), warnings, deadline)

        return storing.finish(services, made, built, result, asked, deadline, reserve, after)


def modify(services: Services, given: ModifyInput, deadline: Deadline) -> dict[str, Any]:
    """Apply a modify task to a stored image and store the result as an edit linked to it (or,
    with an idempotency key already used, answer the edits that request stored)."""
    parent_id = checked_image_id(given.image_id)
    mode = given.request.task
    model = _modify_model(services, given.model, mode)
    judge = pick_judge(services, given.judge_model)
    with _Once(services, given.idempotency, "modify") as once:
        if once.done is not None:
            return _again(services, once.done)
        parent = services.store.load_meta(parent_id)
        source = services.store.load_image(parent["image"]["key"])
        request = dataclasses.replace(given.request, images=(source,), style_image=_style_image(services, given))
        if mode is Task.VARIATION and request.strength is None:
            request = dataclasses.replace(request, strength=services.settings.variation_strength)
        reserve = _writes_reserve(request, 3, once)
        built, result, invoke_ms = _invoke(services, model, request, deadline, reserve)

        def origin(image_id: str) -> Origin:
            judge_prompt = edit_judge_prompt(mode, request, parent.get("judge_prompt") or "")
            return documents.edit_origin(image_id, judge_prompt, parent_id, parent["lineage"], mode.value)

        asked = judge if given.evaluate else None
        made = storing.made(services, result, built, model, request, invoke_ms, origin, asked)

        def after(stored: Sequence[storing.Stored], warnings: Warnings) -> None:
            for item in stored:
                link = functools.partial(
                    services.store.link_edit, parent_id, item.image_id, documents.edit_link(item.meta)
                )
                services.keep("link the edit to its parent", warnings, link)
            once.record(
                {**_result(stored, built, result), "parent_id": parent_id, "mode": mode.value}, warnings, deadline
            )

        answer = storing.finish(services, made, built, result, asked, deadline, reserve, after)
        return {**answer, "parent_id": parent_id, "mode": mode.value}


S3_WRITE_SECONDS = 0.25
"""The time kept back, before the model call, for each S3 write after it (each image and its
metadata, an edit's link, the idempotency record): in-region PUTs of a few MB take 0.02-0.3 s.
A request that timed a slower write of its own (claiming its idempotency key) keeps that much
for each instead, so slow S3 makes it fail fast (no_time_left, nothing paid for) rather than
store an image whose id API Gateway's 504 would keep from the caller."""


def _writes_reserve(request: ImageRequest, writes_per_image: int, once: _Once) -> float:
    writes = writes_per_image * (request.count or 1) + (1 if once.claim else 0)
    return writes * max(S3_WRITE_SECONDS, once.write_seconds)


class _Once:
    """This request's hold on its idempotency key, if it came with one: `done` is the result a
    request with the key already stored; a request that fails before recording its result gives
    the key up (nothing was paid for, so a retry must run), unless S3 would not take the images
    it paid for: then the key keeps that answer, which a retry raises again (ImageNotStored)."""

    def __init__(self, services: Services, key: idempotency.IdempotencyKey | None, scope: str) -> None:
        self.services = services
        self.claim: idempotency.Claim | None = None
        self.done: documents.IdempotencyResult | None = None
        self.write_seconds = 0.0  # how long claiming the key took
        self.recorded = False
        if key is None:
            return
        started = services.clock.monotonic()
        held = idempotency.claim(services.store, key, scope, services.now())
        self.write_seconds = services.clock.monotonic() - started
        if isinstance(held, idempotency.Claim):
            self.claim = held
        elif held["state"] == "unstored":  # paid for, not stored: the same answer, no second call
            answer = held["unstored"]
            raise ImageNotStored(answer["message"], images=answer["images"], replayed=True)
        else:
            self.done = held["result"]

    def __enter__(self) -> _Once:
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None or self.claim is None or self.recorded:
            return
        if isinstance(error, ImageNotStored):
            answer: documents.UnstoredAnswer = {"message": error.message, "images": error.details["images"]}
            keep = functools.partial(idempotency.keep_unstored, self.services.store, self.claim, answer)
            self.services.keep("record the idempotency key", [], keep)
        else:
            give_up = functools.partial(idempotency.give_up, self.services.store, self.claim)
            self.services.keep("free the idempotency key", [], give_up)

    def record(self, result: documents.IdempotencyResult, warnings: Warnings, deadline: Deadline) -> None:
        if self.claim is None:
            return
        self.recorded = True
        finish = functools.partial(idempotency.finish, self.services.store, self.claim, result)
        self.services.keep(
            "record the idempotency key", warnings, functools.partial(storing.write, self.services, deadline, finish)
        )


def _result(stored: Sequence[storing.Stored], built: BuiltRequest, result: ImageResult) -> documents.IdempotencyResult:
    return {
        "image_ids": [item.image_id for item in stored],
        "translations": [t.as_dict() for t in built.translations],
        "filtered": result.filtered,
        "notice": result.notice,
    }


def _again(services: Services, done: documents.IdempotencyResult) -> dict[str, Any]:
    """The answer to a request whose key's first request stored these images: each with its
    verdict as it stands now and a fresh URL; nothing is called or paid for again."""
    warnings: Warnings = []
    views = []
    cost = 0.0
    for image_id in done["image_ids"]:
        meta = services.store.load_meta(image_id)
        verdict = evaluation.current(services, services.store.load_evaluation(image_id))
        costs = cast("dict[str, float | None]", meta.get("estimated_cost_usd") or {})  # none in a partial meta
        cost += costs.get("image") or 0
        if verdict["status"] == "done":
            cost += verdict["estimated_cost_usd"] or 0
        views.append(gallery.view(services, image_id, meta, verdict, warnings))
    answer: dict[str, Any] = {
        **views[0],
        "translations": done["translations"],
        "filtered": done["filtered"],
        "notice": done["notice"],
        "estimated_cost_usd": round(cost, 6),
        "replayed": True,
        **{name: done[name] for name in ("parent_id", "mode") if name in done},
    }
    if len(views) > 1:
        answer["images"] = views
    if warnings:
        answer["warnings"] = warnings
    return answer


def edit_judge_prompt(mode: Task, request: ImageRequest, parent_prompt: str) -> str:
    """What an edit should show, as one prompt for the judge: the parent's prompt and the edit."""
    prompt, target = request.prompt, request.mask_prompt
    match mode:
        case Task.VARIATION:
            return prompt or parent_prompt
        case Task.REPLACE:
            return f"{parent_prompt}; with {target} replaced by {prompt}"
        case Task.RECOLOR:
            return f"{parent_prompt}; with {target} recoloured: {prompt}"
        case Task.INPAINT:
            return f"{parent_prompt}; with {target or 'the masked area'} changed to: {prompt}"
        case Task.OUTPAINT:
            return f"{parent_prompt}; extended beyond its borders" + (f" with {prompt}" if prompt else "")
        case Task.ERASE:
            return f"{parent_prompt}; with {target or 'the masked object'} removed"
        case Task.CONTROL_SKETCH:
            return f"{prompt}; drawn after the lines of a sketch"
        case Task.CONTROL_STRUCTURE:
            return f"{prompt}; with the structure of: {parent_prompt}"
        case Task.STYLE_GUIDE:
            return f"{prompt}; in the style of: {parent_prompt}"
        case Task.STYLE_TRANSFER:
            return f"{parent_prompt}; restyled after a style image" + (f": {prompt}" if prompt else "")
        case _:  # upscale, remove-background: the same picture
            return parent_prompt


def _style_image(services: Services, given: ModifyInput) -> bytes | None:
    """The request's style image: the stored image `style_image_id` names, else the one given (if any)."""
    if given.style_image_id is None:
        return given.request.style_image
    style_id = checked_image_id(given.style_image_id, "style_image_id")
    if given.request.style_image is not None:
        raise InvalidParameter("style_image_id", style_id, "either style_image or style_image_id, not both")
    meta = services.store.load_meta(style_id)
    return services.store.load_image(meta["image"]["key"])


def _modify_model(services: Services, given: str | None, mode: Task) -> str:
    """The model configured for the mode, or the caller's: any model this deployment configures
    for some mode, if it can do this one. A mode with no model configured is refused."""
    settings = services.settings
    candidates = dict.fromkeys([settings.modify_model(mode.value), *settings.modify_models.values()])
    return pick("model", given, tuple(m for m in candidates if resolve(m).record.supports(mode)), mode)


def _invoke(
    services: Services, model: str, request: ImageRequest, deadline: Deadline, reserve: float
) -> tuple[BuiltRequest, ImageResult, int]:
    """Build and check the request once (that can take seconds for a large source image),
    then call the model, weighing the time left right before each call (the call's and
    `reserve`, for the writes after it); a retry calls again with the same request."""
    built = build_request(
        model,
        request,
        region=services.bedrock.meta.region_name,
        rng=services.rng,
        allow_retired=services.settings.allow_retired,
    )
    started = services.clock.monotonic()
    result = with_retries(
        lambda: call_image_model(services.bedrock, model, built, request.task),
        deadline,
        rng=services.rng,
        call_seconds=services.image_call_seconds + reserve,
        log=services.log,
        model=model,
    )
    invoke_ms = round((services.clock.monotonic() - started) * 1000)
    services.log.info(
        "image_generated",
        model=model,
        task=request.task.value,
        images=len(result.images),
        filtered=result.filtered,
        ms=invoke_ms,
        cost_usd=resolve(model).record.price.image_cost(len(result.images), built.quality),
        **({"upstream": result.upstream[:500]} if result.upstream else {}),  # the model's own words
    )
    return built, result, invoke_ms
