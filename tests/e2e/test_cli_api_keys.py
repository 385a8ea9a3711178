"""`imagegen api generate/modify` send an idempotency key (a new one per command, or --client-token),
and an image the API made but could not store (image_not_stored, inline) is saved here."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path
from typing import Any

import pytest
from imagegen import png

from imagegen_local import cli
from tests.e2e.conftest import canned_api

IMAGE = png.solid(8, 8, (10, 200, 30))


@pytest.fixture
def api(local_env):
    """A stand-in API on loopback: records each POST body, answers the reply set on it."""
    state: dict[str, Any] = {"bodies": [], "reply": (200, {})}
    with canned_api(lambda: (state["reply"][0], json.dumps(state["reply"][1]).encode()), state["bodies"]) as url:
        state["url"] = url
        yield state


def imagegen(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


NOT_STORED = {
    "error": {
        "code": "image_not_stored",
        "message": "1 generated image could not be stored in S3 (could not store the image in S3 (SlowDown))",
        "images": [
            {
                "format": "png",
                "width": 8,
                "height": 8,
                "seed": 7,
                "bytes": len(IMAGE),
                "inline": True,
                "image_base64": base64.b64encode(IMAGE).decode(),
            }
        ],
    }
}


def test_each_api_generate_sends_a_new_idempotency_key(api):
    api["reply"] = (503, {"error": {"code": "no_time_left", "message": "send it again"}})
    for _ in range(2):
        imagegen("api", "generate", "a fox", "--api-url", api["url"], "--api-key", "k")
    tokens = [body["client_token"] for body in api["bodies"]]
    assert len(tokens) == 2 and tokens[0] != tokens[1] and all(len(t) >= 32 for t in tokens)


def test_client_token_sends_the_callers_key(api):
    api["reply"] = (503, {"error": {"code": "no_time_left", "message": "send it again"}})
    imagegen("api", "generate", "a fox", "--client-token", "my-key-1", "--api-url", api["url"], "--api-key", "k")
    assert api["bodies"][-1]["client_token"] == "my-key-1"


def test_an_image_the_api_could_not_store_is_saved_here_and_said_not_stored(api, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    api["reply"] = (503, NOT_STORED)
    code, out, err = imagegen("api", "generate", "a fox", "--api-url", api["url"], "--api-key", "k")
    assert code == 7 and out == ""
    assert "could not be stored" in err and "saved here instead" in err and "base64" not in err
    (saved,) = Path("generated-images").glob("not-stored-*.png")
    assert saved.read_bytes() == IMAGE and str(saved) in err
