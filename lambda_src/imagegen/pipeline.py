"""The product's use cases, written once: generate, evaluate, modify, describe.

Clients come in from outside (handlers, the CLI, tests). An image is stored before anything
else happens to it, so a failing judge or a lost connection never loses it.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
import traceback
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from .clock import Clock, Deadline, SystemClock
from .config import Settings
from .errors import ImageGenError, InvalidParameter
from .ids import checked_image_id, new_image_id
from .log import Logger
from .models.contracts import BuiltRequest, GeneratedImage, ImageResult
from .models.images import invoke_image_model
from .models.judge import JudgeOptions, Verdict, judge_image
from .models.registry import resolve
from .models.request import ImageRequest, Task
from .retry import with_retries
from .storage import ImageStore

ScheduleEvaluation = Callable[[str, str], None]
"""Start the evaluation of an image id with a judge model in the background."""

IMAGE_CALL_SECONDS = 6.0  # time to keep for one more image call when retrying
JUDGE_CALL_SECONDS = 3.0


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


class Pipeline:
    def __init__(
        self,
        *,
        bedrock: Any,
        store: ImageStore,
        settings: Settings,
        judge_bedrock: Any = None,
        schedule_evaluation: ScheduleEvaluation | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        log: Logger | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.bedrock = bedrock
        self.judge_bedrock = judge_bedrock or bedrock
        self.store = store
        self.settings = settings
        self.schedule_evaluation = schedule_evaluation
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
        if given.request.task is not Task.GENERATE:
            raise InvalidParameter("task", given.request.task.value, "generate")
        model = _pick("model", given.model, self.settings.generation_models, Task.GENERATE)
        judge = _pick("judge_model", given.judge_model, self.settings.judge_models, Task.JUDGE)
        built, result, invoke_ms = self._invoke(model, given.request, deadline)
        stored = self._store(
            result,
            built,
            model,
            given.request,
            invoke_ms,
            lambda image_id: {
                "kind": "generated",
                "judge_prompt": given.request.prompt,
                "lineage": {"parent_id": None, "root_id": image_id, "mode": None},
            },
        )
        return self._answer(stored, built, result, judge if given.evaluate else None, deadline)

    def modify(self, given: ModifyInput, deadline: Deadline) -> dict[str, Any]:
        """Apply a modify task to a stored image and store the result as an edit linked to it."""
        parent_id = checked_image_id(given.image_id)
        parent = self.store.load_meta(parent_id)
        mode = given.request.task
        if mode in (Task.GENERATE, Task.JUDGE):
            raise InvalidParameter("mode", mode.value, f"one of {', '.join(self.settings.modify_models)}")
        model = self._modify_model(given.model, mode)
        judge = _pick("judge_model", given.judge_model, self.settings.judge_models, Task.JUDGE)
        source = self.store.load_image(parent["image"]["key"])
        request = dataclasses.replace(given.request, images=(source,))
        if mode is Task.VARIATION and request.strength is None:
            request = dataclasses.replace(request, strength=self.settings.variation_strength)
        built, result, invoke_ms = self._invoke(model, request, deadline)
        stored = self._store(
            result,
            built,
            model,
            request,
            invoke_ms,
            lambda image_id: {
                "kind": "edit",
                "judge_prompt": request.prompt or parent.get("judge_prompt"),
                "lineage": {"parent_id": parent_id, "root_id": parent["lineage"]["root_id"], "mode": mode.value},
            },
        )
        for item in stored:
            self.store.link_edit(parent_id, item.image_id, _edit_link(item.meta))
        answer = self._answer(stored, built, result, judge if given.evaluate else None, deadline)
        return {**answer, "parent_id": parent_id, "mode": mode.value}

    def evaluate(self, image_id: str, deadline: Deadline, judge_model: str | None = None) -> dict[str, Any]:
        """Judge a stored image against its prompt and store the verdict; a failed judge is stored
        as failed and raised."""
        image_id = checked_image_id(image_id)
        meta = self.store.load_meta(image_id)
        judge = _pick("judge_model", judge_model, self.settings.judge_models, Task.JUDGE)
        data = self.store.load_image(meta["image"]["key"])
        evaluation, error = self._judge(image_id, meta, data, judge, deadline)
        if error:
            raise error
        return {"image_id": image_id, "evaluation": evaluation, "evaluation_data": evaluation_data(evaluation)}

    def describe(self, image_id: str) -> dict[str, Any]:
        """Everything known about an image, with fresh URLs for it and its edits."""
        image_id = checked_image_id(image_id)
        meta = self.store.load_meta(image_id)
        evaluation = self.store.load_evaluation(image_id) or {"status": "not_requested"}
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
        started = self.clock.monotonic()
        built, result = with_retries(
            lambda: invoke_image_model(
                self.bedrock, model, request, rng=self.rng, allow_retired=self.settings.allow_retired
            ),
            deadline,
            rng=self.rng,
            call_seconds=IMAGE_CALL_SECONDS,
        )
        invoke_ms = round((self.clock.monotonic() - started) * 1000)
        self.log.info(
            "image_generated",
            model=model,
            task=request.task.value,
            images=len(result.images),
            filtered=result.filtered,
            ms=invoke_ms,
        )
        return built, result, invoke_ms

    def _store(
        self,
        result: ImageResult,
        built: BuiltRequest,
        model: str,
        request: ImageRequest,
        invoke_ms: int,
        describe: Callable[[str], dict[str, Any]],
    ) -> list[Stored]:
        """Store each image, then its metadata, in order."""
        record = resolve(model).record
        ids = [new_image_id() for _ in result.images]
        cost = record.price.image_cost(1, built.body.get("imageGenerationConfig", {}).get("quality"))
        stored = []
        for index, (image_id, image) in enumerate(zip(ids, result.images, strict=True)):
            key = self.store.save_image(image_id, image.data, image.format)
            meta = {
                "image_id": image_id,
                "created_at": self.now().isoformat(timespec="seconds"),
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
            self.store.save_meta(image_id, meta)
            stored.append(Stored(image_id, meta, image.data))
        self.log.info("images_stored", ids=ids)
        return stored

    def _answer(
        self,
        stored: Sequence[Stored],
        built: BuiltRequest,
        result: ImageResult,
        judge: str | None,
        deadline: Deadline,
    ) -> dict[str, Any]:
        views = []
        for item in stored:
            evaluation = {"status": "not_requested"}
            if judge:
                evaluation = self._evaluate_or_defer(item, judge, deadline)
            views.append(self._view(item.image_id, item.meta, evaluation))
        first = views[0]
        costs = [v["evaluation"].get("estimated_cost_usd") or 0 for v in views]
        image_cost = (stored[0].meta["estimated_cost_usd"]["image"] or 0) * len(stored)
        answer = {
            **first,
            "translations": [t.as_dict() for t in built.translations],
            "filtered": result.filtered,
            "notice": result.notice,
            "estimated_cost_usd": round(image_cost + sum(costs), 6),
        }
        if len(views) > 1:
            answer["images"] = views
        return answer

    def _evaluate_or_defer(self, item: Stored, judge: str, deadline: Deadline) -> dict[str, Any]:
        if self.schedule_evaluation is not None and not deadline.fits(self.settings.judge_seconds):
            return self._defer(item.image_id, judge, deadline)
        evaluation, _ = self._judge(item.image_id, item.meta, item.data, judge, deadline)
        return evaluation

    def _defer(self, image_id: str, judge: str, deadline: Deadline) -> dict[str, Any]:
        assert self.schedule_evaluation is not None
        pending = {
            "status": "pending",
            "judge_model": judge,
            "requested_at": self.now().isoformat(timespec="seconds"),
            "why": f"{deadline.remaining():.1f} s were left, the judge needs about {self.settings.judge_seconds:g} s",
        }
        self.store.save_evaluation(image_id, pending)
        try:
            self.schedule_evaluation(image_id, judge)
        except Exception as exc:  # the image is stored; say why it will not be judged
            self.log.error("evaluation_not_scheduled", image_id=image_id, error=repr(exc))
            failed = _failed(
                judge, "evaluation_not_scheduled", "the background evaluation could not be started", self.now()
            )
            self.store.save_evaluation(image_id, failed)
            return failed
        self.log.info(
            "evaluation_deferred", image_id=image_id, judge_model=judge, remaining_s=round(deadline.remaining(), 2)
        )
        return pending

    def _judge(
        self, image_id: str, meta: dict[str, Any], data: bytes, judge: str, deadline: Deadline
    ) -> tuple[dict[str, Any], ImageGenError | None]:
        """Judge and store the verdict, done or failed. Never raises for the judge's own failure."""
        started = self.clock.monotonic()
        options = JudgeOptions(max_prompt_chars=_prompt_limit(meta["model"]), allow_retired=self.settings.allow_retired)
        error: ImageGenError | None = None
        try:
            verdict = with_retries(
                lambda: judge_image(self.judge_bedrock, judge, data, meta["judge_prompt"] or "", options),
                deadline,
                rng=self.rng,
                call_seconds=JUDGE_CALL_SECONDS,
            )
            evaluation = _done(verdict, self.now(), round((self.clock.monotonic() - started) * 1000))
        except ImageGenError as exc:
            error = exc
            evaluation = _failed(judge, exc.code, exc.message, self.now())
            self.log.warning("evaluation_failed", image_id=image_id, code=exc.code, upstream=exc.upstream)
        except Exception as exc:  # a bug must not cost the caller the image
            self.log.error("evaluation_crashed", image_id=image_id, error=repr(exc), trace=traceback.format_exc())
            error = ImageGenError("the evaluation failed unexpectedly")
            evaluation = _failed(judge, "internal_error", "the evaluation failed unexpectedly", self.now())
        self.store.save_evaluation(image_id, evaluation)
        return evaluation, error

    def _view(self, image_id: str, meta: dict[str, Any], evaluation: dict[str, Any]) -> dict[str, Any]:
        facts = meta["image"]
        return {
            "image_id": image_id,
            **self.store.url(facts["key"]),
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
        candidates = [configured] + [m for m in self.settings.modify_models.values() if m != configured]
        capable = tuple(m for m in dict.fromkeys(candidates) if resolve(m).record.supports(mode))
        return _pick("model", given, capable, mode)


def evaluation_data(evaluation: dict[str, Any]) -> dict[str, Any] | None:
    """The original API's evaluation_data (score an integer), once the verdict is done."""
    if evaluation.get("status") != "done":
        return None
    return {k: evaluation[k] for k in ("description", "score", "reason", "suggestions")}


def _pick(field: str, given: str | None, allowed: Sequence[str], task: Task) -> str:
    """The caller's model if this deployment allows it for the task, else the default."""
    if given is None:
        return allowed[0]
    if not isinstance(given, str):
        raise InvalidParameter(field, given, "a model id")
    base = resolve(given).record.id
    if given in allowed or base in allowed:
        resolve(given).record.require(task)
        return given
    raise InvalidParameter(field, given, f"one of the models this deployment allows for {task}: {', '.join(allowed)}")


def _prompt_limit(model: str) -> int | None:
    limits = resolve(model).record.limits.get("prompt_chars")
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
        "score": verdict.score,
        "description": verdict.description,
        "reason": verdict.reason,
        "suggestions": verdict.suggestions,
        "revised_prompt": verdict.revised_prompt,
        "answered_with": verdict.answered_with,
        "input_tokens": verdict.input_tokens,
        "output_tokens": verdict.output_tokens,
        "estimated_cost_usd": verdict.cost_usd,
        "evaluated_at": now.isoformat(timespec="seconds"),
        "duration_ms": ms,
    }


def _failed(judge: str, code: str, message: str, now: datetime) -> dict[str, Any]:
    return {
        "status": "failed",
        "judge_model": judge,
        "error": {"code": code, "message": message},
        "failed_at": now.isoformat(timespec="seconds"),
    }
