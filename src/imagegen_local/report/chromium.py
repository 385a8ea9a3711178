"""Headless Chromium driven over the Chrome DevTools Protocol (websocket-client, a development
dependency): for the report's browser test and its screenshot. The browser is told to stay off
the network (no first-run, sync, component updates or background requests); it opens file:// pages."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import websocket

NAMES = ("chromium", "chromium-browser", "google-chrome")
FLAGS = [
    "--headless=new",
    "--remote-debugging-port=0",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-features=MediaRouter,OptimizationHints,Translate",
    "--metrics-recording-only",
    "--no-pings",
    "--mute-audio",
    "--disable-gpu",
    "--hide-scrollbars",
    "--window-size=1280,900",
]


def find() -> str | None:
    return next((found for name in NAMES if (found := shutil.which(name))), None)


class Browser:
    """One Chromium process and its first page; `close()` ends both and removes the profile."""

    def __init__(self, executable: str, timeout: float = 15.0) -> None:
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-")
        flags = [*FLAGS, f"--user-data-dir={self.profile}"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        self.process = subprocess.Popen(
            [executable, *flags, "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            port = self._port(timeout)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=timeout) as answer:
                targets = json.load(answer)
            page = next(t for t in targets if t.get("type") == "page")
            self.socket = websocket.create_connection(
                page["webSocketDebuggerUrl"], timeout=timeout, suppress_origin=True
            )
        except BaseException:
            self.close()
            raise
        self.events: list[dict[str, Any]] = []
        self._next = 0
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")

    def _port(self, timeout: float) -> int:
        """The port Chromium chose, from the DevToolsActivePort file in its profile."""
        file = Path(self.profile) / "DevToolsActivePort"
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.process.poll() is not None:
                stderr = self.process.stderr.read().decode(errors="replace") if self.process.stderr else ""
                raise RuntimeError(f"chromium ended at start ({self.process.returncode}): {stderr[-2000:]}")
            lines = file.read_text().splitlines() if file.exists() else []
            if lines and lines[0].isdigit():
                return int(lines[0])
            time.sleep(0.02)
        raise TimeoutError("chromium did not open its DevTools port")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """A CDP command's result; the events that arrive meanwhile are kept in `events`."""
        self._next += 1
        ident = self._next
        self.socket.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 10.0) -> dict[str, Any]:
        """The first `event` not yet waited for (kept in `events` too)."""
        end = time.monotonic() + timeout
        seen = 0
        while True:
            for message in self.events[seen:]:
                if message.get("method") == event and not message.get("_waited"):
                    message["_waited"] = True
                    return message
            seen = len(self.events)
            if time.monotonic() > end:
                raise TimeoutError(f"no {event} in {timeout} s")
            self.socket.settimeout(max(0.01, end - time.monotonic()))
            try:
                self.events.append(json.loads(self.socket.recv()))
            except websocket.WebSocketTimeoutException:
                continue
            finally:
                self.socket.settimeout(self.timeout)

    def open(self, url: str) -> None:
        """Go to `url` and wait for its load event."""
        self.send("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (awaited if a promise)."""
        answer = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def key(self, key: str, code: int) -> None:
        """A key pressed and released on the focused element, as a person types it (Enter: 13)."""
        text = "\r" if key == "Enter" else ""
        common = {"key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        self.send("Input.dispatchKeyEvent", type="keyDown", text=text, **common)
        self.send("Input.dispatchKeyEvent", type="keyUp", **common)

    def errors(self) -> list[str]:
        """What the console and the page reported as errors so far."""
        found = []
        for message in self.events:
            method, params = message.get("method"), message.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails"))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
                found.append(" ".join(str(a.get("value", a.get("description"))) for a in params.get("args", [])))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                found.append(str(params["entry"].get("text")))
        return found

    def screenshot(self, path: Path, *, width: int = 1280, height: int = 900) -> None:
        """The page at `width` x `height` CSS pixels, as a PNG file."""
        self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)
        shot = self.send("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        if getattr(self, "socket", None) is not None:
            self.socket.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stderr:
            self.process.stderr.close()
        shutil.rmtree(self.profile, ignore_errors=True)
