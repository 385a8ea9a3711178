"""Retry a Bedrock call that was throttled, with full-jitter backoff, inside a deadline."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TypeVar

from .clock import Deadline
from .errors import ImageGenError, NoTimeLeft, Throttled
from .log import Logger

T = TypeVar("T")


def with_retries(
    call: Callable[[], T],
    deadline: Deadline,
    *,
    rng: random.Random | None = None,
    base: float = 0.5,
    cap: float = 4.0,
    call_seconds: float = 1.0,
    max_attempts: int = 6,
    log: Logger | None = None,
    model: str | None = None,
    start_anyway: bool = False,
) -> T:
    """Run `call`; while it raises a retryable error (throttled, upstream unavailable) and the
    deadline leaves room for a wait plus `call_seconds`, wait a random time up to the
    exponential bound and try again. The last error is raised as it is.

    `call_seconds` is the longest one call can take (its client's timeouts). The first call
    is held to it too: when it does not fit in the time left, NoTimeLeft is raised and nothing
    is called, since a call that outlives the request is paid for and its answer lost. With `start_anyway`
    the first call is made whatever the time left (the write of something already paid for).

    Each wait is logged as it starts (`retry_wait`: the model, the error's code, the attempt
    that failed, the wait and the time waited so far in seconds), for the logs and for a
    listener of `log` to tell a person why nothing seems to happen."""
    if not start_anyway and not deadline.fits(call_seconds):
        raise NoTimeLeft(deadline.remaining(), call_seconds)
    rng = rng or random.Random()
    attempt = 0
    waited = 0.0
    while True:
        try:
            return call()
        except ImageGenError as exc:
            attempt += 1
            if log is not None and isinstance(exc, Throttled):  # each one, retried or not (metrics count them)
                log.warning("bedrock_throttled", model=model, attempt=attempt)
            if not exc.retryable or attempt >= max_attempts:
                raise
            delay = rng.uniform(0, min(cap, base * 2 ** (attempt - 1)))
            if not deadline.fits(delay + call_seconds):
                raise
            waited += delay
            if log is not None:
                log.info(
                    "retry_wait",
                    model=model,
                    code=exc.code,
                    attempt=attempt,
                    max_attempts=max_attempts,
                    wait_s=round(delay, 2),
                    waited_s=round(waited, 2),
                )
            deadline.clock.sleep(delay)
