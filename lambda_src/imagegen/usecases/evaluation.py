"""Evaluation: judge a stored image against the prompt it should show, and keep the verdict.

A verdict is done, failed or pending (handed to the background, which has its own time). A
failure never replaces a done verdict: that one is kept, the failure its `last_attempt`. A
pending verdict older than any background run can last reads as lost.

A request and a background run may judge the same image at once, so a verdict is stored
compare-and-set: over the version read (S3's conditional writes), read again and decided
again (`settled`) when another write came first.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .. import documents, downscale
from ..clock import Deadline
from ..documents import DoneVerdict, Evaluation, FailedVerdict, Meta, PendingVerdict, ShownEvaluation
from ..errors import (
    ImageGenError,
    ImageNotFound,
    InvalidParameter,
    MetadataLost,
    NoTimeLeft,
    StorageFailure,
    Throttled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from ..ids import checked_image_id
from ..log import crash_fields, error_fields
from ..models.judge import JudgeOptions, build_judge_request, call_judge
from ..models.registry import resolve
from ..retry import with_retries
from .services import Services, Warnings, pick_judge

DEFERRED_EVALUATION_LIMIT = timedelta(minutes=15)  # Lambda's longest run: a pending verdict older than this was lost
WORTH_DEFERRING = (Throttled, UpstreamUnavailable, UpstreamTimeout, NoTimeLeft)
"""Judge failures the background, with its own time and a longer read timeout, may not meet."""
WRITE_ATTEMPTS = 5
"""Conditional writes of one verdict before giving up; each conflict means another write landed."""
RETRY_SECONDS = 1.0
"""The time a retried write (a read and a write, in-region 0.02-0.3 s each) needs left to start."""


class Unread(enum.Enum):
    """A stored verdict that could not be read (S3 failed, or the document is not JSON)."""

    VERDICT = "unreadable"


@dataclass(frozen=True)
class Seen:
    """The verdict stored when it was read (None: none), and the ETag S3 gave that version."""

    verdict: Evaluation | None
    etag: str | None


NONE_YET = Seen(None, None)
"""What an image just stored has: no verdict (a write still checks that none was stored since)."""

Previous = Seen | Unread
"""The verdict stored before a judging: one (or none) and its version, or one that could not be read."""


def evaluate(
    services: Services, image_id: str, deadline: Deadline, judge_model: str | None
) -> tuple[dict[str, Any], ImageGenError | None]:
    """Judge and record; the answer, and the judge's error if it failed. Raises only for what
    comes before the judge (a bad id or judge, an image that cannot be read)."""
    image_id = checked_image_id(image_id)
    judge = pick_judge(services, judge_model)
    meta = services.store.load_meta(image_id)
    data = services.store.load_image(meta["image"]["key"])
    previous = _stored_verdict(services, image_id)  # read now: after the judge, time is short
    warnings: Warnings = []
    evaluation, error = _judge(services, image_id, meta, data, judge, deadline)
    _record(services, image_id, evaluation, warnings, deadline, previous)
    answer = {
        "image_id": image_id,
        "evaluation": evaluation,
        "evaluation_data": documents.evaluation_data(evaluation),
        **({"warnings": warnings} if warnings else {}),
    }
    return answer, error


def finish_deferred(services: Services, image_id: str, judge_model: str | None, deadline: Deadline) -> Evaluation:
    """The background half of a deferred evaluation. Whatever happens, the stored verdict
    stops being pending: it becomes done or failed (or stays done, if it was judged since),
    unless S3 refuses the write. A verdict that cannot be read is replaced by the failure."""
    judge = judge_model or ""
    try:
        evaluation: Evaluation = evaluate(services, image_id, deadline, judge_model)[0]["evaluation"]
        return evaluation  # a judge failure is recorded
    except (ImageNotFound, InvalidParameter) as exc:
        failure = documents.failed(judge, exc.code, exc.message, services.now())
        if isinstance(exc, ImageNotFound) or exc.details.get("field") == "image_id":
            return failure  # no image: nothing to mark
    except ImageGenError as exc:
        failure = documents.failed(judge, exc.code, exc.message, services.now())
    except Exception as exc:  # record it; Lambda must not retry an evaluation that crashed
        services.log.error("deferred_evaluation_crashed", image_id=image_id, **crash_fields(exc))
        failure = documents.failed(judge, "internal_error", "the evaluation failed unexpectedly", services.now())
    _record(services, image_id, failure, [], deadline)
    return failure


@dataclass(frozen=True)
class Deferral:
    """A judging handed to the background, and why (shown in the pending verdict)."""

    why: str


def judge_new(
    services: Services,
    image_id: str,
    meta: Meta,
    data: bytes,
    judge: str,
    deadline: Deadline,
    writes_seconds: float = 0.0,
) -> DoneVerdict | FailedVerdict | Deferral:
    """Judge an image just made, while its writes (`writes_seconds` still kept for them) run
    beside the call, if the time left holds both; else, or when the judge fails in a way the
    background may not, hand it to the background (`keep_new` records either)."""
    seconds = services.judge_call_seconds
    can_defer = services.schedule_evaluation is not None
    if not deadline.fits(seconds + writes_seconds):
        if can_defer:
            return Deferral(f"{deadline.remaining():.1f} s were left and a judge call may take {seconds:g} s")
        message = "there was not enough time left to judge in this request; ask POST /evaluate-image"
        return documents.failed(judge, "no_time_left", message, services.now())
    evaluation, error = _judge(services, image_id, meta, data, judge, deadline)
    if isinstance(error, WORTH_DEFERRING) and can_defer:
        return Deferral(f"the judge call failed in the request ({error.code}); it is tried again in the background")
    return evaluation


def keep_new(
    services: Services,
    image_id: str,
    judged: DoneVerdict | FailedVerdict | Deferral,
    judge: str,
    deadline: Deadline,
    warnings: Warnings,
) -> Evaluation:
    """Record the first verdict of a stored image, or hand its judging to the background (which
    reads the image, so only once it is stored)."""
    if isinstance(judged, Deferral):
        return _defer(services, image_id, judge, judged.why, deadline, warnings)
    _record(services, image_id, judged, warnings, deadline, NONE_YET)
    return judged


def _defer(
    services: Services, image_id: str, judge: str, why: str, deadline: Deadline, warnings: Warnings
) -> PendingVerdict | FailedVerdict:
    schedule = services.schedule_evaluation
    assert schedule is not None
    waiting = documents.pending(judge, why, services.now())
    stored = _record(services, image_id, waiting, warnings, deadline, NONE_YET)
    try:
        schedule(image_id, judge)
    except Exception as exc:  # the image is stored; say why it will not be judged
        fields = error_fields(exc) if isinstance(exc, ImageGenError) else crash_fields(exc)  # never its message
        services.log.error("evaluation_not_scheduled", image_id=image_id, **fields)
        failure = documents.failed(
            judge, "evaluation_not_scheduled", "the background evaluation could not be started", services.now()
        )
        _record(services, image_id, failure, warnings, deadline, stored)
        return failure
    services.log.info(
        "evaluation_deferred", image_id=image_id, judge_model=judge, remaining_s=round(deadline.remaining(), 2)
    )
    return waiting


def _judge(
    services: Services, image_id: str, meta: Meta, data: bytes, judge: str, deadline: Deadline
) -> tuple[documents.DoneVerdict | FailedVerdict, ImageGenError | None]:
    """Judge; returns the verdict (done or failed) and the error, if any. Never raises: every
    error, preparing the call included, is about the judge and becomes a failed verdict."""
    started = services.clock.monotonic()
    try:
        prompt = meta.get("judge_prompt")
        if not prompt and meta.get("partial"):
            raise MetadataLost(
                "this image cannot be judged: its metadata could not be stored when it was made, and with it"
                " the prompt it should show; generate it again, or upload it with the prompt"
            )
        if not prompt:
            raise InvalidParameter("prompt", None, "the prompt this image should show: it was stored without one")
        options = JudgeOptions(
            max_prompt_chars=_prompt_limit(meta.get("model")),
            shrink=downscale.shrink,  # an image over Converse's limits is judged from a smaller copy
            allow_retired=services.settings.allow_retired,
            edit=meta["lineage"]["mode"] is not None,  # an edit's verdict scores the change and what it kept
        )
        client = services.judge_bedrock  # the request is built (an image too large shrunk) once, for every try
        request = build_judge_request(judge, data, prompt, options, region=client.meta.region_name)
        verdict = with_retries(
            lambda: call_judge(client, request, judge, options),
            deadline,
            rng=services.rng,
            call_seconds=services.judge_call_seconds,
            log=services.log,
            model=judge,
        )
    except ImageGenError as exc:
        services.log.warning("evaluation_failed", image_id=image_id, **error_fields(exc))
        return documents.failed(judge, exc.code, exc.message, services.now()), exc
    except Exception as exc:  # a bug must not cost the caller the image
        services.log.error("evaluation_crashed", image_id=image_id, **crash_fields(exc))
        failure = documents.failed(judge, "internal_error", "the evaluation failed unexpectedly", services.now())
        return failure, ImageGenError("the evaluation failed unexpectedly")
    ms = round((services.clock.monotonic() - started) * 1000)
    services.log.info("image_judged", image_id=image_id, judge_model=judge, ms=ms, cost_usd=verdict.cost_usd)
    return documents.done(verdict, services.now(), ms), None


def _record(
    services: Services,
    image_id: str,
    evaluation: Evaluation,
    warnings: Warnings,
    deadline: Deadline,
    seen: Previous | None = None,
) -> Previous:
    """Record the verdict over the one `seen` (read first when None) by the rule of `settled`;
    the answer still shows it if S3 refuses (with a warning). What is stored afterwards."""
    after: list[Previous] = [Unread.VERDICT]

    def store() -> None:
        after[0] = _compare_and_set(services, image_id, evaluation, deadline, seen)

    services.keep("store the evaluation", warnings, store)
    return after[0]


def _compare_and_set(
    services: Services, image_id: str, evaluation: Evaluation, deadline: Deadline, seen: Previous | None
) -> Previous:
    """Write what `settled` makes of the verdict and the stored one, on the condition that the
    stored one is still the version read; when another write came first, read it and decide
    again, while attempts and time are left. A verdict that could not be read is read once
    more; if it still cannot be, the verdict is written over it unconditionally: left alone, a
    pending verdict would stay pending until it reads as lost, and a document that cannot be
    read is no verdict to keep."""
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        if not isinstance(seen, Seen):
            seen = _stored_verdict(services, image_id)
        if not isinstance(seen, Seen):
            services.log.warning("unreadable_verdict_replaced", image_id=image_id)
            services.store.save_evaluation(image_id, evaluation)
            return Unread.VERDICT  # stored, in a version this write cannot name
        chosen = settled(seen.verdict, evaluation)
        if chosen is None:
            return seen
        etag = services.store.save_evaluation_if(image_id, chosen, seen.etag)
        if etag is not None:
            return Seen(chosen, etag)
        services.log.info("verdict_write_conflict", image_id=image_id, attempt=attempt)
        if not deadline.fits(RETRY_SECONDS):
            break
        seen = None
    raise StorageFailure("could not store the evaluation in S3: other writes of it kept coming first")


def settled(stored: Evaluation | None, new: Evaluation) -> Evaluation | None:
    """What evaluation.json holds once `new` is recorded over `stored`; None when `stored` stands.
    A done verdict is never replaced by a failure (which becomes its `last_attempt`) nor by a
    pending one (the background run it announces keeps it, or replaces it with a later done).
    A done verdict replaces any other but a done one judged after it; the rest replace each other."""
    if stored is None or stored["status"] != "done":
        return new
    if new["status"] == "failed":
        return documents.kept_with_failure(stored, new)
    if new["status"] == "pending":
        return None
    judged = datetime.fromisoformat(new["evaluated_at"])
    return new if judged >= datetime.fromisoformat(stored["evaluated_at"]) else None


def _stored_verdict(services: Services, image_id: str) -> Previous:
    try:
        return Seen(*services.store.load_evaluation_version(image_id))
    except ImageGenError as exc:
        services.log.error("step_failed", step="read the earlier verdict", **error_fields(exc))
        return Unread.VERDICT


def current(services: Services, evaluation: Evaluation | None, meta: Meta | None = None) -> ShownEvaluation:
    """The stored verdict as it stands now: none is not requested, unless the image's metadata
    says a judging was asked for when it was made (its verdict could not be stored: lost); and
    a pending one older than any background run can last was lost."""
    if not evaluation:
        judge = meta.get("judge_model") if meta else None
        return documents.unstored(judge) if isinstance(judge, str) else documents.not_requested()
    if evaluation["status"] != "pending":
        return evaluation
    requested = datetime.fromisoformat(evaluation["requested_at"])
    if services.now() - requested <= DEFERRED_EVALUATION_LIMIT:
        return evaluation
    return documents.lost(evaluation)


def _prompt_limit(model: str | None) -> int | None:
    """The generation model's prompt limit, for the judge's revised prompt. None when unknown:
    a model that has left the registry since the image was made does not stop its judging."""
    if model is None:
        return None
    try:
        limits = resolve(model).record.limits.get("prompt_chars")
    except ImageGenError:
        return None
    return limits[1] if limits else None
