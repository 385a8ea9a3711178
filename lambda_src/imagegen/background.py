"""Work that runs beside the request's own: a thread per piece, its result or error in a Future.

The request joins every piece before it answers, so nothing outlives it (a Lambda environment
is frozen between invocations)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import TypeVar

T = TypeVar("T")


def start(work: Callable[[], T], name: str) -> Future[T]:
    """Run `work` in a thread of its own; its result, or what it raised, is the future's."""
    future: Future[T] = Future()

    def run() -> None:
        future.set_running_or_notify_cancel()
        try:
            future.set_result(work())
        except BaseException as exc:  # handed to whoever joins the future
            future.set_exception(exc)

    threading.Thread(target=run, name=name, daemon=True).start()
    return future
