"""Time as the pipeline sees it: a clock that tests can drive, and a deadline."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from typing import Protocol


def today() -> date:
    """The date lifecycle decisions are made on (a model's Legacy and end-of-life dates). Callers
    look it up on this module, `clock.today()`, so that a test can fix the date by replacing it."""
    return date.today()


class Clock(Protocol):
    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True)
class Deadline:
    clock: Clock
    ends_at: float  # on clock.monotonic()'s scale

    @classmethod
    def after(cls, clock: Clock, seconds: float) -> Deadline:
        return cls(clock, clock.monotonic() + seconds)

    def remaining(self) -> float:
        return max(0.0, self.ends_at - self.clock.monotonic())

    def fits(self, seconds: float) -> bool:
        return self.remaining() >= seconds
