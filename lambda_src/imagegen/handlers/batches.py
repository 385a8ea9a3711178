"""POST /batches, GET /batches/{id} (the batches function), and the batch worker that the batch
queue's event source mapping invokes with SQS events, reporting partial batch failures."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .. import batches, idempotency
from ..errors import ImageGenError, InvalidParameter
from ..log import Logger, crash_fields, error_fields
from ..runtime import Runtime, built_at_init
from ..usecases import batch_view
from ..usecases.batch import Poison
from . import api, requests
from .routes import served_by

_BATCH_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def submit(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    given = requests.batch_input(request.body, idempotency.header_of(request.headers))
    return 202, rt.pipeline.submit_batch(given, requests.generate_input)


def show(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    batch_id = request.path_parameters.get("id")
    if not isinstance(batch_id, str) or not _BATCH_ID.fullmatch(batch_id):
        raise InvalidParameter("id", batch_id, "a batch id as POST /batches answered it (22 characters)")
    limit = batch_view.page_limit(request.query.get("limit") or batch_view.DEFAULT_LIMIT)
    cursor = request.query.get("cursor")
    after = batch_view.page_cursor(cursor) if cursor else -1
    return 200, rt.pipeline.show_batch(batch_id, limit, after)


ROUTES: api.Routes = api.bind(served_by("batches"), {"/batches": submit, "/batches/{id}": show})


def make_handler(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    return api.handler_for(ROUTES, runtime)


def make_worker(
    runtime: Callable[[], Runtime], longest_wait: int | None = None
) -> Callable[[Any, Any], dict[str, Any]]:
    """The worker: each message of the SQS event, in turn. A message to deliver again (a throttled
    item) is made visible after its wait (at most `longest_wait` seconds, if given: the dev API's
    and the tests' shorter world) and reported as a batch item failure, so SQS keeps it; one in its
    last delivery before the dead-letter queue is queued anew instead. A message the worker fails
    on is reported too: SQS delivers it again, and after `batches.MAX_RECEIVES` deliveries moves it
    to the dead-letter queue (an item's outcome is then recorded failed, so that its batch ends).
    An error outside any message (no runtime) fails the whole event: SQS delivers it all again."""

    def worker(event: Any, context: Any) -> dict[str, Any]:
        try:
            rt = runtime()
        except ImageGenError as exc:
            Logger(service="imagegen").error("configuration", **error_fields(exc), message=exc.message)
            raise
        owner = str(getattr(context, "aws_request_id", "local"))
        log = rt.log.bind(request_id=owner)
        pipeline = rt.pipeline.with_log(log)
        queue = pipeline.services.batch_queue
        deadline = api.deadline_for(context, pipeline.clock, api=False)
        failures: list[str] = []
        for record in (event or {}).get("Records") or []:
            message_id, body = str(record.get("messageId")), str(record.get("body"))
            receives = int((record.get("attributes") or {}).get("ApproximateReceiveCount") or 1)
            try:
                later = pipeline.work_batch(body, owner, receives, deadline, requests.generate_input)
            except Poison as exc:  # delivered again at once: it reaches the dead-letter queue in seconds
                log.error("batch_message_poison", message_id=message_id, receives=receives, reason=str(exc))
                _delay(queue, record, 0, log)
                failures.append(message_id)
                continue
            except Exception as exc:  # S3 refusing, a bug: SQS delivers it again after the visibility timeout
                log.error("batch_message_failed", message_id=message_id, receives=receives, **crash_fields(exc))
                if receives >= batches.MAX_RECEIVES:
                    pipeline.give_up_batch_item(body, exc)
                failures.append(message_id)
                continue
            if later is None:
                continue
            wait = later.seconds if longest_wait is None else min(later.seconds, longest_wait)
            if receives < batches.MAX_RECEIVES - 1:
                _delay(queue, record, wait, log)
            else:  # SQS would move it to the dead-letter queue at its next receive: queue it anew instead
                try:
                    queue.send([body], delay=min(wait, 900))
                    continue
                except Exception as exc:
                    log.warning("batch_message_not_queued_anew", message_id=message_id, **crash_fields(exc))
            failures.append(message_id)
        return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failures]}

    return worker


def _delay(queue: Any, record: dict[str, Any], seconds: int, log: Logger) -> None:
    """Make the message visible after `seconds`; failing that, it comes back after the queue's
    visibility timeout."""
    try:
        queue.delay(str(record.get("receiptHandle")), seconds)
    except Exception as exc:
        log.warning("batch_message_not_delayed", message_id=record.get("messageId"), **crash_fields(exc))


_runtime = built_at_init(Runtime.from_env)  # one per container: the API function's or the worker's
handler = make_handler(_runtime)
worker = make_worker(_runtime)
