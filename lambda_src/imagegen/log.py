"""Structured logs: one JSON object per line on stdout (CloudWatch Logs keeps them as they are).

Every line carries the request id it was bound to. Callers log sizes and ids, not prompt
text or image bytes. Listeners given to a logger (and to every logger bound from it) get each
event as it is written, for whoever runs the core to act on: a terminal shows a long backoff.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from .errors import ImageGenError


_WRITING = threading.Lock()


@dataclass(frozen=True)
class Event:
    """One logged event, as a listener gets it: the bound fields and the event's own."""

    level: str
    name: str
    fields: Mapping[str, Any]


Listener = Callable[[Event], None]


class Logger:
    def __init__(self, stream: TextIO | None = None, *, listeners: tuple[Listener, ...] = (), **fields: Any) -> None:
        self.stream = stream
        self.listeners = listeners
        self.fields = fields

    def bind(self, **fields: Any) -> Logger:
        return Logger(self.stream, listeners=self.listeners, **{**self.fields, **fields})

    def info(self, event: str, **fields: Any) -> None:
        self._emit("INFO", event, fields)

    def warning(self, event: str, **fields: Any) -> None:
        self._emit("WARNING", event, fields)

    def error(self, event: str, **fields: Any) -> None:
        self._emit("ERROR", event, fields)

    def _emit(self, level: str, event: str, fields: dict[str, Any]) -> None:
        line = {"time": round(time.time(), 3), "level": level, "event": event, **self.fields, **fields}
        write_line(self.stream, json.dumps(line, default=str))
        for listener in self.listeners:
            listener(Event(level, event, {**self.fields, **fields}))


def write_line(stream: TextIO | None, text: str) -> None:
    """Write one line to `stream` (stdout when None), whole: threads (a batch) must not interleave lines."""
    with _WRITING:
        stream = stream or sys.stdout
        stream.write(text + "\n")
        stream.flush()


def error_fields(exc: ImageGenError) -> dict[str, Any]:
    """What to log of an error: its code, status and field, and Bedrock's own text (trimmed).
    Not the message, which may quote the caller's values, and not a judge's answer, which may
    quote the prompt."""
    from .errors import JudgeAnswerInvalid

    fields: dict[str, Any] = {"code": exc.code, "status": exc.http_status}
    if "field" in exc.details:
        fields["field"] = exc.details["field"]
    if exc.upstream and not isinstance(exc, JudgeAnswerInvalid):
        fields["upstream"] = exc.upstream[:500]
    return fields


def crash_fields(exc: BaseException) -> dict[str, Any]:
    """What to log of an unexpected exception: its type and where it was raised (file, line,
    function and source line of each frame). Not its message, nor a chained one's: an arbitrary
    exception may quote any value (a KeyError its key, a parameter check the request body, so
    the prompt), and tracebacks carry no local values."""
    kind = type(exc)
    return {
        "error": kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}",
        "trace": "".join(traceback.format_tb(exc.__traceback__)),
    }
