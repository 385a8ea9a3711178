"""What Lambda's event source mapping does with an SQS queue, on this machine: receive up to
`batch_size` messages (each hidden for the queue's visibility timeout), invoke the function with
the SQS event Lambda builds, and delete the messages it did not report in `batchItemFailures`
(ReportBatchItemFailures); an invocation that fails, or answers anything else, leaves every
message of its batch to come back. The queue's redrive policy (moto's, as SQS's) moves a message
received `maxReceiveCount` times to the dead-letter queue.

    mapping = EventSourceMapping(sqs, queue_url, worker, batch_size=4)
    mapping.drain()                     # until the queue has nothing visible (tests)
    mapping.start(concurrency=4)        # that many pollers in threads (the dev API); stop() ends them
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

from imagegen import batches

Handler = Callable[[dict[str, Any], Any], Any]
QUEUE = "imagegen-batches"
DEAD_LETTERS = "imagegen-batches-dead-letters"


def create_queues(sqs: Any, visibility_seconds: int = batches.VISIBILITY_SECONDS) -> tuple[str, str]:
    """The batch queue and its dead-letter queue, as the stack makes them: (queue URL, DLQ URL)."""
    dlq = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": str(batches.MAX_RECEIVES)})
    attributes = {"VisibilityTimeout": str(visibility_seconds), "RedrivePolicy": redrive}
    return sqs.create_queue(QueueName=QUEUE, Attributes=attributes)["QueueUrl"], dlq


class Context:
    """What a handler reads of Lambda's context: the time left and the request id."""

    def __init__(self, timeout_seconds: float, request_id: str) -> None:
        self._ends = time.monotonic() + timeout_seconds
        self.aws_request_id = request_id

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends - time.monotonic()) * 1000))


class EventSourceMapping:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        *,
        batch_size: int = batches.BATCH_SIZE,
        timeout_seconds: float = batches.WORKER_SECONDS,
        region: str = "us-west-2",
        context: Callable[[], Any] | None = None,
    ) -> None:
        """`context` makes each invocation's context (default: `timeout_seconds` of real time)."""
        self.sqs, self.queue_url, self.handler, self.batch_size = sqs, queue_url, handler, batch_size
        self.timeout_seconds = timeout_seconds
        self.region = region
        self.arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self._context = context
        self._invocations = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._working: set[int] = set()  # the pollers invoking the function (stop() waits for them)
        self.failed_invocations = 0

    def poll(self, wait_seconds: int = 0) -> int:
        """One receive and, if it got messages, one invocation: how many messages it got."""
        got = self.sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=wait_seconds,
        )
        messages = got.get("Messages") or []
        if not messages:
            return 0
        with self._lock:
            stopped = self._stopping.is_set()
            if not stopped:
                self._working.add(threading.get_ident())
        if stopped:  # received after stop(): back to the queue at once, for whichever poller comes next
            self._change_visibility(messages, 0)
            return 0
        try:
            failed = self._invoke({"Records": [self._record(m) for m in messages]})
            self._delete([m for m in messages if m["MessageId"] not in failed])
        finally:
            with self._lock:
                self._working.discard(threading.get_ident())
        return len(messages)

    def drain(self, most: int = 100_000) -> int:
        """Poll until a receive finds nothing visible (or `most` polls): the polls that got messages."""
        polls = 0
        while polls < most and self.poll():
            polls += 1
        return polls

    def start(self, concurrency: int) -> EventSourceMapping:
        """`concurrency` pollers, each invoking the function one batch at a time (MaximumConcurrency)."""
        for n in range(concurrency):
            thread = threading.Thread(target=self._loop, name=f"batch-poller-{n}", daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def stop(self) -> None:
        """Waits for the batches being worked on, not for the long polls: a poller still waiting in
        one stops when it ends, and makes what it got visible again without invoking the function."""
        with self._lock:
            self._stopping.set()
            working = [thread for thread in self._threads if thread.ident in self._working]
        for thread in working:
            thread.join(timeout=30)

    def _delete(self, messages: list[dict[str, Any]]) -> None:
        for entries in _entries(messages):
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)

    def _change_visibility(self, messages: list[dict[str, Any]], seconds: int) -> None:
        for entries in _entries(messages):
            timed = [{**entry, "VisibilityTimeout": seconds} for entry in entries]
            self.sqs.change_message_visibility_batch(QueueUrl=self.queue_url, Entries=timed)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                self.poll(wait_seconds=1)
            except Exception:  # the queue unreachable for a moment: Lambda's poller keeps polling too
                self._stopping.wait(1)

    def _invoke(self, event: dict[str, Any]) -> set[str]:
        """The message ids to keep: those the function reported, or all when it failed."""
        every = {record["messageId"] for record in event["Records"]}
        with self._lock:
            self._invocations += 1
            request_id = f"batch-worker-{self._invocations}"
        context = self._context() if self._context else Context(self.timeout_seconds, request_id)
        try:
            response = self.handler(event, context)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # the invocation failed (an error, a timeout, the process killed)
            self.failed_invocations += 1
            return every
        failures = response.get("batchItemFailures") if isinstance(response, dict) else None
        if not isinstance(failures, list):
            return every if response is not None else set()  # a handler that answers None succeeded
        ids = {str(f.get("itemIdentifier")) for f in failures if isinstance(f, dict)}
        return every if not ids <= every else ids  # an unknown id fails the whole batch, as in Lambda

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes") or {},
            "messageAttributes": message.get("MessageAttributes") or {},
            "md5OfBody": message.get("MD5OfBody"),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.arn,
            "awsRegion": self.region,
        }


def _entries(messages: list[dict[str, Any]]) -> list[list[dict[str, str]]]:
    """The messages' receipt handles as batch entries, ten a call (SQS's most)."""
    return [
        [{"Id": str(n), "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(messages[start : start + 10])]
        for start in range(0, len(messages), 10)
    ]
