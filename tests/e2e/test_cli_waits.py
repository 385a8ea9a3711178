"""A call that keeps a person waiting more than two seconds says so on a terminal's stderr, and
the line goes away when the call ends; piped or redirected, stderr gets nothing."""

from __future__ import annotations

import io
import json

import pytest

from imagegen_local import cli
from imagegen_local.cli import feedback


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def quick_waits(monkeypatch):
    monkeypatch.setattr(feedback, "SHOW_WAITS_OVER", 0.1)
    monkeypatch.setattr(feedback, "TICK_SECONDS", 0.05)


@pytest.mark.parametrize(
    ("argv", "what"),
    [
        (["generate", "a fox", "--no-evaluate", "--output-dir", "OUT"], "generating"),
        (["evaluate", "IMAGE"], "judging"),
        (["modify", "IMAGE", "--mode", "upscale", "--output-dir", "OUT"], "modifying (upscale)"),
    ],
)
def test_a_slow_call_shows_how_long_it_has_waited_on_a_terminal(emulator, local_env, tmp_path, quick_waits, argv, what):
    out, err = io.StringIO(), io.StringIO()
    assert (
        cli.main(["generate", "a fox", "--no-evaluate", "--json", "--output-dir", str(tmp_path)], out=out, err=err) == 0
    )
    image_id = json.loads(out.getvalue())["images"][0]["image_id"]
    emulator.configure(latency_seconds=0.3)
    err = Tty()
    argv = [{"IMAGE": image_id, "OUT": str(tmp_path)}.get(a, a) for a in argv]
    assert cli.main(argv, out=io.StringIO(), err=err) == 0
    shown = err.getvalue()
    assert f"\r{what}: 0 s" in shown or f"\r{what}: 1 s" in shown, repr(shown)
    assert shown.endswith("\r"), "the waiting line is cleared when the call ends"


def test_off_a_terminal_a_slow_call_prints_nothing(emulator, local_env, tmp_path, quick_waits):
    emulator.configure(latency_seconds=0.3)
    err = io.StringIO()
    code = cli.main(["generate", "a fox", "--no-evaluate", "--output-dir", str(tmp_path)], out=io.StringIO(), err=err)
    assert (code, err.getvalue()) == (0, "")


def test_a_slow_api_call_shows_how_long_it_has_waited_on_a_terminal(emulator, dev_api, quick_waits):
    emulator.configure(latency_seconds=0.3)
    err = Tty()
    code = cli.main(["api", "generate", "a fox", "--no-evaluate", "--api-url", dev_api.url], out=io.StringIO(), err=err)
    assert code == 0
    assert "\rwaiting for the API (generate): 0 s" in err.getvalue() and err.getvalue().endswith("\r")
