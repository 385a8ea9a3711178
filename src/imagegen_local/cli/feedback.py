"""What a person at a terminal sees while a command works: a batch's progress bar, how long a call
has kept them waiting once it passes two seconds, and a line for each backoff once a throttled
call has kept them waiting that long. On stderr, and
only when stderr is a terminal: piped or redirected, it gets none of it (the command's output
says how things went, and --verbose logs every `retry_wait`)."""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

from imagegen.log import Event

SHOW_WAITS_OVER = 2.0  # seconds of backoff in one call before a terminal is told of it
BAR_WIDTH = 30
LINE_WIDTH = 100  # a bar or notice line is cut there: a wrapped line cannot be redrawn in place
TICK_SECONDS = 1.0  # the bar's clock moves while nothing finishes


def retry_line(fields: Mapping[str, Any]) -> str:
    """A `retry_wait` event as a person reads it."""
    what = {"throttled": "throttled by Bedrock"}.get(fields.get("code") or "", f"Bedrock: {fields.get('code')}")
    return (
        f"{what} ({fields.get('model') or 'a model'}): retrying in {fields['wait_s']:.1f} s"
        f" (attempt {fields['attempt'] + 1} of {fields['max_attempts']})"
    )


class Terminal:
    """One stderr. Every write goes through its lock, so that a notice from a worker thread
    clears the bar, takes its own line and has the bar redrawn below it."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = _is_terminal(stream)
        self._lock = threading.Lock()
        self._shown = ""  # the bar's line as last drawn, "" when none is on screen

    def on_event(self, event: Event) -> None:
        """A listener for the core's logger: a backoff that makes the wait pass two seconds."""
        if event.name == "retry_wait" and float(event.fields.get("waited_s") or 0) > SHOW_WAITS_OVER:
            self.notice(retry_line(event.fields))

    def notice(self, line: str) -> None:
        """A line for a person watching; nothing when stderr is no terminal."""
        if self.live:
            self.say(line[:LINE_WIDTH])

    def say(self, line: str) -> None:
        """A line wherever stderr goes; on a terminal, above the bar."""
        with self._lock:
            shown = self._shown
            if shown:
                self._write("\r" + " " * len(shown) + "\r")
            self._write(line + "\n")
            if shown:
                self._write(shown)

    @contextmanager
    def bar(self, total: int) -> Iterator[Bar]:
        """A progress bar for `total` items while the block runs (on a terminal only); it stays
        on screen, ended by a newline, when the block ends or is interrupted."""
        bar = Bar(self, total)
        if not self.live:
            yield bar
            return
        stop = threading.Event()
        ticker = threading.Thread(target=_tick, args=(bar, stop), name="imagegen-progress", daemon=True)
        bar.draw()
        ticker.start()
        try:
            yield bar
        finally:
            stop.set()
            ticker.join()
            with self._lock:
                if self._shown:
                    self._write("\n")
                    self._shown = ""

    @contextmanager
    def waiting(self, what: str) -> Iterator[None]:
        """While the block runs, past SHOW_WAITS_OVER seconds, `what: N s` on a line of its own,
        counting; cleared when the block ends (on a terminal only)."""
        if not self.live:
            yield
            return
        stop = threading.Event()
        started = time.monotonic()

        def count() -> None:
            if stop.wait(SHOW_WAITS_OVER):
                return
            while True:
                self.draw(f"{what}: {time.monotonic() - started:.0f} s")
                if stop.wait(TICK_SECONDS):
                    return

        counter = threading.Thread(target=count, name="imagegen-waiting", daemon=True)
        counter.start()
        try:
            yield
        finally:
            stop.set()
            counter.join()
            with self._lock:
                if self._shown:
                    self._write("\r" + " " * len(self._shown) + "\r")
                    self._shown = ""

    def draw(self, text: str) -> None:
        with self._lock:
            text = text[: LINE_WIDTH - 1]
            self._write("\r" + text.ljust(len(self._shown)))
            self._shown = text

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()


class Bar:
    """How far a batch has got: done (failed among them) out of total, running, and the time."""

    def __init__(self, terminal: Terminal, total: int) -> None:
        self.terminal = terminal
        self.total = total
        self.done = self.failed = self.running = 0
        self.started = time.monotonic()

    def update(self, *, done: int, failed: int, running: int) -> None:
        self.done, self.failed, self.running = done, failed, running
        self.draw()

    def draw(self) -> None:
        if not self.terminal.live:
            return
        filled = round(BAR_WIDTH * self.done / self.total) if self.total else BAR_WIDTH
        parts = [f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"]
        if self.failed:
            parts.append(f"{self.failed} failed")
        if self.running:
            parts.append(f"{self.running} running")
        parts.append(f"{time.monotonic() - self.started:.0f} s")
        self.terminal.draw("  ".join(parts))


def _tick(bar: Bar, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        bar.draw()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


_TERMINALS: weakref.WeakKeyDictionary[TextIO, Terminal] = weakref.WeakKeyDictionary()
_MADE = threading.Lock()


def terminal(stream: TextIO) -> Terminal:
    """The one Terminal of `stream`: the bar and the notices of a command share it."""
    with _MADE:
        found = _TERMINALS.get(stream)
        if found is None:
            found = _TERMINALS[stream] = Terminal(stream)
        return found
