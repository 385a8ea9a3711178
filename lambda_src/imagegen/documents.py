"""The documents kept beside each image in S3, one shape each, built here and nowhere else.

    meta.json        Meta: what the image is and where it came from (MadeMeta for a model's image)
    evaluation.json  Evaluation: a verdict, done, failed or pending
    edits/<id>.json  EditLink: one edit made from the image

and, apart from any image, idempotency/<hash>.json, an IdempotencyRecord.

They are TypedDicts, so what is written stays plain JSON and what is read is a dict; a document
read back is trusted to have the shape this module gave it (the store is ours alone).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

# The verdict's shapes live in verdict_shapes.py; they are named from here (the "as" ones re-exported).
from .verdict_shapes import ChecklistItem as ChecklistItem
from .verdict_shapes import CheckStatus as CheckStatus
from .verdict_shapes import (
    DoneVerdict,
    EvaluationData,
    FailedVerdict,
    LostVerdict,
    NotRequested,
    PendingVerdict,
    ShownEvaluation,
    UnstoredVerdict,
)
from .verdict_shapes import Evaluation as Evaluation
from .verdict_shapes import SubScore as SubScore
from .verdict_shapes import VerdictError as VerdictError

if TYPE_CHECKING:  # for the builders' signatures only: storage, which reads these shapes, needs no models
    from .models.contracts import BuiltRequest, GeneratedImage
    from .models.judge import Verdict
    from .models.request import ImageRequest

Kind = Literal["generated", "edit", "upload"]


class ImageFacts(TypedDict):
    """The stored object; only its key and format are known for an image without meta.json."""

    key: str
    format: str
    width: int | None
    height: int | None
    bytes: int | None
    sha256: str | None


class Lineage(TypedDict):
    parent_id: str | None
    root_id: str  # the first image of the family: the image itself unless it is an edit
    mode: str | None  # the modify task that made an edit


class Origin(TypedDict):
    """Where a model's image came from: a generation, or an edit of a stored image."""

    kind: Kind
    judge_prompt: str | None  # what the judge holds the image against
    lineage: Lineage


class Meta(TypedDict):
    """What every meta.json holds: an upload's, or a partial one read from the image object
    when meta.json could not be written (`partial`, and None for all it cannot tell)."""

    image_id: str
    created_at: str | None
    kind: Kind | None
    task: str | None
    prompt: str | None
    judge_prompt: str | None
    model: str | None
    seed: int | None
    image: ImageFacts
    lineage: Lineage
    partial: NotRequired[bool]


class Batch(TypedDict):
    index: int
    ids: list[str]  # every image of the call, stored or not


class MadeMeta(Meta):
    """The metadata of an image a model made: the request as sent, timings and cost."""

    negative_prompt: str | None
    model_called: str  # the id called: a profile id where the model is not on demand
    model_name: str
    parameters: dict[str, object]
    translations: list[dict[str, object]]
    timings_ms: dict[str, int]
    estimated_cost_usd: dict[str, float | None]
    batch: Batch
    judge_model: NotRequired[str | None]  # the judging asked for when it was made (None: none was)


class EditLink(TypedDict):
    image_id: str
    image_key: str
    mode: str | None
    prompt: str | None
    model: str | None
    created_at: str | None


class IdempotencyResult(TypedDict):
    """What a request with an idempotency key stored, to answer again: its images (each answered
    with its current verdict and a fresh URL) and the parts of the answer they do not hold."""

    image_ids: list[str]
    translations: list[dict[str, object]]
    filtered: int
    notice: str | None
    parent_id: NotRequired[str]
    mode: NotRequired[str]


class UnstoredAnswer(TypedDict):
    """What a request answered when S3 would not take the images it paid for (503
    image_not_stored): the message and the images, inline where they fit."""

    message: str
    images: list[dict[str, object]]


class IdempotencyRecord(TypedDict):
    """idempotency/<hash>.json: a key's request, running, done (with its result) or unstored
    (with the answer that gave back the images S3 would not take)."""

    state: Literal["running", "done", "unstored"]
    fingerprint: str  # of the request body the key came with
    started_at: str
    result: NotRequired[IdempotencyResult]
    unstored: NotRequired[UnstoredAnswer]


def timestamp(at: datetime) -> str:
    return at.isoformat(timespec="milliseconds")


def image_facts(key: str, image: GeneratedImage) -> ImageFacts:
    return {
        "key": key,
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "bytes": len(image.data),
        "sha256": hashlib.sha256(image.data).hexdigest(),
    }


def lineage(
    image_id: str, parent_id: str | None = None, root_id: str | None = None, mode: str | None = None
) -> Lineage:
    """A new image roots its own family; an edit names its parent, its parent's root and its mode."""
    return {"parent_id": parent_id, "root_id": root_id or image_id, "mode": mode}


def generated_origin(image_id: str, prompt: str | None) -> Origin:
    """A generated image: judged against its prompt, the root of its family."""
    return {"kind": "generated", "judge_prompt": prompt, "lineage": lineage(image_id)}


def edit_origin(image_id: str, judge_prompt: str, parent_id: str, parent: Lineage, mode: str) -> Origin:
    """An edit: judged against its parent's prompt and the change, in its parent's family."""
    return {
        "kind": "edit",
        "judge_prompt": judge_prompt,
        "lineage": lineage(image_id, parent_id, parent["root_id"], mode),
    }


def not_requested() -> NotRequested:
    """The evaluation of an image nobody asked to judge."""
    return {"status": "not_requested"}


def made_meta(
    image_id: str,
    key: str,
    image: GeneratedImage,
    at: datetime,
    *,
    request: ImageRequest,
    model: str,
    model_name: str,
    built: BuiltRequest,
    invoke_ms: int,
    cost: float | None,
    batch: Batch,
    origin: Origin,
    judge: str | None = None,
) -> MadeMeta:
    return {
        "image_id": image_id,
        "created_at": timestamp(at),
        "task": request.task.value,
        "prompt": request.prompt,
        "negative_prompt": request.negative_prompt,
        "model": model,
        "model_called": built.model_id,
        "model_name": model_name,
        "seed": image.seed,
        "parameters": built.parameters(),
        "translations": [t.as_dict() for t in built.translations],
        "image": image_facts(key, image),
        "timings_ms": {"invoke": invoke_ms},
        "estimated_cost_usd": {"image": cost},
        "batch": batch,
        "kind": origin["kind"],
        "judge_prompt": origin["judge_prompt"],
        "lineage": origin["lineage"],
        "judge_model": judge,
    }


def upload_meta(image_id: str, key: str, image: GeneratedImage, at: datetime, prompt: str | None) -> Meta:
    """An image made elsewhere; `prompt` is what it should show, for the judge."""
    return {
        "image_id": image_id,
        "created_at": timestamp(at),
        "kind": "upload",
        "task": None,
        "prompt": prompt,
        "judge_prompt": prompt,
        "model": None,
        "seed": None,
        "image": image_facts(key, image),
        "lineage": lineage(image_id),
    }


def partial_meta(image_id: str, key: str, fmt: str, size: int | None, created: datetime | None) -> Meta:
    """What the image object alone tells, marked partial: the prompt, model and seed were only
    in the meta.json that could not be written."""
    return {
        "image_id": image_id,
        "partial": True,
        "created_at": timestamp(created) if created else None,
        "kind": None,
        "task": None,
        "prompt": None,
        "judge_prompt": None,
        "model": None,
        "seed": None,
        "image": {"key": key, "format": fmt, "width": None, "height": None, "bytes": size, "sha256": None},
        "lineage": lineage(image_id),
    }


def edit_link(meta: Meta) -> EditLink:
    """The summary an edit leaves under its parent."""
    return {
        "image_id": meta["image_id"],
        "image_key": meta["image"]["key"],
        "mode": meta["lineage"]["mode"],
        "prompt": meta["prompt"],
        "model": meta["model"],
        "created_at": meta["created_at"],
    }


def done(verdict: Verdict, at: datetime, duration_ms: int) -> DoneVerdict:
    return {
        "status": "done",
        "judge_model": verdict.model_id,
        "description": verdict.description,
        "score": verdict.score,
        "reason": verdict.reason,
        "suggestions": verdict.suggestions,
        "revised_prompt": verdict.revised_prompt,
        "sub_scores": verdict.sub_scores,
        "checklist": verdict.checklist,
        "answered_with": verdict.answered_with,
        "input_tokens": verdict.input_tokens,
        "output_tokens": verdict.output_tokens,
        "estimated_cost_usd": verdict.cost_usd,
        "evaluated_at": timestamp(at),
        "duration_ms": duration_ms,
    }


def failed(judge: str, code: str, message: str, at: datetime) -> FailedVerdict:
    return {
        "status": "failed",
        "judge_model": judge,
        "error": {"code": code, "message": message},
        "failed_at": timestamp(at),
    }


def pending(judge: str, why: str, at: datetime) -> PendingVerdict:
    return {"status": "pending", "judge_model": judge, "requested_at": timestamp(at), "why": why}


def lost(verdict: PendingVerdict) -> LostVerdict:
    return {
        **verdict,
        "status": "failed",
        "error": {
            "code": "evaluation_lost",
            "message": "the background evaluation did not finish; ask POST /evaluate-image",
        },
    }


def unstored(judge: str) -> UnstoredVerdict:
    return {
        "status": "failed",
        "judge_model": judge,
        "error": {
            "code": "evaluation_lost",
            "message": "the verdict of the judging asked for when the image was made could not be stored;"
            " ask POST /evaluate-image",
        },
    }


def kept_with_failure(verdict: DoneVerdict, failure: FailedVerdict) -> DoneVerdict:
    """A done verdict is never replaced by a failure: it is kept, the failure its `last_attempt`."""
    return {**verdict, "last_attempt": failure}


def evaluation_data(evaluation: ShownEvaluation) -> EvaluationData | None:
    """The original API's evaluation_data, once the verdict is done."""
    if evaluation["status"] != "done":
        return None
    return {
        "description": evaluation["description"],
        "score": evaluation["score"],
        "reason": evaluation["reason"],
        "suggestions": evaluation["suggestions"],
    }
