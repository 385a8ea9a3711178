"""What follows a model call: store each image it made, then its metadata (and what the use
case adds: an edit's links, the idempotency record), while the judge looks at each image; then
record the verdicts and answer.

Storing the images is the one step that can fail the request; every later one becomes a warning.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from .. import background, documents, index_gaps
from ..clock import Deadline
from ..documents import MadeMeta, Origin
from ..errors import ImageGenError, ImageNotStored
from ..log import error_fields
from ..models.contracts import BuiltRequest, GeneratedImage, ImageResult
from ..models.registry import resolve
from ..models.request import ImageRequest
from ..retry import with_retries
from ..storage import image_key
from . import evaluation, gallery, unstored
from .services import Services, Warnings


@dataclasses.dataclass(frozen=True)
class Stored:
    image_id: str
    meta: MadeMeta
    data: bytes


@dataclasses.dataclass(frozen=True)
class Made:
    """An image the model returned, with the id and metadata it is stored under."""

    image_id: str
    meta: MadeMeta
    image: GeneratedImage


def made(
    services: Services,
    result: ImageResult,
    built: BuiltRequest,
    model: str,
    request: ImageRequest,
    invoke_ms: int,
    origin: Callable[[str], Origin],
    judge: str | None,
) -> list[Made]:
    """Each image's id and metadata, before anything is written."""
    record = resolve(model).record
    ids = [services.new_id() for _ in result.images]
    cost = record.price.image_cost(1, built.quality)  # the builder's choice, never a wire key
    made = []
    for index, (image_id, image) in enumerate(zip(ids, result.images, strict=True)):
        meta = documents.made_meta(
            image_id,
            image_key(image_id, image.format),
            image,
            services.now(),
            request=request,
            model=model,
            model_name=record.name,
            built=built,
            invoke_ms=invoke_ms,
            cost=cost,
            batch={"index": index, "ids": ids},
            origin=origin(image_id),
            judge=judge,
        )
        made.append(Made(image_id, meta, image))
    return made


AfterStored = Callable[[Sequence[Stored], Warnings], None]
"""The writes that follow the images' (an edit's links, the idempotency record)."""


@dataclasses.dataclass(frozen=True)
class Written:
    stored: list[Stored]
    not_stored: list[unstored.UnstoredImage]
    warnings: Warnings


Judged = documents.DoneVerdict | documents.FailedVerdict | evaluation.Deferral | None
"""What the judge made of one image: a verdict, a judging handed to the background, or none."""


def finish(
    services: Services,
    made: Sequence[Made],
    built: BuiltRequest,
    result: ImageResult,
    judge: str | None,
    deadline: Deadline,
    writes_seconds: float,
    after: AfterStored,
) -> dict[str, Any]:
    """Store the images (then `after`) in the background while the judge looks at each one, so
    the request takes the image call, the judge call and the verdict's write; then record each
    verdict (or defer it) and answer. A judging starts only while the writes' time (at most
    `writes_seconds`) and its own fit; none starts once the images are known not stored."""
    writing = background.start(lambda: _store(services, made, deadline, after), "imagegen-writes")
    judged: list[Judged] = []
    for item in made:
        if judge is None or (writing.done() and writing.exception() is not None):
            judged.append(None)
            continue
        still_writing = 0.0 if writing.done() else writes_seconds
        judged.append(
            evaluation.judge_new(services, item.image_id, item.meta, item.image.data, judge, deadline, still_writing)
        )
    try:
        written = writing.result()  # raises ImageNotStored when no image could be stored
    except ImageNotStored as exc:
        _with_verdicts(exc.details["images"], judged)
        raise
    stored_ids = {s.image_id for s in written.stored}
    _with_verdicts(
        written.not_stored, [v for item, v in zip(made, judged, strict=True) if item.image_id not in stored_ids]
    )
    warnings = written.warnings
    verdicts: dict[str, documents.ShownEvaluation] = {}
    for item, verdict in zip(made, judged, strict=True):
        if judge is not None and verdict is not None and any(s.image_id == item.image_id for s in written.stored):
            verdicts[item.image_id] = evaluation.keep_new(services, item.image_id, verdict, judge, deadline, warnings)
    answer = _answer(services, written.stored, verdicts, built, result, warnings)
    return {**answer, **({"images_not_stored": written.not_stored} if written.not_stored else {})}


def _with_verdicts(shown: Sequence[unstored.UnstoredImage], verdicts: Sequence[Judged]) -> None:
    """Each image S3 would not take is given the verdict the judge gave it (paid for too)."""
    for item, verdict in zip(shown, verdicts, strict=True):
        if verdict is not None and not isinstance(verdict, evaluation.Deferral) and verdict["status"] == "done":
            item["evaluation"] = verdict


def _store(services: Services, made: Sequence[Made], deadline: Deadline, after: AfterStored) -> Written:
    """Store each image, then its metadata, each write retried within the time left, then
    `after`. Raises ImageNotStored, with the images inline, only if no image could be stored."""
    warnings: Warnings = []
    stored: list[Stored] = []
    not_stored: list[GeneratedImage] = []
    first_error: ImageGenError | None = None
    shown: list[unstored.UnstoredImage] = []
    for item in made:
        image_id, image = item.image_id, item.image
        index(services, image_id, item.meta["created_at"], warnings, deadline)
        try:
            write(services, deadline, functools.partial(services.store.save_image, image_id, image.data, image.format))
        except ImageGenError as exc:
            first_error = first_error or exc
            not_stored.append(image)
            services.log.error("image_not_stored", image_id=image_id, **error_fields(exc))
            continue
        save_meta = functools.partial(services.store.save_meta, image_id, item.meta)
        services.keep("store the image's metadata", warnings, functools.partial(write, services, deadline, save_meta))
        stored.append(Stored(image_id, item.meta, image.data))
    if first_error:
        shown = unstored.inline_images(not_stored)
        told = unstored.described(shown, first_error.message)
        if not stored:
            raise ImageNotStored(told, upstream=first_error.upstream, images=shown)
        warnings.append({"step": "store the image", "code": ImageNotStored.code, "message": told})
    services.log.info("images_stored", ids=[s.image_id for s in stored])
    after(stored, warnings)
    return Written(stored, shown, warnings)


def index(services: Services, image_id: str, created_at: str | None, warnings: Warnings, deadline: Deadline) -> None:
    """Enter an image in the index GET /images lists, before the image is stored: an entry whose
    image never arrives is passed over, while an image whose entry could not be written is still
    stored (a warning), found by its id, and marked for GET /images to list after the index."""
    created = datetime.fromisoformat(created_at) if created_at else services.now()
    entry = functools.partial(services.store.index_image, image_id, created)
    if not services.keep(
        "index the image for GET /images", warnings, functools.partial(write, services, deadline, entry)
    ):
        gap = functools.partial(index_gaps.mark, services.store, image_id, created)
        services.keep("mark the image the index lacks", warnings, functools.partial(write, services, deadline, gap))


T = TypeVar("T")

S3_WRITE_ATTEMPTS = 6  # tries of one write at most, each one a call botocore may retry once itself
S3_CALL_SECONDS = 3.0
"""The longest one S3 attempt takes (the store client's 1 s connect and 2 s read timeouts): a
write is tried again only while that, after the wait, fits in the time left."""


def write(services: Services, deadline: Deadline, write: Callable[[], T]) -> T:
    """A write after the model call: made at once whatever the time left (what it stores was
    paid for), then tried again on S3's transient failures while the deadline allows."""
    return with_retries(
        write,
        deadline,
        rng=services.rng,
        base=0.2,
        cap=2.0,
        call_seconds=S3_CALL_SECONDS,
        max_attempts=S3_WRITE_ATTEMPTS,
        log=services.log,
        start_anyway=True,
    )


def _answer(
    services: Services,
    stored: Sequence[Stored],
    verdicts: dict[str, documents.ShownEvaluation],
    built: BuiltRequest,
    result: ImageResult,
    warnings: Warnings,
) -> dict[str, Any]:
    """The first image's view at the top level (as the original API answered), all of them
    under `images` when there are several; the cost of the images and of their judging."""
    views = []
    judge_costs: list[float] = []
    for item in stored:
        verdict = verdicts.get(item.image_id) or documents.not_requested()
        if verdict["status"] == "done":
            judge_costs.append(verdict["estimated_cost_usd"] or 0)
        views.append(gallery.view(services, item.image_id, item.meta, verdict, warnings))
    image_cost = (stored[0].meta["estimated_cost_usd"]["image"] or 0) * len(stored)
    answer = {
        **views[0],
        "translations": [t.as_dict() for t in built.translations],
        "filtered": result.filtered,
        "notice": result.notice,
        "estimated_cost_usd": round(image_cost + sum(judge_costs), 6),
    }
    if len(views) > 1:
        answer["images"] = views
    if warnings:
        answer["warnings"] = warnings
    return answer
