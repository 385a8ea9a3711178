"""GET /images/{id} answers a page of an image's edits (limit, cursor), not all of them: the
work one answer does is bounded by the page size and by the request's deadline."""

from __future__ import annotations

import base64
import threading
from collections import Counter
from typing import Any

import pytest
from imagegen.handlers import evaluate
from imagegen.ids import new_image_id
from imagegen.pages import MAX_LIMIT

from tests.fakes import api_event

PROMPT = "a red fox sitting in fresh snow"


def add_edits(world, parent_id: str, count: int) -> list[str]:
    """`count` edit links under `parent_id`, as modify leaves them (the edits' images are not needed)."""
    store = world.runtime().pipeline.store
    edit_ids = [new_image_id() for _ in range(count)]
    for n, edit_id in enumerate(edit_ids):
        link = {
            "image_id": edit_id,
            "image_key": f"images/{edit_id}/image.png",
            "mode": "inpaint",
            "prompt": f"edit {n}",
            "model": "amazon.nova-canvas-v1:0",
            "created_at": f"2025-06-02T09:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
        }
        store.link_edit(parent_id, edit_id, link)
    return edit_ids


def describe(world, image_id: str, query: dict[str, str] | None = None, **kw: Any) -> tuple[int, dict[str, Any]]:
    event = api_event("GET", "/images/{id}", path={"id": image_id})
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return world.call(evaluate, event, **kw)


def every_edit(world, image_id: str, limit: int, **kw: Any) -> tuple[list[str], int]:
    """The edit ids of every page, following next_cursor, and the number of pages."""
    seen: list[str] = []
    query: dict[str, str] = {"limit": str(limit)}
    for pages in range(1, 1_000):
        status, body = describe(world, image_id, query, **kw)
        assert status == 200, body
        assert len(body["edits"]) <= limit
        seen += [edit["image_id"] for edit in body["edits"]]
        if not body.get("next_cursor"):
            return seen, pages
        query = {"limit": str(limit), "cursor": body["next_cursor"]}
    raise AssertionError("next_cursor never ended")


def count_s3_calls(world) -> Counter[str]:
    calls: Counter[str] = Counter()
    lock = threading.Lock()

    def count(model: Any, **_: Any) -> None:
        with lock:
            calls[model.name] += 1

    world.s3.meta.events.register("before-call.s3", count)
    return calls


def test_many_edits_are_answered_a_default_page_at_a_time_with_a_cursor(world, image_id):
    add_edits(world, image_id, 60)
    status, body = describe(world, image_id)
    assert status == 200
    assert len(body["edits"]) == 50
    assert body["next_cursor"]
    assert all("X-Amz-Signature=" in edit["url"] for edit in body["edits"])


def test_following_next_cursor_gives_every_edit_once_and_then_none(world, image_id):
    made = add_edits(world, image_id, 23)
    seen, pages = every_edit(world, image_id, limit=5)
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    assert pages == 5


def test_an_image_with_fewer_edits_than_the_limit_has_no_next_cursor(world, image_id):
    made = add_edits(world, image_id, 3)
    status, body = describe(world, image_id, {"limit": "3"})
    assert status == 200
    assert sorted(edit["image_id"] for edit in body["edits"]) == sorted(made)
    assert body["next_cursor"] is None


def test_the_page_size_bounds_the_s3_calls_not_the_number_of_edits(world, image_id):
    add_edits(world, image_id, 60)
    calls = count_s3_calls(world)
    status, body = describe(world, image_id, {"limit": "10"})
    assert status == 200 and len(body["edits"]) == 10
    # the image's metadata and verdict, then one listing of at most a page and a read per edit shown
    assert calls["ListObjectsV2"] == 1
    assert calls["GetObject"] == 2 + 10
    calls.clear()
    status, body = describe(world, image_id, {"limit": "10", "cursor": body["next_cursor"]})
    assert status == 200 and len(body["edits"]) == 10
    assert (calls["ListObjectsV2"], calls["GetObject"]) == (1, 2 + 10)


@pytest.mark.parametrize("run", range(6))  # the reads race the deadline on real threads
def test_a_deadline_that_passes_mid_page_ends_the_page_early_with_a_cursor(world, image_id, run):
    """Each read of an edit link takes a second of the handler's clock; the request has 8 s
    (6 after the handlers' margin), so a page of 20 cannot be read whole: the answer holds what
    was read in time and a cursor to the rest, and following the cursors loses nothing."""
    made = add_edits(world, image_id, 20)
    lock = threading.Lock()

    def slow(params: dict[str, Any], **_: Any) -> None:
        if "/edits/" in params.get("Key", ""):
            with lock:
                world.clock.now += 1.0

    world.s3.meta.events.register("before-parameter-build.s3.GetObject", slow)
    status, body = describe(world, image_id, {"limit": "20"}, remaining_ms=8_000)
    assert status == 200
    assert 0 < len(body["edits"]) < 20 and body["next_cursor"]
    seen, _ = every_edit(world, image_id, limit=20, remaining_ms=8_000)
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not a cursor!"}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"images/elsewhere/edits/x.json").decode().rstrip("=")}, "cursor"),
        ({"cursor": ""}, "cursor"),
        ({"limit": "0"}, "limit"),
        ({"limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_naming_it(world, image_id, query, field):
    add_edits(world, image_id, 3)
    status, body = describe(world, image_id, query)
    assert status == 400
    assert (body["error"]["code"], body["error"]["field"]) == ("invalid_parameter", field)


def test_the_largest_limit_is_accepted(world, image_id):
    made = add_edits(world, image_id, 3)
    status, body = describe(world, image_id, {"limit": str(MAX_LIMIT)})
    assert status == 200
    assert sorted(edit["image_id"] for edit in body["edits"]) == sorted(made) and body["next_cursor"] is None


def test_a_page_lists_the_edits_in_the_order_of_their_ids(world, image_id):
    made = add_edits(world, image_id, 12)
    seen, _ = every_edit(world, image_id, limit=5)
    assert seen == sorted(made)


@pytest.mark.parametrize("query", [["limit", "1"], "limit=1", {"limit": None}])
def test_query_strings_that_api_gateway_would_never_send_are_no_500(world, image_id, query):
    add_edits(world, image_id, 2)
    event = api_event("GET", "/images/{id}", path={"id": image_id})
    event["queryStringParameters"] = query
    status, body = world.call(evaluate, event)
    assert status in (200, 400), body
    assert status == 200 or body["error"]["field"] == "limit"
