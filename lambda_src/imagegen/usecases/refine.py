"""Refine: generate, judge, revise the prompt from the verdict, and go again, as a job.

`start` records a queued job and starts its worker (the deployed API invokes the worker function
asynchronously); `run` is the worker: it takes the job's lease and runs rounds until one stops it,
recording each round as it completes. `show` is GET /jobs/{id}.

A round generates through `generation.generate` with an idempotency key made of the job id and
the round's number, and judges the image inline (`evaluation.evaluate`, which stores the verdict
beside the image). A worker that crashed or ran out of time resumes from the last recorded round:
a round it had paid for but not recorded replays its stored image (and its stored verdict), so no
round is paid for twice.

Stops, checked after each round and before the next: the target (a round's score >= target_score),
the round limit (max_rounds), the budget (spent + the estimated cost of a round would pass
budget_usd: the last round's cost, or for the first the catalog's price of an image and of a judge
call of `JUDGE_TOKENS_ESTIMATE`). A judge that fails is recorded as a failed round and tried once
more on the same image (`JUDGE_ATTEMPTS`); if it fails again the job fails with its error. A round
whose image cannot be made (a filtered prompt) fails the job with that error; earlier rounds stay.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from .. import documents, idempotency, jobs
from ..clock import Deadline
from ..documents import DoneVerdict
from ..errors import IdempotencyKeyReused, ImageGenError, NoTimeLeft, RequestInProgress, UpstreamUnavailable
from ..jobs import Asked, JobError, RefineJob, Round
from ..log import crash_fields, error_fields
from ..models.images import build_request
from ..models.registry import resolve
from ..models.request import ImageRequest, Task
from . import evaluation, generation
from .services import Services, pick, pick_judge

JUDGE_ATTEMPTS = 2  # a judging that fails is tried once more on the same image, then the job fails
JUDGE_TOKENS_ESTIMATE = (1500, 400)  # input and output tokens of one judge call, for the first round's estimate
EMPHASIS = "clearly showing "
RESUMABLE = (RequestInProgress, NoTimeLeft)
"""A round's failures that a later invocation (Lambda's retry) may not meet: not recorded."""
WRITE_SECONDS = 2.0  # the round's writes (image, meta, verdict, idempotency record, the job)

OnRound = Callable[[RefineJob, Round], None]
"""Told of each round once it is recorded (the job as it now stands, and the round)."""


@dataclass(frozen=True)
class RefineInput:
    prompt: str
    target_score: int = 8
    max_rounds: int = 3
    model: str | None = None
    judge_model: str | None = None
    budget_usd: float | None = None
    idempotency: idempotency.IdempotencyKey | None = None


def start(services: Services, given: RefineInput) -> dict[str, Any]:
    """Record a queued job and start its worker: {job_id, status, links}. With an idempotency
    key already used for a job, that job as it stands, and nothing is started."""
    asked: Asked = {
        "prompt": given.prompt,
        "target_score": given.target_score,
        "max_rounds": given.max_rounds,
        "budget_usd": given.budget_usd,
        "model": pick("model", given.model, services.settings.generation_models, Task.GENERATE),
        "judge_model": pick_judge(services, given.judge_model),
    }
    _first_round_fits(services, asked)
    key = given.idempotency
    job_id = jobs.job_id_for(key.key if key else None)
    store = jobs.Jobs(services.store)
    job = jobs.new_job(job_id, asked, key.fingerprint if key else None, services.now())
    if store.create(job) is None:
        found, _ = store.load(job_id)
        if found["fingerprint"] != job["fingerprint"]:
            raise IdempotencyKeyReused()
        return {**_accepted(found), "replayed": True}
    starter = services.start_refine
    try:
        if starter is None:
            raise UpstreamUnavailable("this deployment has no refine worker configured")
        starter(job_id)
    except Exception as exc:  # nothing was paid for: forget the job, so that a retry starts it
        fields = error_fields(exc) if isinstance(exc, ImageGenError) else crash_fields(exc)
        services.log.error("refine_not_started", job_id=job_id, **fields)
        services.keep("forget the job", [], lambda: store.delete(job_id))
        raise UpstreamUnavailable("the refine worker could not be started; try again") from exc
    services.log.info("refine_queued", job_id=job_id, model=asked["model"], judge_model=asked["judge_model"])
    return _accepted(job)


def _first_round_fits(services: Services, asked: Asked) -> None:
    """What round one would refuse (a prompt over the model's limit, a retired model), refused
    before a job is queued, as POST /generate-image refuses it; nothing is called."""
    request = ImageRequest(task=Task.GENERATE, prompt=asked["prompt"])
    allow_retired = services.settings.allow_retired
    build_request(asked["model"], request, rng=random.Random(0), allow_retired=allow_retired)
    if not allow_retired:
        resolve(asked["judge_model"]).record.check_callable(services.now().date(), Task.JUDGE)


def _accepted(job: RefineJob) -> dict[str, Any]:
    return {"job_id": job["job_id"], "status": job["status"], "links": {"self": f"/jobs/{job['job_id']}"}}


def run(
    services: Services, job_id: str, owner: str, deadline: Deadline, on_round: OnRound | None = None
) -> RefineJob | None:
    """Run the job's remaining rounds as worker `owner` (Lambda's request id); the job as it
    ended, or None when there was nothing to do (the job had ended, or another worker holds it).
    Raises NoTimeLeft, with the lease let go, when too little time is left for the next round:
    the invocation fails and Lambda's retry resumes the job."""
    store = jobs.Jobs(services.store)
    held = store.acquire(job_id, owner, services.now())
    if held is None:
        services.log.info("refine_skipped", job_id=job_id, owner=owner)
        return None
    worker = _Worker(services, store, *held, owner, on_round)
    return worker.run(deadline)


class _Worker:
    def __init__(
        self, services: Services, store: jobs.Jobs, job: RefineJob, etag: str, owner: str, on_round: OnRound | None
    ) -> None:
        self.services, self.store, self.job, self.etag, self.owner = services, store, job, etag, owner
        self.on_round = on_round
        self.asked = job["asked"]

    def run(self, deadline: Deadline) -> RefineJob:
        rounds = self.job["rounds"]
        while True:
            last = rounds[-1] if rounds else None
            if last is not None and last["status"] == "failed":
                if last["image_id"] is None or last["judge_attempts"] >= JUDGE_ATTEMPTS:
                    return self._end("failed", None, last.get("error"))
                self._need_time(deadline, judge_only=True)
                self._judge_again(last, deadline)
                continue
            stop = self._stop(last)
            if stop is not None:
                return self._end("done", stop, None)
            self._need_time(deadline)
            self._round(len(rounds) + 1, last, deadline)

    def _stop(self, last: Round | None) -> jobs.StopReason | None:
        asked, rounds = self.asked, self.job["rounds"]
        if last is not None and (last["score"] or 0) >= asked["target_score"]:
            return "target_reached"
        if len(rounds) >= asked["max_rounds"]:
            return "round_limit"
        budget = asked["budget_usd"]
        if budget is not None and self.job["spent_usd"] + self._estimate(last) > budget + 1e-9:
            return "budget"
        return None

    def _estimate(self, last: Round | None) -> float:
        if last is not None:
            return last["cost_usd"]
        image = resolve(self.asked["model"]).record.price.image_cost(1) or 0.0
        judge = resolve(self.asked["judge_model"]).record.price.token_cost(*JUDGE_TOKENS_ESTIMATE) or 0.0
        return image + judge

    def _need_time(self, deadline: Deadline, judge_only: bool = False) -> None:
        s = self.services
        needed = s.judge_call_seconds * JUDGE_ATTEMPTS + WRITE_SECONDS
        if not judge_only:
            needed += s.image_call_seconds
        if not deadline.fits(needed):
            self.job["lease"] = None  # the retry (or any worker) may take it at once
            self._save()
            raise NoTimeLeft(deadline.remaining(), needed)  # Lambda's retry resumes the job

    def _round(self, number: int, last: Round | None, deadline: Deadline) -> None:
        asked = self.asked
        prompt, changed = (asked["prompt"], []) if last is None else revise(last, prompt_limit(asked["model"]))
        key = idempotency.IdempotencyKey(f"{self.job['job_id']}:{number}", _fingerprint(prompt, asked["model"]))
        given = generation.GenerateInput(
            request=ImageRequest(task=Task.GENERATE, prompt=prompt),
            model=asked["model"],
            evaluate=False,
            idempotency=key,
        )
        base: Round = {
            "round": number,
            "status": "failed",
            "prompt": prompt,
            "changed": changed,
            "image_id": None,
            "image_key": None,
            "score": None,
            "sub_scores": {},
            "checklist": [],
            "suggestions": "",
            "revised_prompt": "",
            "image_cost_usd": 0.0,
            "judge_cost_usd": 0.0,
            "cost_usd": 0.0,
            "judge_attempts": 0,
            "finished_at": "",
        }
        try:
            made = generation.generate(self.services, given, deadline)
        except RESUMABLE:  # an earlier worker's call of this round still holds its key, or time ran out
            self.job["lease"] = None
            self._save()
            raise
        except ImageGenError as exc:  # a filtered prompt, a model that failed: the job ends, earlier rounds stay
            self.services.log.warning(
                "refine_round_failed", job_id=self.job["job_id"], round=number, **error_fields(exc)
            )
            self._record({**base, "error": {"code": exc.code, "message": exc.message}})
            return
        meta = self.services.store.load_meta(made["image_id"])
        costs = cast("dict[str, float | None]", meta.get("estimated_cost_usd") or {})  # none in a partial meta
        cost = costs.get("image") or 0.0
        base.update({"image_id": made["image_id"], "image_key": meta["image"]["key"], "image_cost_usd": cost})
        self._judge_into(base, deadline)

    def _judge_again(self, last: Round, deadline: Deadline) -> None:
        self.job["rounds"].pop()
        self.job["spent_usd"] = round(self.job["spent_usd"] - last["cost_usd"], 6)
        self._judge_into(last, deadline)

    def _judge_into(self, entry: Round, deadline: Deadline) -> None:
        """Judge the round's image (or read the verdict a worker before this one stored) and record the round."""
        image_id = entry["image_id"]
        assert image_id is not None
        stored = self.services.store.load_evaluation(image_id)
        verdict: DoneVerdict | None = stored if stored and stored["status"] == "done" else None
        if verdict is None:
            entry["judge_attempts"] += 1
            try:
                answer, error = evaluation.evaluate(self.services, image_id, deadline, self.asked["judge_model"])
            except RESUMABLE:
                raise
            except ImageGenError as exc:  # before the judge: a judge no longer configured, an unreadable image
                answer, error = {}, exc
            if error is not None:
                entry["error"] = {"code": error.code, "message": error.message}
                self._record({**entry, "status": "failed"})
                return
            verdict = answer["evaluation"]
            assert verdict is not None and verdict["status"] == "done"
        entry.pop("error", None)
        judge_cost = verdict["estimated_cost_usd"] or 0.0
        entry.update(
            {
                "status": "done",
                "score": verdict["score"],
                "sub_scores": verdict.get("sub_scores") or {},
                "checklist": [{"element": i["element"], "status": i["status"]} for i in verdict.get("checklist") or []],
                "suggestions": verdict["suggestions"],
                "revised_prompt": verdict["revised_prompt"],
                "judge_cost_usd": judge_cost,
            }
        )
        self._record(entry)

    def _record(self, entry: Round) -> None:
        entry["cost_usd"] = round(entry["image_cost_usd"] + entry["judge_cost_usd"], 6)
        entry["finished_at"] = documents.timestamp(self.services.now())
        self.job["rounds"].append(entry)
        self.job["spent_usd"] = round(self.job["spent_usd"] + entry["cost_usd"], 6)
        self.job["lease"] = jobs.lease_for(self.owner, self.services.now())
        self._save()
        self.services.log.info(
            "refine_round",
            job_id=self.job["job_id"],
            round=entry["round"],
            status=entry["status"],
            score=entry["score"],
            cost_usd=entry["cost_usd"],
        )
        if self.on_round is not None:
            self.on_round(self.job, entry)

    def _end(self, status: jobs.Status, stop: jobs.StopReason | None, error: JobError | None) -> RefineJob:
        self.job.update({"status": status, "stop_reason": stop, "error": error, "lease": None})
        self._save()
        self.services.log.info(
            "refine_finished",
            job_id=self.job["job_id"],
            status=status,
            stop_reason=stop,
            spent_usd=self.job["spent_usd"],
        )
        return self.job

    def _save(self) -> None:
        etag = self.store.save(self.job, self.etag, self.services.now())
        if etag is None:  # another worker took the job over (this one's lease had expired): it goes on
            raise LeaseLost(self.job["job_id"])
        self.etag = etag


class LeaseLost(ImageGenError):
    """Another worker wrote the job since this one read it: this one stops, recording nothing."""

    code = "job_taken_over"
    http_status = 409

    def __init__(self, job_id: str) -> None:
        super().__init__(f"job {job_id} was taken over by another worker", job_id=job_id)


def revise(last: Round, limit: int | None) -> tuple[str, list[str]]:
    """The next round's prompt and what it added: the last prompt with ", clearly showing <element>"
    for each absent or partial checklist item not so emphasised yet, each whole and while it fits
    the model's prompt limit; with none added, the judge's revised prompt, trimmed to the limit at a
    word."""
    prompt = last["prompt"]
    lowered = prompt.lower()
    missing = [item["element"] for item in last["checklist"] if item["status"] in ("absent", "partial")]
    added = [element for element in dict.fromkeys(missing) if (EMPHASIS + element).lower() not in lowered]
    revised, changed = prompt, list[str]()
    for element in added:
        part = f", {EMPHASIS}{element}"
        if limit is None or len(revised) + len(part) <= limit:
            revised, changed = revised + part, [*changed, EMPHASIS + element]
    if changed:
        return revised, changed
    if last["revised_prompt"].strip():
        revised, changed = last["revised_prompt"].strip(), ["the judge's revised prompt"]
    if limit is not None and len(revised) > limit:
        revised = revised[:limit].rsplit(" ", 1)[0].rstrip(", ") if " " in revised[:limit] else revised[:limit]
    return revised, changed


def prompt_limit(model: str) -> int | None:
    limits = resolve(model).record.limits.get("prompt_chars")
    return int(limits[1]) if limits else None


def _fingerprint(prompt: str, model: str) -> str:
    canonical = json.dumps({"scope": "refine-round", "prompt": prompt, "model": model}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def show(services: Services, job_id: str) -> dict[str, Any]:
    """GET /jobs/{id}: the job with a fresh URL for every round's image and the best one so far."""
    stored, _ = jobs.Jobs(services.store).load(job_id)
    job = jobs.lost(stored, services.now())
    warnings: list[Any] = []
    rounds = []
    for entry in job["rounds"]:
        link = _signed(services, entry["image_key"], warnings)
        shown = {name: value for name, value in entry.items() if name not in ("image_key", "revised_prompt")}
        rounds.append({**shown, **link})
    judged: list[dict[str, Any]] = [r for r in rounds if r["status"] == "done" and r["score"] is not None]
    best = max(judged, key=lambda r: (r["score"], -r["round"]), default=None)
    asked = job["asked"]
    return {
        "job_id": job["job_id"],
        "status": job["status"],
        **asked,
        "target": {
            "score": asked["target_score"],
            "max_rounds": asked["max_rounds"],
            "budget_usd": asked["budget_usd"],
        },
        "rounds": rounds,
        "best": (
            {name: best[name] for name in ("image_id", "url", "url_expires_at", "score", "round")} if best else None
        ),
        "spent_usd": job["spent_usd"],
        "stop_reason": job["stop_reason"],
        "error": job["error"],
        "created_at": job["created_at"],
        "updated_at": job["updated_at"],
        **({"warnings": warnings} if warnings else {}),
    }


def _signed(services: Services, key: str | None, warnings: list[Any]) -> dict[str, str | None]:
    """A fresh URL for the image (none for a round without one, or one S3 would not sign: a warning)."""
    link: dict[str, str | None] = {"url": None, "url_expires_at": None}
    if key is not None:
        services.keep("sign the image's URL", warnings, lambda: link.update(services.store.url(key)))
    return link
