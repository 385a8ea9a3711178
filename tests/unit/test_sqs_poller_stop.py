"""Stopping the event source mapping's pollers (the dev API's, `imagegen serve`'s): a poller waiting
in a long poll does not hold up stop(), what it receives after stop() goes back to the queue at
once uninvoked, and a batch being worked on when stop() is called is finished first."""

from __future__ import annotations

import threading
from typing import Any

from imagegen_local.sqs_poller import EventSourceMapping

QUEUE_URL = "http://127.0.0.1:1/123456789012/imagegen-batches"
WAIT = 10  # seconds any step of these tests may take before it counts as stuck


class HeldQueue:
    """An SQS client whose receive_message waits, as a long poll does, until the test hands it the
    messages to answer; it records what the mapping deletes and what it makes visible again."""

    def __init__(self) -> None:
        self.waiting = threading.Semaphore(0)  # released once per receive that has started waiting
        self._answers: list[list[dict[str, Any]]] = []
        self._answer = threading.Condition()
        self.deleted: list[str] = []
        self.released: list[tuple[str, int]] = []

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": "arn:aws:sqs:us-west-2:123456789012:imagegen-batches"}}

    def receive_message(self, **_: Any) -> dict[str, Any]:
        self.waiting.release()
        with self._answer:
            self._answer.wait_for(lambda: bool(self._answers))
            return {"Messages": self._answers.pop(0)}

    def answer(self, *bodies: str) -> None:
        """The next waiting receive gets these messages."""
        messages = [{"MessageId": b, "ReceiptHandle": f"handle-{b}", "Body": b} for b in bodies]
        with self._answer:
            self._answers.append(messages)
            self._answer.notify()

    def delete_message_batch(self, Entries: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        self.deleted += [e["ReceiptHandle"] for e in Entries]
        return {"Successful": Entries}

    def change_message_visibility_batch(self, Entries: list[dict[str, Any]], **_: Any) -> dict[str, Any]:
        self.released += [(e["ReceiptHandle"], e["VisibilityTimeout"]) for e in Entries]
        return {"Successful": Entries}


def stopped_in_background(mapping: EventSourceMapping) -> threading.Thread:
    stopping = threading.Thread(target=mapping.stop, daemon=True)
    stopping.start()
    return stopping


def test_stop_returns_while_a_poller_still_waits_in_its_long_poll():
    queue = HeldQueue()
    invoked: list[Any] = []
    mapping = EventSourceMapping(queue, QUEUE_URL, lambda event, context: invoked.append(event)).start(2)
    assert queue.waiting.acquire(timeout=WAIT) and queue.waiting.acquire(timeout=WAIT)  # both in a receive

    stopping = stopped_in_background(mapping)
    stopping.join(WAIT)
    assert not stopping.is_alive(), "stop() waited for a long poll to end"
    queue.answer()
    queue.answer()  # the long polls end empty
    for thread in mapping._threads:
        thread.join(WAIT)
    assert invoked == [] and not any(thread.is_alive() for thread in mapping._threads)


def test_what_a_poller_receives_after_stop_goes_back_to_the_queue_at_once_uninvoked():
    queue = HeldQueue()
    invoked: list[Any] = []
    mapping = EventSourceMapping(queue, QUEUE_URL, lambda event, context: invoked.append(event)).start(1)
    assert queue.waiting.acquire(timeout=WAIT)
    mapping.stop()

    queue.answer("item-1", "item-2")  # the long poll ends with messages after the mapping stopped
    for thread in mapping._threads:
        thread.join(WAIT)
    assert not any(thread.is_alive() for thread in mapping._threads), "the poller did not stop after its long poll"
    assert invoked == [] and queue.deleted == []
    assert sorted(queue.released) == [("handle-item-1", 0), ("handle-item-2", 0)]


def test_a_batch_being_worked_on_when_stop_is_called_is_finished_and_deleted_first():
    queue = HeldQueue()
    working, finish = threading.Event(), threading.Event()

    def worker(event: dict[str, Any], context: Any) -> None:
        working.set()
        assert finish.wait(WAIT)

    mapping = EventSourceMapping(queue, QUEUE_URL, worker).start(1)
    assert queue.waiting.acquire(timeout=WAIT)
    queue.answer("item-1")
    assert working.wait(WAIT)

    stopping = stopped_in_background(mapping)
    stopping.join(0.2)
    assert stopping.is_alive(), "stop() returned while the worker still had the batch"
    finish.set()
    stopping.join(WAIT)
    assert not stopping.is_alive()
    assert queue.deleted == ["handle-item-1"] and queue.released == []
