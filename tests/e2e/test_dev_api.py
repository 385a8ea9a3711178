"""The API on this machine, over HTTP, as a user would call it: the real handlers, the emulator,
the local S3, and pre-signed URLs that download."""

import json
import os
import random
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from imagegen import png

from imagegen_local.devapi import DevApi

PROMPT = "a red fox sitting in fresh snow"


def call(api, method, path, body=None):
    request = urllib.request.Request(
        api.url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read()


def test_generate_evaluate_modify_and_describe_over_http(dev_api, emulator):
    status, generated = call(dev_api, "POST", "generate-image", {"prompt": PROMPT, "aspect_ratio": "16:9"})
    assert status == 200, generated
    assert type(generated["evaluation_data"]["score"]) is int
    picture = fetch(generated["url"])  # the pre-signed URL works against the local S3
    assert png.decode(picture).width == 1344 and b"EMULATED" in picture

    status, second = call(
        dev_api,
        "POST",
        "evaluate-image",
        {"image_id": generated["image_id"], "judge_model": "anthropic.claude-haiku-4-5-20251001-v1:0"},
    )
    assert status == 200 and second["evaluation"]["judge_model"] == "anthropic.claude-haiku-4-5-20251001-v1:0"

    status, edit = call(
        dev_api,
        "POST",
        "modify-image",
        {"image_id": generated["image_id"], "mode": "replace", "prompt": "a snow leopard", "mask_prompt": "the fox"},
    )
    assert status == 200, edit
    assert fetch(edit["url"]).startswith(b"\x89PNG")
    assert emulator.calls[-1]["model"] == "us.stability.stable-image-search-replace-v1:0"

    status, described = call(dev_api, "GET", f"images/{generated['image_id']}")
    assert status == 200
    assert [e["image_id"] for e in described["edits"]] == [edit["image_id"]]
    assert described["evaluation"]["judge_model"] == "anthropic.claude-haiku-4-5-20251001-v1:0"
    assert fetch(described["edits"][0]["url"]) == fetch(edit["url"])


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("generate-image", {"prompt": "a fox [blocked]"}, 422, "content_filtered"),
        ("generate-image", {"prompt": "a fox [withheld]"}, 422, "content_filtered"),
        ("generate-image", {"prompt": "a fox", "aspect_ratio": "4:3"}, 400, "invalid_parameter"),
        ("generate-image", {"prompt": "a fox", "model": "stability.sd3-5-large-v1:0"}, 400, "invalid_parameter"),
        ("evaluate-image", {"image_id": "A" * 22}, 404, "image_not_found"),
        ("modify-image", {"image_id": "A" * 22, "mode": "upscale"}, 404, "image_not_found"),
    ],
)
def test_errors_over_http(dev_api, path, body, status, code):
    got, answer = call(dev_api, "POST", path, body)
    assert (got, answer["error"]["code"]) == (status, code)


def test_a_route_the_api_does_not_have_is_refused_like_api_gateway(dev_api):
    status, answer = call(dev_api, "GET", "generate-image")
    assert status == 403 and answer["error"]["code"] == "request_refused"


def test_model_access_denied_is_a_503_with_how_to_fix_it(dev_api, emulator):
    emulator.configure(deny_models=["stability.stable-image-core-v1:1"])
    status, answer = call(dev_api, "POST", "generate-image", {"prompt": PROMPT})
    assert (status, answer["error"]["code"]) == (503, "model_access_denied")
    assert "Model access" in answer["error"]["message"]


def test_a_throttled_call_is_retried_and_succeeds(dev_api, emulator):
    seed = next(s for s in range(1000) if (r := random.Random(s)).random() < 0.5 <= r.random())  # throttle, then pass
    emulator.configure(throttle_rate=0.5, seed=seed)
    status, answer = call(dev_api, "POST", "generate-image", {"prompt": PROMPT, "evaluate": False})
    assert status == 200, answer
    assert [c.get("error") for c in emulator.calls[-2:]] == ["ThrottlingException", None]


def test_when_the_judge_cannot_fit_the_verdict_finishes_in_the_background(local_env):
    local_env.setenv("IMAGEGEN_JUDGE_SECONDS", "25")  # more than the 27 s a request may use, less the image call
    with DevApi(log_stream=open(os.devnull, "w")) as api:
        status, answer = call(api, "POST", "generate-image", {"prompt": PROMPT})
        assert status == 200 and answer["evaluation"]["status"] == "pending"
        for _ in range(100):
            _, described = call(api, "GET", f"images/{answer['image_id']}")
            if described["evaluation"]["status"] != "pending":
                break
            time.sleep(0.05)
    assert described["evaluation"]["status"] == "done"
    assert type(described["evaluation_data"]["score"]) is int


def test_the_demo_runs_offline_and_leaves_its_images(tmp_path):
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path)}  # no AWS variables, no credentials
    done = subprocess.run(
        [sys.executable, "-m", "imagegen_local.demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    generated, updated = (
        list((tmp_path / "generated-images").glob("*.png")),
        list((tmp_path / "updated-images").glob("*.png")),
    )
    assert len(generated) == 2 and len(updated) == 1
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in [*generated, *updated])
    assert "score" in done.stdout and "every server stopped" in done.stdout
    urls = [line for line in done.stdout.splitlines() if line.startswith("http://127.0.0.1:")]
    assert len(urls) == 4  # generate, modify, refine, describe: each pre-signed URL whole, on its own line
    assert all("X-Amz-Signature=" in url and not url.endswith("...") for url in urls)
    shown = _shapes(done.stdout.splitlines())
    captured = _readme_capture()
    assert len(captured) >= 20 and [line for line in captured if _shape(line) not in shown] == []


def _shape(line: str) -> str:
    """A line with what differs between runs masked: ids, numbers, where the images went."""
    line = re.sub(r"\S*/(generated|updated)-images/", r"\1-images/", line)
    return re.sub(r"\d[\d,]*", "N", re.sub(r"(?<![\w-])[A-Za-z0-9_-]{22}(?![\w-])", "ID", line))


def _shapes(lines: list[str]) -> set[str]:
    return {_shape(line) for line in lines}


def _readme_capture() -> list[str]:
    """The README's capture of `make demo`: the demo's own lines (not make's, pip's, the URLs or
    the lines trimmed to an ellipsis)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```text\n\$ make demo\n(.*?)```", readme, re.DOTALL)
    assert block, "README.md has no capture of make demo"
    skipped = ("make demo:", "…", ".venv/bin/python", "http://", "  …")
    return [line for line in block.group(1).splitlines() if line.strip() and not line.startswith(skipped)]


@pytest.mark.parametrize(
    "body",
    [
        {"prompt": "a fox", "colour": "red"},
        {"prompt": 5},
        {"prompt": "a fox", "seed": -1},
        {"prompt": "a fox", "count": 6},
        {},
    ],
)
def test_a_body_failing_the_schema_model_is_refused_by_the_gateway_before_the_handler(dev_api, body):
    handled = dev_api.logs.getvalue().count('"event": "request"')
    status, answer = call(dev_api, "POST", "generate-image", body)
    assert (status, answer) == (400, {"error": {"code": "invalid_request", "message": "Invalid request body"}})
    assert dev_api.logs.getvalue().count('"event": "request"') == handled  # no handler ran


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_methods_the_api_does_not_have_are_refused_like_api_gateway(dev_api, method):
    status, answer = call(dev_api, method, "generate-image")
    assert (status, answer["error"]["code"]) == (403, "request_refused")


def test_with_a_cors_origin_preflights_and_answers_carry_it(local_env):
    local_env.setenv("IMAGEGEN_CORS_ORIGIN", "https://app.example.com")
    with DevApi(log_stream=open(os.devnull, "w")) as api:
        preflight = urllib.request.Request(api.url + "generate-image", method="OPTIONS")
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(preflight) as response:
            assert response.status == 204
            assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
            assert "POST" in response.headers["Access-Control-Allow-Methods"]
        request = urllib.request.Request(
            api.url + "generate-image", method="POST", data=b'{"prompt": "a fox", "evaluate": false}'
        )
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request) as response:
            assert response.headers["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_a_handler_past_the_integration_timeout_gets_the_gateways_504(local_env, emulator):
    emulator.configure(latency_seconds=0.5)  # every Bedrock call takes half a second
    with DevApi(log_stream=open(os.devnull, "w"), integration_timeout=0.15) as api:
        started = time.monotonic()
        status, answer = call(api, "POST", "generate-image", {"prompt": PROMPT, "evaluate": False})
        waited = time.monotonic() - started
    assert (status, answer) == (504, {"error": {"code": "upstream_timeout", "message": "Endpoint request timed out"}})
    assert waited < 0.5  # the gateway stopped waiting; the function ran on, and stop() waited for it
