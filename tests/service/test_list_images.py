"""GET /images: the stored images newest first, a page at a time (limit, cursor), each with a
fresh URL, its prompt and its score; bounded by the page size and by the request's deadline; an
image is never lost from the store, nor from the listing, for want of its index entry."""

from __future__ import annotations

import base64
import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError
from imagegen.handlers import evaluate
from imagegen.storage import INDEX
from imagegen.usecases.listing import DEFAULT_LIMIT, MAX_LIMIT

from tests.fakes import api_event

from .test_describe_edit_pages import count_s3_calls


def listed(world, query: dict[str, str] | None = None, **kw: Any) -> tuple[int, dict[str, Any]]:
    event = api_event("GET", "/images")
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return world.call(evaluate, event, **kw)


def make(world, count: int, evaluate: bool = False) -> list[str]:
    """`count` images, one a second of the handlers' clock, oldest first."""
    made = []
    for n in range(count):
        world.clock.now += 1.0
        status, body = world.generate({"prompt": f"fox number {n}", "evaluate": evaluate})
        assert status == 200, body
        made.append(body["image_id"])
    return made


def every_image(world, limit: int, **kw: Any) -> tuple[list[str], int]:
    seen: list[str] = []
    query = {"limit": str(limit)}
    for pages in range(1, 200):
        status, body = listed(world, query, **kw)
        assert status == 200, body
        assert len(body["images"]) <= limit
        seen += [image["image_id"] for image in body["images"]]
        if not body["next_cursor"]:
            return seen, pages
        query = {"limit": str(limit), "cursor": body["next_cursor"]}
    raise AssertionError("next_cursor never ended")


def test_images_are_listed_newest_first_with_a_fresh_url_their_prompt_and_score(world):
    made = make(world, 2, evaluate=True)
    status, body = listed(world)
    assert status == 200
    assert [image["image_id"] for image in body["images"]] == made[::-1]
    newest = body["images"][0]
    assert newest["prompt"] == "fox number 1" and "X-Amz-Signature=" in newest["url"]
    assert newest["evaluation_status"] == "done" and isinstance(newest["score"], int)
    assert newest["lineage"]["parent_id"] is None and newest["width"]
    status, rest = listed(world, {"cursor": body["next_cursor"]})  # the pass for images the index lacks
    assert (status, rest) == (200, {"images": [], "next_cursor": None})


def test_following_next_cursor_gives_every_image_once_newest_first(world):
    made = make(world, 5)
    seen, pages = every_image(world, limit=2)
    assert seen == made[::-1]
    assert pages == 3 + 3  # the index's, then the image prefixes' (and the index's own) for images it lacks


def test_an_edit_is_listed_above_its_parent_with_its_lineage(world):
    (parent,) = make(world, 1)
    world.clock.now += 1.0
    status, edit = world.modify({"image_id": parent, "mode": "variation", "prompt": "in autumn", "strength": 0.5})
    assert status == 200, edit
    _, body = listed(world)
    first, second = body["images"]
    assert (first["image_id"], second["image_id"]) == (edit["image_id"], parent)
    assert first["lineage"]["parent_id"] == parent and first["kind"] == "edit"


def test_a_page_costs_one_listing_and_two_reads_an_image_not_the_size_of_the_store(world):
    make(world, 6)
    calls = count_s3_calls(world)
    status, body = listed(world, {"limit": "3"})
    assert status == 200 and len(body["images"]) == 3
    assert (calls["ListObjectsV2"], calls["GetObject"]) == (1, 3 * 2)


def test_an_image_whose_index_entry_could_not_be_written_is_still_stored_found_and_listed(world):
    refuse_index = {"left": 10}

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key", "").startswith(INDEX) and refuse_index["left"] > 0:
            refuse_index["left"] -= 1
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "PutObject")

    world.s3.meta.events.register("before-parameter-build.s3.PutObject", refuse)
    status, body = world.generate({"prompt": "an unindexed fox", "evaluate": False})
    assert status == 200
    assert [w["step"] for w in body["warnings"]] == ["index the image for GET /images"]
    status, described = world.describe(body["image_id"])
    assert status == 200 and described["meta"]["prompt"] == "an unindexed fox"
    seen, _ = every_image(world, limit=5)
    assert seen == [body["image_id"]]  # listed too, in the pass for the images the index lacks


def drop_index_entries(world, image_ids: list[str]) -> None:
    """As if these images were stored before the index existed (or their entries failed)."""
    listing = world.s3.list_objects_v2(Bucket=world.settings.bucket, Prefix=INDEX)
    for item in listing.get("Contents", []):
        if item["Key"][-22:] in image_ids:
            world.s3.delete_object(Bucket=world.settings.bucket, Key=item["Key"])


def test_images_the_index_lacks_are_listed_after_it_each_once(world):
    made = make(world, 4)
    drop_index_entries(world, made[:2])
    seen, _ = every_image(world, limit=10)
    assert seen[:2] == made[:1:-1]  # the indexed ones first, newest first
    assert sorted(seen[2:]) == sorted(made[:2]) and len(seen) == 4


def test_with_no_index_at_all_the_first_page_lists_the_stored_images(world):
    made = make(world, 3)
    drop_index_entries(world, made)
    status, body = listed(world)
    assert status == 200 and sorted(image["image_id"] for image in body["images"]) == sorted(made)
    assert body["images"][0]["prompt"].startswith("fox number")


def test_an_index_entry_whose_image_is_not_stored_is_passed_over(world):
    made = make(world, 2)
    world.s3.put_object(Bucket=world.settings.bucket, Key=f"{INDEX}0000000000000-{'A' * 22}", Body=b"")
    status, body = listed(world)
    assert status == 200
    assert [image["image_id"] for image in body["images"]] == made[::-1]


def test_a_deadline_that_passes_mid_page_ends_the_page_early_with_a_cursor(world):
    """Each image's reads take a second of the handlers' clock; the request has 8 s (6 after the
    handlers' margin): a page of 8 is cut short, and following the cursors loses nothing."""
    made = make(world, 8)
    lock = threading.Lock()

    def slow(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key", "").endswith("meta.json"):
            with lock:
                world.clock.now += 1.0

    world.s3.meta.events.register("before-parameter-build.s3.GetObject", slow)
    status, body = listed(world, {"limit": "8"}, remaining_ms=8_000)
    assert status == 200
    assert 0 < len(body["images"]) < 8 and body["next_cursor"]
    seen, _ = every_image(world, limit=8, remaining_ms=8_000)
    assert seen == made[::-1]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"cursor": "not a cursor!"}, "cursor"),
        ({"cursor": ""}, "cursor"),
        ({"cursor": base64.urlsafe_b64encode(b"e1:abc").decode().rstrip("=")}, "cursor"),  # an edits cursor
        ({"limit": "0"}, "limit"),
        ({"limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_a_bad_limit_or_cursor_is_a_400_in_the_error_shape_naming_it(world, query, field):
    status, body = listed(world, query)
    assert status == 400
    assert (body["error"]["code"], body["error"]["field"]) == ("invalid_parameter", field)
    assert body["error"]["message"]


def test_an_empty_store_lists_nothing_and_the_default_page_is_bounded(world):
    status, body = listed(world)
    assert (status, body) == (200, {"images": [], "next_cursor": None})
    make(world, 2)
    _, body = listed(world, {"limit": str(MAX_LIMIT)})
    assert len(body["images"]) == 2 and DEFAULT_LIMIT < MAX_LIMIT
    _, body = listed(world, {"cursor": base64.urlsafe_b64encode(b"s1:").decode().rstrip("=")})
    assert body == {"images": [], "next_cursor": None}  # every image indexed: the second pass finds none


def test_an_image_whose_metadata_cannot_be_read_is_listed_with_its_error_not_hiding_the_rest(world):
    older, newer = make(world, 2)
    world.s3.put_object(Bucket=world.settings.bucket, Key=f"images/{older}/meta.json", Body=b"{not json")
    status, body = listed(world)
    assert status == 200
    first, second = body["images"]
    assert first["image_id"] == newer and first["url"]
    assert (second["image_id"], second["url"], second["error"]["code"]) == (older, None, "storage_unavailable")


def test_index_names_sort_newest_first_at_any_time_a_store_could_see():
    from datetime import UTC, datetime, timedelta

    from imagegen.storage import index_key

    times = [datetime(1999, 12, 31, tzinfo=UTC), datetime(2026, 12, 3, 19, tzinfo=UTC)]
    times.append(times[1] + timedelta(milliseconds=1))
    keys = [index_key("A" * 22, at) for at in times]
    assert sorted(keys) == keys[::-1] and {len(key) for key in keys} == {len(INDEX) + 13 + 1 + 22}


def test_an_indexed_image_whose_metadata_is_unreadable_or_missing_is_listed_once_to_the_end(world):
    older, newer = make(world, 2)
    world.s3.put_object(Bucket=world.settings.bucket, Key=f"images/{older}/meta.json", Body=b"{not json")
    world.fail_s3("PutObject", "meta.json")  # its metadata never written: read from the image object
    status, body = world.generate({"prompt": "a fox without its metadata", "evaluate": False})
    assert status == 200 and [w["step"] for w in body["warnings"]] == ["store the image's metadata"]
    seen, _ = every_image(world, limit=2)
    assert sorted(seen) == sorted([older, newer, body["image_id"]]) and len(seen) == 3, seen


def test_a_fully_indexed_listing_ends_with_the_index_and_one_listing_of_the_markers(world):
    make(world, 5)
    every_image(world, limit=3)  # the bucket's first listing goes through its prefixes once
    calls = count_s3_calls(world)
    _, first = listed(world, {"limit": "3"})
    _, last = listed(world, {"limit": "3", "cursor": first["next_cursor"]})
    assert (len(last["images"]), last["next_cursor"]) == (2, None)  # no page of nothing after it
    assert (calls["ListObjectsV2"], calls["HeadObject"], calls["GetObject"]) == (2 + 1, 0, 5 * 2)


def test_images_the_index_lacks_are_marked_once_then_listed_after_the_index_without_a_walk(world):
    made = make(world, 4)
    drop_index_entries(world, made[:2])  # as if stored before the index existed
    every_image(world, limit=10)
    calls = count_s3_calls(world)
    seen, pages = every_image(world, limit=10)
    assert seen[:2] == made[:1:-1] and seen[2:] == made[1::-1] and pages == 2  # the markers, newest first too
    assert (calls["ListObjectsV2"], calls["HeadObject"]) == (3, 2)  # the index, the markers twice; their entries
