"""The product's use cases, written once: generate, evaluate, modify, describe.

Clients come in from outside (handlers, the CLI, tests). An image is stored before anything
else happens to it; once it is, no later failure (metadata, verdict, edit link, judge, URL)
fails the request: the answer carries the image's id (and URL), and a warning for each step
that did not complete. A judge failure never replaces a done verdict (one it can read).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from .clock import Clock, Deadline, SystemClock
from .config import Settings
from .errors import (
    ImageGenError,
    ImageNotFound,
    InvalidParameter,
    NoTimeLeft,
    Throttled,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from .ids import checked_image_id, new_image_id
from .imageinfo import probe
from .log import Logger, crash_fields, error_fields
from .models.contracts import BuiltRequest, GeneratedImage, ImageResult
from .models.images import build_request, call_image_model
from .models.judge import ORIGINAL_FIELDS, JudgeOptions, Verdict, judge_image
from .models.registry import resolve
from .models.request import ImageRequest, Task
from .retry import with_retries
from .storage import ImageStore

ScheduleEvaluation = Callable[[str, str], None]
"""Start the evaluation of an image id with a judge model in the background."""

DEFERRED_EVALUATION_LIMIT = timedelta(minutes=15)  # Lambda's longest run: a pending verdict older than this was lost
WORTH_DEFERRING = (Throttled, UpstreamUnavailable, UpstreamTimeout, NoTimeLeft)
"""Judge failures the background, with its own time and a longer read timeout, may not meet."""


@dataclasses.dataclass(frozen=True)
class Stored:
    image_id: str
    meta: dict[str, Any]
    data: bytes


@dataclasses.dataclass(frozen=True)
class GenerateInput:
    request: ImageRequest
    model: str | None = None
    evaluate: bool = True
    judge_model: str | None = None


@dataclasses.dataclass(frozen=True)
class ModifyInput:
    image_id: str
    request: ImageRequest  # its task is the mode; the source image is filled in from storage
    model: str | None = None
    evaluate: bool = False
    judge_model: str | None = None


Warnings = list[dict[str, Any]]


class Pipeline:
    def __init__(
        self,
        *,
        bedrock: Any,
        store: ImageStore,
        settings: Settings,
        judge_bedrock: Any = None,
        schedule_evaluation: ScheduleEvaluation | None = None,
        image_call_seconds: float = 25.0,
        judge_call_seconds: float | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        log: Logger | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`image_call_seconds` and `judge_call_seconds` are the longest one call can take (the
        clients' read timeouts): no call, first or retried, starts unless that much time is left."""
        self.bedrock = bedrock
        self.judge_bedrock = judge_bedrock or bedrock
        self.store = store
        self.settings = settings
        self.schedule_evaluation = schedule_evaluation
        self.image_call_seconds = image_call_seconds
        self.judge_call_seconds = judge_call_seconds or settings.judge_seconds
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()
        self.log = log or Logger()
        self.now = now

    def with_log(self, log: Logger) -> Pipeline:
        """The same pipeline, logging through `log` (a logger bound to one request)."""
        twin = copy.copy(self)
        twin.log = log
        return twin

    # --- use cases -------------------------------------------------------------------------

    def generate(self, given: GenerateInput, deadline: Deadline) -> dict[str, Any]:
        """Generate, store every image, then judge each (or defer the judging) as time allows."""
        model = _pick("model", given.model, self.settings.generation_models, Task.GENERATE)
        judge = _pick("judge_model", given.judge_model, self.settings.judge_models, Task.JUDGE)
        warnings: Warnings = []
        built, result, invoke_ms = self._invoke(model, given.request, deadline)
        stored = self._store(
            result,
            built,
            model,
            given.request,
            invoke_ms,
            warnings,
            lambda image_id: {
                "kind": "generated",
                "judge_prompt": given.request.prompt,
                "lineage": {"parent_id": None, "root_id": image_id, "mode": None},
            },
        )
        return self._answer(stored, built, result, judge if given.evaluate else None, deadline, warnings)

    def modify(self, given: ModifyInput, deadline: Deadline) -> dict[str, Any]:
        """Apply a modify task to a stored image and store the result as an edit linked to it."""
        parent_id = checked_image_id(given.image_id)
        mode = given.request.task
        model = self._modify_model(given.model, mode)
        judge = _pick("judge_model", given.judge_model, self.settings.judge_models, Task.JUDGE)
        parent = self.store.load_meta(parent_id)
        source = self.store.load_image(parent["image"]["key"])
        request = dataclasses.replace(given.request, images=(source,))
        if mode is Task.VARIATION and request.strength is None:
            request = dataclasses.replace(request, strength=self.settings.variation_strength)
        warnings: Warnings = []
        built, result, invoke_ms = self._invoke(model, request, deadline)
        stored = self._store(
            result,
            built,
            model,
            request,
            invoke_ms,
            warnings,
            lambda image_id: {
                "kind": "edit",
                "judge_prompt": edit_judge_prompt(mode, request, parent.get("judge_prompt") or ""),
                "lineage": {"parent_id": parent_id, "root_id": parent["lineage"]["root_id"], "mode": mode.value},
            },
        )
        for item in stored:
            self._keep(
                "link the edit to its parent",
                warnings,
                lambda item=item: self.store.link_edit(parent_id, item.image_id, _edit_link(item.meta)),
            )
        answer = self._answer(stored, built, result, judge if given.evaluate else None, deadline, warnings)
        return {**answer, "parent_id": parent_id, "mode": mode.value}

    def upload(self, data: bytes, prompt: str | None = None) -> dict[str, Any]:
        """Store an image made elsewhere (a local file), so it can be modified or judged; `prompt`
        is what it should show, for the judge."""
        info = probe(data)
        image_id = new_image_id()
        key = self.store.save_image(image_id, data, info.format)
        image = GeneratedImage(data=data, format=info.format, width=info.width, height=info.height, seed=None)
        meta = {
            "image_id": image_id,
            "created_at": self.now().isoformat(timespec="milliseconds"),
            "kind": "upload",
            "task": None,
            "prompt": prompt,
            "judge_prompt": prompt,
            "model": None,
            "seed": None,
            "image": _image_facts(key, image),
            "lineage": {"parent_id": None, "root_id": image_id, "mode": None},
        }
        warnings: Warnings = []
        self._keep("store the image's metadata", warnings, lambda: self.store.save_meta(image_id, meta))
        view = self._view(image_id, meta, {"status": "not_requested"}, warnings)
        return {**view, **({"warnings": warnings} if warnings else {})}

    def evaluate(self, image_id: str, deadline: Deadline, judge_model: str | None = None) -> dict[str, Any]:
        """Judge a stored image against its prompt and store the verdict. A failed judge is
        raised, and stored as failed unless the image has a done verdict: that one is kept, with
        the failure as its `last_attempt`."""
        answer, error = self._evaluate(image_id, deadline, judge_model)
        if error:
            raise error
        return answer

    def finish_deferred(self, image_id: str, judge_model: str | None, deadline: Deadline) -> dict[str, Any]:
        """The background half of a deferred evaluation. Whatever happens, the stored verdict
        stops being pending: it becomes done or failed (or stays done, if it was judged since),
        unless S3 refuses the write. A verdict that cannot be read is replaced by the failure."""
        try:
            return self._evaluate(image_id, deadline, judge_model)[0]["evaluation"]  # a judge failure is recorded
        except (ImageNotFound, InvalidParameter) as exc:
            if isinstance(exc, ImageNotFound) or exc.details.get("field") == "image_id":
                return _failed(judge_model or "", exc.code, exc.message, self.now())  # no image: nothing to mark
            failed = _failed(judge_model or "", exc.code, exc.message, self.now())
        except ImageGenError as exc:
            failed = _failed(judge_model or "", exc.code, exc.message, self.now())
        except Exception as exc:  # record it; Lambda must not retry an evaluation that crashed
            self.log.error("deferred_evaluation_crashed", image_id=image_id, **crash_fields(exc))
            failed = _failed(judge_model or "", "internal_error", "the evaluation failed unexpectedly", self.now())
        self._record_failure(image_id, failed, self._stored_verdict(image_id), [])
        return failed

    def _evaluate(
        self, image_id: str, deadline: Deadline, judge_model: str | None
    ) -> tuple[dict[str, Any], ImageGenError | None]:
        """Judge and record; the answer, and the judge's error if it failed. Raises only for what
        comes before the judge (a bad id or judge, an image that cannot be read)."""
        image_id = checked_image_id(image_id)
        judge = _pick("judge_model", judge_model, self.settings.judge_models, Task.JUDGE)
        meta = self.store.load_meta(image_id)
        data = self.store.load_image(meta["image"]["key"])
        previous = self._stored_verdict(image_id)  # read now: after the judge, time is short
        warnings: Warnings = []
        evaluation, error = self._judge(image_id, meta, data, judge, deadline)
        if error:
            self._record_failure(image_id, evaluation, previous, warnings)
        else:
            self._record(image_id, evaluation, warnings)
        answer = {
            "image_id": image_id,
            "evaluation": evaluation,
            "evaluation_data": evaluation_data(evaluation),
            **({"warnings": warnings} if warnings else {}),
        }
        return answer, error

    def describe(self, image_id: str) -> dict[str, Any]:
        """Everything known about an image, with fresh URLs for it and its edits."""
        image_id = checked_image_id(image_id)
        meta = self.store.load_meta(image_id)
        evaluation = self._current(self.store.load_evaluation(image_id) or {"status": "not_requested"})
        edits = [{**link, **self.store.url(link["image_key"])} for link in self.store.edits(image_id)]
        return {
            "image_id": image_id,
            **self.store.url(meta["image"]["key"]),
            "evaluation": evaluation,
            "evaluation_data": evaluation_data(evaluation),
            "edits": edits,
            "meta": meta,
        }

    # --- steps --------------------------------------------------------------------------------

    def _invoke(self, model: str, request: ImageRequest, deadline: Deadline) -> tuple[BuiltRequest, ImageResult, int]:
        """Build and check the request once (that can take seconds for a large source image),
        then call the model, weighing the time left right before each call; a retry calls again
        with the same request."""
        built = build_request(
            model,
            request,
            region=self.bedrock.meta.region_name,
            rng=self.rng,
            allow_retired=self.settings.allow_retired,
        )
        started = self.clock.monotonic()
        result = with_retries(
            lambda: call_image_model(self.bedrock, model, built, request.task),
            deadline,
            rng=self.rng,
            call_seconds=self.image_call_seconds,
        )
        invoke_ms = round((self.clock.monotonic() - started) * 1000)
        self.log.info(
            "image_generated",
            model=model,
            task=request.task.value,
            images=len(result.images),
            filtered=result.filtered,
            ms=invoke_ms,
            **({"upstream": result.upstream[:500]} if result.upstream else {}),  # the model's own words
        )
        return built, result, invoke_ms

    def _store(
        self,
        result: ImageResult,
        built: BuiltRequest,
        model: str,
        request: ImageRequest,
        invoke_ms: int,
        warnings: Warnings,
        describe: Callable[[str], dict[str, Any]],
    ) -> list[Stored]:
        """Store each image, then its metadata. Raises only if no image could be stored."""
        record = resolve(model).record
        ids = [new_image_id() for _ in result.images]
        cost = record.price.image_cost(1, built.quality)  # the builder's choice, never a wire key
        stored: list[Stored] = []
        first_error: ImageGenError | None = None
        for index, (image_id, image) in enumerate(zip(ids, result.images, strict=True)):
            try:
                key = self.store.save_image(image_id, image.data, image.format)
            except ImageGenError as exc:
                first_error = first_error or exc
                self.log.error("image_not_stored", image_id=image_id, **error_fields(exc))
                continue
            meta = {
                "image_id": image_id,
                "created_at": self.now().isoformat(timespec="milliseconds"),
                "task": request.task.value,
                "prompt": request.prompt,
                "negative_prompt": request.negative_prompt,
                "model": model,
                "model_called": built.model_id,
                "model_name": record.name,
                "seed": image.seed,
                "parameters": built.parameters(),
                "translations": [t.as_dict() for t in built.translations],
                "image": _image_facts(key, image),
                "timings_ms": {"invoke": invoke_ms},
                "estimated_cost_usd": {"image": cost},
                "batch": {"index": index, "ids": ids},
                **describe(image_id),
            }
            self._keep(
                "store the image's metadata",
                warnings,
                lambda image_id=image_id, meta=meta: self.store.save_meta(image_id, meta),
            )
            stored.append(Stored(image_id, meta, image.data))
        if not stored:
            assert first_error is not None
            raise first_error
        if first_error:
            warnings.append(
                {
                    "step": "store the image",
                    "code": first_error.code,
                    "message": f"{len(ids) - len(stored)} of {len(ids)} generated images could not be stored",
                }
            )
        self.log.info("images_stored", ids=[s.image_id for s in stored])
        return stored

    def _answer(
        self,
        stored: Sequence[Stored],
        built: BuiltRequest,
        result: ImageResult,
        judge: str | None,
        deadline: Deadline,
        warnings: Warnings,
    ) -> dict[str, Any]:
        views = []
        for item in stored:
            evaluation = {"status": "not_requested"}
            if judge:
                evaluation = self._evaluate_or_defer(item, judge, deadline, warnings)
            views.append(self._view(item.image_id, item.meta, evaluation, warnings))
        judge_costs = [v["evaluation"].get("estimated_cost_usd") or 0 for v in views]
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

    def _evaluate_or_defer(self, item: Stored, judge: str, deadline: Deadline, warnings: Warnings) -> dict[str, Any]:
        if not deadline.fits(self.judge_call_seconds):
            if self.schedule_evaluation is not None:
                why = f"{deadline.remaining():.1f} s were left and a judge call may take {self.judge_call_seconds:g} s"
                return self._defer(item.image_id, judge, why, deadline, warnings)
            message = "there was not enough time left to judge in this request; ask POST /evaluate-image"
            return self._record(item.image_id, _failed(judge, "no_time_left", message, self.now()), warnings)
        evaluation, error = self._judge(item.image_id, item.meta, item.data, judge, deadline)
        if isinstance(error, WORTH_DEFERRING) and self.schedule_evaluation is not None:
            why = f"the judge call failed in the request ({error.code}); it is tried again in the background"
            return self._defer(item.image_id, judge, why, deadline, warnings)
        return self._record(item.image_id, evaluation, warnings)

    def _defer(self, image_id: str, judge: str, why: str, deadline: Deadline, warnings: Warnings) -> dict[str, Any]:
        assert self.schedule_evaluation is not None
        pending = {
            "status": "pending",
            "judge_model": judge,
            "requested_at": self.now().isoformat(timespec="milliseconds"),
            "why": why,
        }
        self._record(image_id, pending, warnings)
        try:
            self.schedule_evaluation(image_id, judge)
        except Exception as exc:  # the image is stored; say why it will not be judged
            why = error_fields(exc) if isinstance(exc, ImageGenError) else crash_fields(exc)  # never its message
            self.log.error("evaluation_not_scheduled", image_id=image_id, **why)
            failed = _failed(
                judge, "evaluation_not_scheduled", "the background evaluation could not be started", self.now()
            )
            return self._record(image_id, failed, warnings)
        self.log.info(
            "evaluation_deferred", image_id=image_id, judge_model=judge, remaining_s=round(deadline.remaining(), 2)
        )
        return pending

    def _judge(
        self, image_id: str, meta: dict[str, Any], data: bytes, judge: str, deadline: Deadline
    ) -> tuple[dict[str, Any], ImageGenError | None]:
        """Judge; returns the verdict (done or failed) and the error, if any. Never raises: every
        error, preparing the call included, is about the judge and becomes a failed verdict."""
        started = self.clock.monotonic()
        try:
            if not meta.get("judge_prompt"):
                missing = "its metadata could not be stored" if meta.get("partial") else "it was stored without one"
                raise InvalidParameter("prompt", None, f"the prompt this image should show: {missing}")
            options = JudgeOptions(
                max_prompt_chars=_prompt_limit(meta.get("model")), allow_retired=self.settings.allow_retired
            )
            verdict = with_retries(
                lambda: judge_image(self.judge_bedrock, judge, data, meta.get("judge_prompt") or "", options),
                deadline,
                rng=self.rng,
                call_seconds=self.judge_call_seconds,
            )
        except ImageGenError as exc:
            self.log.warning("evaluation_failed", image_id=image_id, **error_fields(exc))
            return _failed(judge, exc.code, exc.message, self.now()), exc
        except Exception as exc:  # a bug must not cost the caller the image
            self.log.error("evaluation_crashed", image_id=image_id, **crash_fields(exc))
            failed = _failed(judge, "internal_error", "the evaluation failed unexpectedly", self.now())
            return failed, ImageGenError("the evaluation failed unexpectedly")
        return _done(verdict, self.now(), round((self.clock.monotonic() - started) * 1000)), None

    def _record(self, image_id: str, evaluation: dict[str, Any], warnings: Warnings) -> dict[str, Any]:
        self._keep("store the evaluation", warnings, lambda: self.store.save_evaluation(image_id, evaluation))
        return evaluation

    def _record_failure(
        self, image_id: str, failed: dict[str, Any], previous: dict[str, Any] | None, warnings: Warnings
    ) -> None:
        """Store a failed verdict, unless it would replace a done one: that is kept, with the
        failure as its `last_attempt`. An earlier verdict that could not be read is read once
        more (S3 may have failed once; a verdict may have been stored since). If it still cannot
        be, the failure is stored over it: left alone, a pending verdict would stay pending until
        it reads as lost, and a document that cannot be read is no verdict to keep."""
        if previous is _UNREAD:
            previous = self._stored_verdict(image_id)
            if previous is _UNREAD:
                self.log.warning("unreadable_verdict_replaced", image_id=image_id)
        if previous is not None and previous.get("status") == "done":
            self._record(image_id, {**previous, "last_attempt": failed}, warnings)
        else:
            self._record(image_id, failed, warnings)

    def _stored_verdict(self, image_id: str) -> dict[str, Any] | None:
        """The verdict stored for an image, None if there is none, _UNREAD if it cannot be read."""
        try:
            return self.store.load_evaluation(image_id)
        except ImageGenError as exc:
            self.log.error("step_failed", step="read the earlier verdict", **error_fields(exc))
            return _UNREAD

    def _keep(self, step: str, warnings: Warnings, action: Callable[[], Any]) -> bool:
        """Run a step that follows a stored image; its failure becomes a warning, not an error."""
        try:
            action()
            return True
        except ImageGenError as exc:
            self.log.error("step_failed", step=step, **error_fields(exc))
            warnings.append({"step": step, "code": exc.code, "message": exc.message})
            return False

    def _current(self, evaluation: dict[str, Any]) -> dict[str, Any]:
        """A pending verdict older than any background run can last was lost: say so."""
        if evaluation.get("status") != "pending":
            return evaluation
        requested = datetime.fromisoformat(evaluation["requested_at"])
        if self.now() - requested <= DEFERRED_EVALUATION_LIMIT:
            return evaluation
        return {
            **evaluation,
            "status": "failed",
            "error": {
                "code": "evaluation_lost",
                "message": "the background evaluation did not finish; ask POST /evaluate-image",
            },
        }

    def _view(
        self, image_id: str, meta: dict[str, Any], evaluation: dict[str, Any], warnings: Warnings
    ) -> dict[str, Any]:
        """An image as an answer shows it. A URL that cannot be signed is a warning (GET
        /images/{id} signs a fresh one), never the loss of the stored image's id."""
        facts = meta["image"]
        link = {"url": None, "url_expires_at": None}
        self._keep("sign the image's URL", warnings, lambda: link.update(self.store.url(facts["key"])))
        return {
            "image_id": image_id,
            **link,
            "key": facts["key"],
            "model": meta["model"],
            "seed": meta["seed"],
            "format": facts["format"],
            "width": facts["width"],
            "height": facts["height"],
            "evaluation_data": evaluation_data(evaluation),
            "evaluation": evaluation,
        }

    def _modify_model(self, given: str | None, mode: Task) -> str:
        configured = self.settings.modify_model(mode.value)
        candidates = dict.fromkeys([configured, *self.settings.modify_models.values()])
        return _pick("model", given, tuple(m for m in candidates if resolve(m).record.supports(mode)), mode)


def evaluation_data(evaluation: dict[str, Any]) -> dict[str, Any] | None:
    """The original API's evaluation_data (score an integer), once the verdict is done."""
    if evaluation.get("status") != "done":
        return None
    return {k: evaluation[k] for k in ORIGINAL_FIELDS}


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
        case _:  # upscale, remove-background: the same picture
            return parent_prompt


def _pick(field: str, given: str | None, allowed: Sequence[str], task: Task) -> str:
    """The caller's model if this deployment allows it for the task (an ARN becomes its id),
    else the default."""
    if given is None:
        return allowed[0]
    resolved = resolve(given)
    if resolved.requested_id in allowed or resolved.record.id in allowed:
        resolved.record.require(task)
        return resolved.requested_id
    raise InvalidParameter(field, given, f"one of the models this deployment allows for {task}: {', '.join(allowed)}")


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


def _image_facts(key: str, image: GeneratedImage) -> dict[str, Any]:
    return {
        "key": key,
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "bytes": len(image.data),
        "sha256": hashlib.sha256(image.data).hexdigest(),
    }


def _edit_link(meta: dict[str, Any]) -> dict[str, Any]:
    return {
        "image_id": meta["image_id"],
        "image_key": meta["image"]["key"],
        "mode": meta["lineage"]["mode"],
        "prompt": meta["prompt"],
        "model": meta["model"],
        "created_at": meta["created_at"],
    }


def _done(verdict: Verdict, now: datetime, ms: int) -> dict[str, Any]:
    return {
        "status": "done",
        "judge_model": verdict.model_id,
        **{
            k: getattr(verdict, k)
            for k in (*ORIGINAL_FIELDS, "revised_prompt", "answered_with", "input_tokens", "output_tokens")
        },
        "estimated_cost_usd": verdict.cost_usd,
        "evaluated_at": now.isoformat(timespec="milliseconds"),
        "duration_ms": ms,
    }


_UNREAD: dict[str, Any] = {"status": "unreadable"}  # a stored verdict that could not be read


def _failed(judge: str, code: str, message: str, now: datetime) -> dict[str, Any]:
    return {
        "status": "failed",
        "judge_model": judge,
        "error": {"code": code, "message": message},
        "failed_at": now.isoformat(timespec="milliseconds"),
    }
