"""`imagegen interactive` in a real terminal: tmux runs the installed command against the offline
world, the test types as a person would (arrow keys included) and reads the screen. Three modes
and a prompt the emulator filters, and the program is still there after each."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from imagegen.storage import make_s3_client

from tests.e2e.conftest import BUCKET

TMUX = shutil.which("tmux")
IMAGEGEN = Path(sys.executable).with_name("imagegen")  # the console script beside this interpreter

pytestmark = pytest.mark.skipif(
    TMUX is None, reason="tmux is not installed (apt-get install tmux): it gives imagegen interactive a terminal"
)


class Terminal:
    """A detached tmux session on its own socket, running one command."""

    def __init__(self, folder: Path, argv: list[str], env: dict[str, str]) -> None:
        self.socket = str(folder / "tmux.sock")
        config = folder / "tmux.conf"
        config.write_text("set -g remain-on-exit on\nset -g history-limit 20000\n")  # keep the end on screen
        self.tmux("-f", str(config), "new-session", "-d", "-s", "imagegen", "-x", "220", "-y", "50", *argv, env=env)

    def tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            [str(TMUX), "-S", self.socket, *args], capture_output=True, text=True, timeout=10, env=env, check=True
        )
        return done.stdout

    def keys(self, *keys: str) -> None:
        """tmux key names: Enter, Left, ..."""
        self.tmux("send-keys", "-t", "imagegen", *keys)

    def type(self, text: str, enter: bool = True) -> None:
        self.tmux("send-keys", "-t", "imagegen", "-l", text)
        if enter:
            self.keys("Enter")

    def screen(self) -> str:
        """Everything shown so far, wrapped lines joined."""
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "imagegen")

    def running(self) -> bool:
        dead = self.tmux("display-message", "-p", "-t", "imagegen", "#{pane_dead}").strip() == "1"
        return not dead and not self.reap_missed_exit()

    def reap_missed_exit(self) -> bool:
        """Whether the program has exited unseen by tmux; if so, tmux is told again. Debian builds
        tmux with libutempter, whose helper briefly replaces tmux's SIGCHLD handler: a program that
        exits just then stays a zombie and its pane never dies (tmux/tmux#311, #4559)."""
        pid, server = self.tmux("display-message", "-p", "-t", "imagegen", "#{pane_pid} #{pid}").split()
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except FileNotFoundError:  # reaped between the two looks
            return False
        if state != "Z":
            return False
        os.kill(int(server), signal.SIGCHLD)
        return True

    def exit_status(self, timeout: float = 10.0) -> str:
        """The program's exit status once it has ended (tmux can see the pane's end before the status);
        the test fails after `timeout` seconds."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            status = self.tmux("display-message", "-p", "-t", "imagegen", "#{pane_dead_status}#{pane_dead_signal}")
            if status.strip():
                return status.strip()
            self.reap_missed_exit()
            time.sleep(0.05)
        pytest.fail(f"the program did not end; the screen:\n{self.screen()}")

    def wait_for(self, text: str, count: int = 1, timeout: float = 30.0) -> str:
        """The screen once `text` shows `count` times; fails with the screen after `timeout` seconds."""
        end = time.monotonic() + timeout
        while True:
            shown = self.screen()
            if shown.count(text) >= count:
                return shown
            if time.monotonic() > end or not self.running():
                pytest.fail(f"waited for {text!r} x{count}; the screen:\n{shown}")
            time.sleep(0.05)

    def close(self) -> None:
        subprocess.run([str(TMUX), "-S", self.socket, "kill-server"], capture_output=True, timeout=10)


@pytest.fixture
def terminal(local_env):
    folder = Path(tempfile.mkdtemp(prefix="ig-tmux-"))  # short: a socket's path has a length limit
    started: list[Terminal] = []

    def start(*args: str) -> Terminal:
        argv = [str(IMAGEGEN), "interactive", *args]
        argv += ["--output-dir", str(folder / "gen"), "--updated-dir", str(folder / "upd")]
        env = {**os.environ, "TERM": "xterm-256color"}  # the emulator's and local S3's, from local_env
        started.append(Terminal(folder, argv, env))
        return started[-1]

    yield start
    for one in started:
        one.close()
    shutil.rmtree(folder, ignore_errors=True)


def test_interactive_in_a_terminal_goes_through_three_modes_and_a_filtered_prompt(terminal):
    screen = terminal("--mode", "variation")
    screen.wait_for("Describe the image to generate: ")
    screen.type("a red fox", enter=False)
    screen.keys("Left", "Left", "Left")  # line editing: back over "fox"
    screen.type("big ")
    shown = screen.wait_for("Modification (variation")
    assert "^[[D" not in shown  # the arrow moved the cursor instead of printing itself
    (first,) = re.findall(r"^generated\n  image (\S+) ", shown, re.MULTILINE)
    meta = make_s3_client("us-west-2").get_object(Bucket=BUCKET, Key=f"images/{first}/meta.json")["Body"].read()
    assert json.loads(meta)["prompt"] == "a red big fox"

    screen.type("autumn colours")
    screen.wait_for(f"variation of {first}")
    screen.wait_for("Modification (variation", count=2)

    screen.type("snow [blocked]")  # the emulator's input filter refuses it
    shown = screen.wait_for("Modification (variation", count=3)
    assert "imagegen: Bedrock's content filters blocked the prompt" in shown
    assert screen.running()

    screen.type("/mode inpaint")
    screen.wait_for("Modification (inpaint")
    screen.type("a knitted hat")
    screen.wait_for("Mask for inpaint")
    screen.type("25%,25%,50%,50%")
    screen.wait_for("inpaint of ")

    screen.type("/mode outpaint")
    screen.wait_for("Modification (outpaint")
    screen.type("a wide snowy valley")
    screen.wait_for("Margins for outpaint")
    screen.type("64,64,0,0")
    screen.wait_for("outpaint of ")
    shown = screen.wait_for("Modification (outpaint", count=2)
    sizes = re.findall(r"^  image \S+  (\d+)x(\d+) ", shown, re.MULTILINE)
    (inpainted_width, height), (outpainted_width, same_height) = sizes[-2:]
    assert (int(outpainted_width), same_height) == (int(inpainted_width) + 128, height)
    screen.keys("Enter")  # an empty answer finishes
    assert screen.exit_status() == "0"
    assert screen.screen().count("imagegen:") == 1  # the filtered prompt's line, and nothing else
