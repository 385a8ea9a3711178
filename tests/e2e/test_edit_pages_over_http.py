"""Pages of an image's edits over HTTP: the dev API passes the query string as API Gateway does,
and `imagegen api get` asks for a page and says how to get the next one."""

from __future__ import annotations

import io
import json
import os
import urllib.error
import urllib.request

import pytest
from imagegen.ids import new_image_id
from imagegen.storage import ImageStore, make_s3_client

from imagegen_local import cli


def call(api, path):
    try:
        with urllib.request.urlopen(api.url + path, timeout=60) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)


def imagegen(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def image_with_edits(dev_api):
    """A generated image and five edit links under it (the edits' images are not needed)."""
    status, generated = call_post(dev_api, "generate-image", {"prompt": "a red fox", "evaluate": False})
    assert status == 200, generated
    store = ImageStore(make_s3_client("us-west-2"), os.environ["IMAGEGEN_BUCKET"])
    edits = sorted(new_image_id() for _ in range(5))
    for edit_id in edits:
        link = {
            "image_id": edit_id,
            "image_key": f"images/{edit_id}/image.png",
            "mode": "inpaint",
            "prompt": "a grey wolf",
            "model": "amazon.nova-canvas-v1:0",
            "created_at": "2025-06-02T09:00:00+00:00",
        }
        store.link_edit(generated["image_id"], edit_id, link)
    return generated["image_id"], edits


def call_post(api, path, body):
    request = urllib.request.Request(
        api.url + path, method="POST", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status, json.load(response)


def test_the_dev_api_passes_limit_and_cursor_to_the_handler(dev_api, image_with_edits):
    image_id, edits = image_with_edits
    status, first = call(dev_api, f"images/{image_id}?limit=3")
    assert status == 200
    assert [e["image_id"] for e in first["edits"]] == edits[:3] and first["next_cursor"]
    status, rest = call(dev_api, f"images/{image_id}?limit=3&cursor={first['next_cursor']}")
    assert status == 200
    assert [e["image_id"] for e in rest["edits"]] == edits[3:] and rest["next_cursor"] is None


def test_an_empty_cursor_reaches_the_handler_as_api_gateway_passes_it(dev_api, image_with_edits):
    image_id, _ = image_with_edits
    status, answer = call(dev_api, f"images/{image_id}?cursor=")
    assert status == 400
    assert (answer["error"]["code"], answer["error"]["field"]) == ("invalid_parameter", "cursor")


def test_imagegen_api_get_shows_a_page_and_the_cursor_to_the_next(dev_api, image_with_edits):
    image_id, edits = image_with_edits
    code, out, err = imagegen("api", "get", image_id, "--edits-limit", "2", "--api-url", dev_api.url)
    assert code == 0, err
    assert "edits   2 on this page; the next page: --cursor " in out
    cursor = out.split("--cursor ")[1].split()[0]
    assert [line.split()[0] for line in out.splitlines() if line.startswith("    ")] == edits[:2]
    code, out, err = imagegen(
        "api", "get", image_id, "--edits-limit", "5", "--cursor", cursor, "--api-url", dev_api.url, "--json"
    )
    assert code == 0, err
    answer = json.loads(out)["answer"]
    assert [e["image_id"] for e in answer["edits"]] == edits[2:] and answer["next_cursor"] is None
    assert dev_api.received[-1][1] == f"/prd/images/{image_id}?limit=5&cursor={cursor}"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--edits-limit", "0"], "--edits-limit 0 is not allowed: a whole number from 1 to 80"),
        (["--edits-limit", "81"], "--edits-limit 81 is not allowed: a whole number from 1 to 80"),
        (["--cursor", "x!"], "--cursor 'x!' is not allowed: the next_cursor of an earlier answer"),
    ],
)
def test_imagegen_api_get_refuses_a_bad_page_before_sending(dev_api, argv, said):
    before = len(dev_api.received)
    code, _, err = imagegen("api", "get", new_image_id(), *argv, "--api-url", dev_api.url)
    assert code == 2 and said in err
    assert len(dev_api.received) == before
