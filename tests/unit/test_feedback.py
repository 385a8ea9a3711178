"""What a terminal shows while a command waits: the batch's progress bar and a line for a long
backoff, on stderr, only when stderr is a terminal."""

from __future__ import annotations

import io
import random

from imagegen.clock import Deadline
from imagegen.errors import Throttled
from imagegen.log import Logger
from imagegen.retry import with_retries

from imagegen_local.cli import feedback
from tests.fakes import FakeClock

MODEL = "amazon.nova-canvas-v1:0"


class Tty(io.StringIO):
    """A terminal, as far as a command can tell."""

    def isatty(self) -> bool:
        return True


def throttled_then_ok(times: int):
    left = [times]

    def call() -> str:
        if left[0]:
            left[0] -= 1
            raise Throttled("Too many requests, please wait before trying again.")
        return "ok"

    return call


def backoffs(stream: io.StringIO, seed: int) -> list[float]:
    """Five throttled calls, then one that succeeds, logging through the CLI's listener."""
    clock = FakeClock()
    log = Logger(io.StringIO(), listeners=(feedback.terminal(stream).on_event,))
    assert (
        with_retries(throttled_then_ok(5), Deadline.after(clock, 600), rng=random.Random(seed), log=log, model=MODEL)
        == "ok"
    )
    return clock.slept


def test_a_terminal_hears_of_every_backoff_once_the_waiting_passes_two_seconds():
    shown = hidden = 0
    for seed in range(10):
        screen = Tty()
        slept = backoffs(screen, seed)
        expected = [
            f"throttled by Bedrock ({MODEL}): retrying in {round(wait, 2):.1f} s (attempt {n + 2} of 6)"
            for n, wait in enumerate(slept)
            if round(sum(slept[: n + 1]), 2) > 2
        ]
        assert screen.getvalue().splitlines() == expected
        shown, hidden = shown + len(expected), hidden + len(slept) - len(expected)
    assert shown and hidden  # the seeds try both sides of two seconds


def test_a_stream_that_is_no_terminal_hears_nothing():
    quiet = io.StringIO()
    backoffs(quiet, 0)
    assert quiet.getvalue() == ""


def test_the_progress_bar_redraws_in_place_and_a_notice_does_not_garble_it():
    screen = Tty()
    term = feedback.terminal(screen)
    with term.bar(3) as bar:
        bar.update(done=1, failed=0, running=2)
        term.notice("throttled by Bedrock (x): retrying in 2.5 s (attempt 4 of 6)")
        bar.update(done=3, failed=1, running=0)
    text = screen.getvalue()
    assert "\n" not in text.split("throttled")[0]  # the bar stays on its line until the notice
    lines = text.split("\n")
    assert lines[0].endswith("throttled by Bedrock (x): retrying in 2.5 s (attempt 4 of 6)")
    assert lines[0].split("\r")[-1].startswith("throttled")  # the notice starts at the left edge
    final = lines[1].split("\r")[-1]
    assert final.startswith("[" + "#" * 30 + "] 3/3") and "1 failed" in final
    assert text.endswith("\n") and lines[-1] == ""
    assert max(len(part) for line in lines for part in line.split("\r")) <= 100


def test_no_bar_and_no_carriage_return_off_a_terminal():
    quiet = io.StringIO()
    term = feedback.terminal(quiet)
    with term.bar(2) as bar:
        bar.update(done=2, failed=0, running=0)
        term.notice("not shown")
    term.say("interrupted: shown wherever stderr goes")
    assert quiet.getvalue() == "interrupted: shown wherever stderr goes\n"
