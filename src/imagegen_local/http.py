"""HTTP on loopback for the demo and the tests: JSON calls and downloads that never go
through a proxy (an HTTP_PROXY in the environment would otherwise carry 127.0.0.1 traffic away)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def call_json(method: str, url: str, body: Any = None, timeout: float = 60) -> tuple[int, dict[str, Any]]:
    """(status, JSON answer) for any status, errors included."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with _DIRECT.open(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def fetch(url: str, timeout: float = 30) -> bytes:
    with _DIRECT.open(url, timeout=timeout) as response:
        return response.read()
