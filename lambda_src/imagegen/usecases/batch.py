"""Batches: `submit` is POST /batches (check every item, record the batch, queue it), `work` is the
worker's part for one SQS message (an expand message, an item, or the report of a finished batch:
usecases.batch_report), `show` is GET /batches/{id}.

Submitting stores the items (the defaults merged in, `CHUNK` an object) and queues one expand
message; the worker that gets it queues the chunk's items, one message each, and the next chunk's
expand message, so that even 100,000 items reach the queue without a request doing it, and the
queue holds about a chunk ahead of the workers. An item message is generated once (see
`batches`), through `generation.generate` with the idempotency key <batch id>:<n>, as a refine
round is: a delivery after a worker died replays what that worker paid for instead of paying again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .. import batches, documents, idempotency
from ..batches import Batch, Result
from ..clock import Deadline
from ..errors import (
    IdempotencyKeyReused,
    ImageGenError,
    InvalidParameter,
    InvalidRequest,
    NoTimeLeft,
    Throttled,
    UpstreamUnavailable,
)
from ..log import crash_fields, error_fields
from ..models.images import build_request
from ..models.request import Task
from . import batch_report, generation
from .services import Services, pick, pick_judge

Parse = Callable[[Mapping[str, Any]], generation.GenerateInput]
"""A POST /generate-image body to the use case's input (handlers.requests.generate_input)."""
INPUTS = "batch-inputs/"  # where a prompts_key object must be (the only prefix the API reads it from)
MAX_INPUT_BYTES = 64_000_000


class BatchQueue(Protocol):
    """The SQS queue the worker is fed from."""

    def send(self, bodies: list[str], delay: int = 0) -> None:
        """Queue each body, delivered after `delay` seconds (at most 900)."""

    def delay(self, receipt: str, seconds: int) -> None:
        """Deliver a received message again after `seconds` (ChangeMessageVisibility)."""


@dataclass(frozen=True)
class BatchInput:
    prompts: list[Mapping[str, Any]] | None  # inline items, or
    prompts_key: str | None  # an object of JSON lines in the bucket, under INPUTS
    defaults: dict[str, Any]  # model, judge_model, evaluate as the body gave them
    idempotency: idempotency.IdempotencyKey | None = None


class Poison(ValueError):
    """A message no batch sent: no delivery of it can succeed."""


@dataclass(frozen=True)
class Later:
    """An item to deliver again after `seconds` (throttled, or held by a live worker)."""

    seconds: int


def submit(services: Services, given: BatchInput, parse: Parse) -> dict[str, Any]:
    """Check every item as POST /generate-image would (a bad one refuses the batch, naming it),
    record the batch and queue it: {batch_id, status, total, links}."""
    lines = list(given.prompts) if given.prompts is not None else _lines(services, given.prompts_key or "")
    items = [{**given.defaults, **line} for line in lines]
    for index, item in enumerate(items):
        _check(services, parse, index, item)
    key = given.idempotency
    batch_id = batches.batch_id_for(key.key if key else None)
    batch: Batch = {
        "batch_id": batch_id,
        "created_at": documents.timestamp(services.now()),
        "total": len(items),
        "defaults": given.defaults,
        "source": given.prompts_key or "inline",
        "fingerprint": key.fingerprint if key else None,
    }
    store = batches.Batches(services.store)
    if not store.create(batch, items):
        found = store.load(batch_id)
        if found["fingerprint"] != batch["fingerprint"]:
            raise IdempotencyKeyReused()
        return {**_accepted(found), "replayed": True}
    try:
        if services.batch_queue is None:
            raise UpstreamUnavailable("this deployment has no batch queue configured")
        services.batch_queue.send([_expand(batch_id, 0, len(items))])
    except Exception as exc:  # nothing was queued or paid for: forget the batch, so that a retry queues it
        fields = error_fields(exc) if isinstance(exc, ImageGenError) else crash_fields(exc)
        services.log.error("batch_not_queued", batch_id=batch_id, **fields)
        services.keep("forget the batch", [], lambda: store.forget(batch_id))
        raise UpstreamUnavailable("the batch could not be queued; try again") from exc
    services.log.info("batch_queued", batch_id=batch_id, total=len(items))
    return _accepted(batch)


def _accepted(batch: Batch) -> dict[str, Any]:
    batch_id = batch["batch_id"]
    return {
        "batch_id": batch_id,
        "status": "queued",
        "total": batch["total"],
        "links": {"self": f"/batches/{batch_id}"},
    }


def _expand(batch_id: str, start: int, total: int) -> str:
    return json.dumps({"batch_id": batch_id, "expand": start, "total": total})


def _lines(services: Services, key: str) -> list[Mapping[str, Any]]:
    if not key.startswith(INPUTS) or ".." in key:
        raise InvalidParameter("prompts_key", key, f"the key of an object under {INPUTS} in the image bucket")
    body = batches.Batches(services.store).read_input(key, MAX_INPUT_BYTES)
    if body is None:
        raise InvalidParameter(
            "prompts_key", key, f"an object in the image bucket of at most {MAX_INPUT_BYTES:,} bytes"
        )
    lines: list[Mapping[str, Any]] = []
    for number, text in enumerate(body.decode("utf-8", errors="replace").splitlines(), 1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError:
            raise InvalidRequest(f"line {number} of {key} is not JSON", line=number) from None
        if not isinstance(line, dict):
            raise InvalidRequest(f"line {number} of {key} is not a JSON object", line=number)
        lines.append(line)
    if not 1 <= len(lines) <= batches.MAX_LINES:
        raise InvalidParameter("prompts_key", key, f"an object of 1 to {batches.MAX_LINES:,} JSON lines")
    return lines


def _check(services: Services, parse: Parse, index: int, item: Mapping[str, Any]) -> None:
    """What generating the item would refuse, refused now (nothing is called)."""
    try:
        given = parse(item)
        if given.idempotency is not None:
            raise InvalidParameter("client_token", "...", "none: each item's key is the batch's own")
        if given.request.count != 1:  # an outcome, a manifest line and a figure hold one image
            raise InvalidParameter("count", given.request.count, "1: one image an item (repeat the item for more)")
        model = pick("model", given.model, services.settings.generation_models, Task.GENERATE)
        pick_judge(services, given.judge_model)
        build_request(model, given.request, rng=random.Random(0), allow_retired=services.settings.allow_retired)
    except InvalidRequest as exc:
        raise InvalidRequest(f"item {index}: {exc.message}", item=index, **exc.details) from None


def work(services: Services, body: str, owner: str, receives: int, deadline: Deadline, parse: Parse) -> Later | None:
    """One message: an expand message queues its items; an item message is generated by the one
    delivery that claims it; a report message builds the batch's report. Later when it must be
    delivered again (throttled: after `batches.retry_seconds`; a report not finished in time: at
    once); Poison for a message no batch sent."""
    try:
        message = json.loads(body)
    except ValueError:
        raise Poison("not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("batch_id"), str):
        raise Poison("not a batch message")
    batch_id = message["batch_id"]
    store = batches.Batches(services.store)
    if message.get("report") is True:
        return None if batch_report.build(services, batch_id, deadline) else Later(0)
    if "expand" in message:
        start, total = int(message["expand"]), int(message["total"])
        bodies = [
            json.dumps({"batch_id": batch_id, "index": start + n, "item": item})
            for n, item in enumerate(store.chunk(batch_id, start))
        ]
        if start + batches.CHUNK < total:
            bodies.append(_expand(batch_id, start + batches.CHUNK, total))
        if services.batch_queue is None:
            raise UpstreamUnavailable("this deployment has no batch queue configured")
        services.batch_queue.send(bodies)
        return None
    index, item = int(message["index"]), message["item"]
    claim = store.claim(batch_id, index, owner, services.now())
    if claim == "finished":
        return None
    if isinstance(claim, float):
        return Later(max(0, round(claim)))
    base: Result = {"index": index, "status": "failed", "image_id": None, "cost_usd": 0.0}
    try:
        given = parse(item)
        key = idempotency.IdempotencyKey(f"{batch_id}:{index}", _fingerprint(item))
        answer = generation.generate(services, dataclasses.replace(given, idempotency=key), deadline)
    except ImageGenError as exc:
        if exc.retryable:  # throttled, out of time, S3 or Bedrock for a moment: nothing was paid for
            store.release(batch_id, index, owner, services.now())
            services.log.warning("batch_item_later", batch_id=batch_id, index=index, **error_fields(exc))
            wait = batches.retry_seconds(receives) if isinstance(exc, Throttled | UpstreamUnavailable) else 0
            return Later(0 if isinstance(exc, NoTimeLeft) else wait)
        result: Result = {**base, "error": {"code": exc.code, "message": exc.message}}
    else:
        result = {
            **base,
            "status": "done",
            "image_id": answer["image_id"],
            "image_key": answer["key"],
            "cost_usd": float(answer.get("estimated_cost_usd") or 0.0),
        }
    result["finished_at"] = documents.timestamp(services.now())
    store.finish(batch_id, result, recheck=claim == "taken")
    services.log.info("batch_item", batch_id=batch_id, index=index, status=result["status"])
    return None


def give_up(services: Services, body: str, error: BaseException) -> None:
    """The last delivery of a message whose worker failed on it every time (it goes on to the
    dead-letter queue): an item's outcome is recorded failed, so that the batch can end; a report's
    request is withdrawn, so that the next GET /batches/{id} asks for it again."""
    store = batches.Batches(services.store)
    try:
        message = json.loads(body)
        batch_id = str(message["batch_id"])
        if message.get("report") is True:
            key = batch_report.requested_key(batch_id)
            services.keep("withdraw the report's request", [], lambda: store.unmark(key))
            return
        index = int(message["index"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return  # no message of a batch: nothing to record
    result: Result = {
        "index": index,
        "status": "failed",
        "image_id": None,
        "cost_usd": 0.0,
        "error": {
            "code": "item_failed",
            "message": f"the worker failed on this item every time ({type(error).__name__})",
        },
        "finished_at": documents.timestamp(services.now()),
    }
    services.keep("record the item", [], lambda: store.finish(batch_id, result, recheck=True))


def _fingerprint(item: Mapping[str, Any]) -> str:
    canonical = json.dumps({"scope": "batch-item", "body": item}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
