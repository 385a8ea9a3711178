"""`imagegen serve`: the offline world from one command, as a user runs it: a real process in one
terminal, and in another one step (`eval "$(imagegen serve --env)"`) before any command works,
with no AWS account, no credentials and no AWS configuration."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from .conftest import cli_runner

IMAGEGEN = Path(sys.executable).parent / "imagegen"
ONE_STEP = 'eval "$(imagegen serve --env --port-base {base})"'


def free_port_base() -> int:
    """A port N with N, N+1 and N+2 free on loopback (serve's three servers)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base < 65530 and not any(_listening(base + offset) for offset in range(3)) and _bindable(base):
            return base
    raise AssertionError("no three free ports in a row")


def _bindable(base: int) -> bool:
    try:
        for offset in range(3):
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", base + offset))
    except OSError:
        return False
    return True


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def bare_env(tmp_path: Path, on_path: bool = True) -> dict[str, str]:
    """What a fresh terminal of a machine without AWS has: no AWS_* variable, no ~/.aws; imagegen
    on the PATH (an activated virtual environment) unless `on_path` is false."""
    path = os.environ["PATH"] if not on_path else f"{IMAGEGEN.parent}{os.pathsep}{os.environ['PATH']}"
    if not on_path:
        path = os.pathsep.join(part for part in path.split(os.pathsep) if Path(part) != IMAGEGEN.parent)
    return {"PATH": path, "HOME": str(tmp_path)}


class Served:
    """`imagegen serve` running as its own process; its stdout is read line by line as it comes."""

    def __init__(self, tmp_path: Path, *args: str, on_path: bool = True) -> None:
        self.base = free_port_base()
        self.process = subprocess.Popen(
            [IMAGEGEN, "serve", "--port-base", str(self.base), *args],
            cwd=tmp_path,
            env=bare_env(tmp_path, on_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def banner(self, seconds: float = 30) -> str:
        """Every line printed until the one saying how to stop it."""
        seen, ends = [], time.monotonic() + seconds
        while not seen or "Ctrl-C" not in seen[-1]:
            try:
                seen.append(self.lines.get(timeout=max(0.0, ends - time.monotonic())))
            except queue.Empty:
                self.process.kill()
                raise AssertionError(f"no banner; printed {seen}, stderr {self.process.communicate()[1]}") from None
        return "".join(seen)

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=5)
        finally:
            self.process.kill()
            self.process.communicate()


def shell(tmp_path: Path, script: str, on_path: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", "-c", script], cwd=tmp_path, env=bare_env(tmp_path, on_path), capture_output=True, text=True, timeout=60
    )


def test_serve_starts_the_world_and_after_one_step_every_command_works_until_ctrl_c(tmp_path):
    served = Served(tmp_path)
    try:
        banner = served.banner()
        base = served.base
        for port, what in [(base, "Bedrock"), (base + 1, "S3"), (base + 2, "API")]:
            assert f"http://127.0.0.1:{port}" in banner and what in banner
        assert ONE_STEP.format(base=base) in banner  # the one step, as another terminal types it
        assert "http://0.0.0.0" not in banner and all(_listening(base + offset) for offset in range(3))

        step = ONE_STEP.format(base=base)
        local = shell(tmp_path, f'{step} && imagegen generate "a fox" --seed 7 --json')
        assert local.returncode == 0, local.stderr
        (image,) = json.loads(local.stdout)["images"]
        assert Path(tmp_path, image["file"]).read_bytes().startswith(b"\x89PNG")
        assert image["url"].startswith(f"http://127.0.0.1:{base + 1}/imagegen-demo/")

        api = shell(tmp_path, f'{step} && imagegen api generate "a fox" --json && imagegen models --json')
        assert api.returncode == 0, api.stderr
        answer = json.JSONDecoder().raw_decode(api.stdout)[0]
        assert answer["status"] == 200 and answer["answer"]["url"].startswith(f"http://127.0.0.1:{base + 1}/")
        assert '"command": "models"' in api.stdout

        assert served.stop(signal.SIGINT) == 0
    finally:
        served.process.kill()
    assert not any(_listening(base + offset) for offset in range(3))


def test_started_by_its_path_the_next_step_it_prints_names_that_path_and_works_as_pasted(tmp_path):
    served = Served(tmp_path, on_path=False)  # `.venv/bin/imagegen serve`, the environment not activated
    try:
        banner = served.banner()
        step = f'eval "$({IMAGEGEN} serve --env --port-base {served.base})"'
        assert step in banner and f'{IMAGEGEN} generate "a fox"' in banner
        assert "imagegen generate" not in banner.replace(f"{IMAGEGEN} generate", "")
        pasted = shell(tmp_path, f"{step} && {IMAGEGEN} models --json", on_path=False)
        assert pasted.returncode == 0, pasted.stderr
        assert served.stop(signal.SIGINT) == 0
    finally:
        served.process.kill()


def test_sigterm_stops_it_too_and_a_second_serve_on_the_same_ports_says_why_it_cannot(tmp_path):
    served = Served(tmp_path, "--bucket", "my-images", "--serve-retired")
    try:
        served.banner()
        again = subprocess.run(
            [IMAGEGEN, "serve", "--port-base", str(served.base)],
            env=bare_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert again.returncode != 0 and again.stdout == ""
        assert len(again.stderr.splitlines()) == 1 and f"port {served.base} is in use" in again.stderr

        exports = shell(tmp_path, f"imagegen serve --env --port-base {served.base}")
        assert exports.returncode == 0 and "export IMAGEGEN_BUCKET=my-images" in exports.stdout
        assert f"export IMAGEGEN_API_URL=http://127.0.0.1:{served.base + 2}/prd/" in exports.stdout
        assert served.stop(signal.SIGTERM) == 0
    finally:
        served.process.kill()
    assert not any(_listening(served.base + offset) for offset in range(3))


def test_env_with_nothing_listening_fails_in_one_line_and_prints_nothing_to_eval(tmp_path):
    code, out, err = cli_runner(tmp_path)("serve", "--env", "--port-base", free_port_base())
    assert code != 0 and out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith("imagegen: nothing is listening on 127.0.0.1:") and "imagegen serve" in err


def test_the_offline_page_names_every_variable_serve_env_sets_and_unsets():
    from imagegen_local import world
    from imagegen_local.cli.serve import UNSET

    page = (Path(__file__).resolve().parents[2] / "docs" / "offline.md").read_text(encoding="utf-8")
    exported = world.world_environment("http://e", "http://s", "http://a/prd/")
    missing = [name for name in [*exported, *UNSET] if f"`{name}`" not in page]
    assert not missing, f"docs/offline.md does not name {missing}"
