"""GET /images: the stored images, newest first, a page at a time, each with a fresh URL, its
prompt and its score.

Three passes, one cursor: the index of images (storage.INDEX, newest first); then the markers of
the images it lacks (index_gaps: an entry that could not be written, newest first; an image
since indexed is passed over); then, only until one walk has reached its end (index_gaps.WALKED),
every image prefix in id order, for the images stored before the index existed: each one that
neither the index nor a marker names is listed and marked, so the next listings find it among the
markers. So no stored image is missing from the listing, and a bucket whose images are all
indexed ends its listing with the index's last page (and one listing of the markers). An index
entry or a marker whose image is not stored (yet, or any more) is passed over."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import UTC, datetime
from typing import Any

from .. import index_gaps, pages
from ..clock import Deadline
from ..documents import Meta, ShownEvaluation
from ..errors import CredentialsMissing, ImageGenError, ImageNotFound, InvalidParameter, StorageUnavailable
from ..log import error_fields
from ..storage import IndexPage
from . import evaluation
from .services import Services

DEFAULT_LIMIT = 24
MAX_LIMIT = 60  # two reads an image, READERS at a time: a page in well under a second in-region
READERS = 8  # images read at once: below the S3 client's pool of 10 connections
ALLOWED_CURSOR = "the next_cursor of an earlier GET /images answer"
GAPS_TAG = "u1:"  # the second pass's cursors (the first pass's: pages.IMAGES_TAG)
SWEEP_TAG = "s1:"  # the third pass's
UNKNOWN_TIME = datetime.fromtimestamp(0, UTC)  # an unreadable image's marker: listed last

Reader = Callable[[Services, tuple[str, str], Deadline | None], tuple[dict[str, Any] | None, bool]]


def checked_limit(value: object) -> int:
    return pages.checked_limit(value, most=MAX_LIMIT, default=DEFAULT_LIMIT)


def checked_cursor(value: object) -> tuple[str, str]:
    """The pass a cursor is in (its tag) and the entry it starts after; none: the first page."""
    if value is None:
        return pages.IMAGES_TAG, ""
    for tag in (pages.IMAGES_TAG, GAPS_TAG):
        try:
            return tag, pages.name_after(value, tag=tag, allowed=ALLOWED_CURSOR)
        except InvalidParameter:
            pass
    return SWEEP_TAG, pages.name_after(value, tag=SWEEP_TAG, allowed=ALLOWED_CURSOR)


def newest(
    services: Services, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None, deadline: Deadline | None = None
) -> dict[str, Any]:
    """A page of `limit` images from `cursor`, newest first, as many as `deadline` leaves time to
    read (never fewer than one, so that following the cursors always gets further). `next_cursor`
    is None after the last page. A page of a later pass may hold no image and a cursor."""
    limit = checked_limit(limit)
    tag, after = checked_cursor(cursor)
    store = services.store
    if tag == pages.IMAGES_TAG:
        page = store.newest(limit, after)
        if page.entries or page.more:
            return _page(services, page, _read, deadline, tag, then=lambda: _after_index(services))
        tag, after = GAPS_TAG, ""  # an index with nothing (more): the images it lacks, now
    if tag == GAPS_TAG:
        marked, done = index_gaps.gaps(store, limit, after)

        def then() -> str | None:
            return (
                None if (done if done is not None else index_gaps.walked(store)) else pages.cursor_after("", SWEEP_TAG)
            )

        if marked.entries or marked.more:
            return _page(services, marked, _read_marked, deadline, tag, then=then)
        if then() is None:
            return {"images": [], "next_cursor": None}
        after = ""
    return _walk(services, limit, after, deadline)


def _after_index(services: Services) -> str | None:
    """After the index's last page: the markers' pass, the walk, or nothing (one listing)."""
    marked, done = index_gaps.gaps(services.store, 2)
    if marked.entries:
        return pages.cursor_after("", GAPS_TAG)
    return None if done else pages.cursor_after("", SWEEP_TAG)


def _walk(services: Services, limit: int, after: str, deadline: Deadline | None) -> dict[str, Any]:
    """A page of image prefixes, in id order, listing (and marking) those neither the index nor a
    marker names; after the last page, the walk is recorded as done."""
    store = services.store
    page = store.image_ids(limit, after)
    known = index_gaps.known_ids(store) if page.entries else set()
    unknown = IndexPage([entry for entry in page.entries if entry[1] not in known], page.last, page.more)
    answer = _page(services, unknown, _read, deadline, SWEEP_TAG, then=lambda: None)
    for image in answer["images"]:
        made = image.get("created_at")
        index_gaps.mark(store, image["image_id"], datetime.fromisoformat(made) if made else UNKNOWN_TIME)
    if answer["next_cursor"] is None:
        index_gaps.mark_walked(store)
    return answer


def _page(
    services: Services,
    page: IndexPage,
    read: Reader,
    deadline: Deadline | None,
    tag: str,
    then: Callable[[], str | None],
) -> dict[str, Any]:
    """The entries of `page`, read READERS at a time, in order, until `deadline`; the cursor to
    the rest, or `then()` after the pass's last page."""
    shown: list[dict[str, Any]] = []
    if not page.entries:
        return {"images": shown, "next_cursor": pages.cursor_after(page.last, tag) if page.more else then()}
    pool = ThreadPoolExecutor(max_workers=min(READERS, len(page.entries)), thread_name_prefix="list-image")
    try:
        reads = [pool.submit(read, services, entry, deadline) for entry in page.entries]
        for n, pending in enumerate(reads):
            try:
                entry, in_time = pending.result(timeout=None if n == 0 or deadline is None else deadline.remaining())
            except FuturesTimeout:
                entry, in_time = None, False
            if n > 0 and not in_time:  # the page ends with the images read in order by now
                return {"images": shown, "next_cursor": pages.cursor_after(page.entries[n - 1][0], tag)}
            if entry is not None:
                shown.append(entry)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return {"images": shown, "next_cursor": pages.cursor_after(page.last, tag) if page.more else then()}


def _read(services: Services, entry: tuple[str, str], deadline: Deadline | None) -> tuple[dict[str, Any] | None, bool]:
    return _entry(services, entry[1]), deadline is None or deadline.remaining() > 0


def _read_marked(
    services: Services, entry: tuple[str, str], deadline: Deadline | None
) -> tuple[dict[str, Any] | None, bool]:
    """A marked image, unless a later write gave it its index entry (the first pass listed it)."""
    shown = None if index_gaps.has_entry(services.store, entry[0]) else _entry(services, entry[1])
    return shown, deadline is None or deadline.remaining() > 0


def _entry(services: Services, image_id: str) -> dict[str, Any] | None:
    """The image's entry; None when it is not stored. S3 failing fails the page (a later try may
    read it); a document of this image that cannot be read shows as an entry with its error, so
    one image never hides the rest."""
    store = services.store
    try:
        meta = store.load_meta(image_id)
        verdict = evaluation.current(services, store.load_evaluation(image_id), meta)
        return _summary(services, meta, verdict)
    except ImageNotFound:
        return None
    except (StorageUnavailable, CredentialsMissing):
        raise
    except ImageGenError as exc:
        services.log.warning("image_unreadable", image_id=image_id, **error_fields(exc))
        return {"image_id": image_id, "url": None, "url_expires_at": None, "error": exc.to_dict()}


def _summary(services: Services, meta: Meta, verdict: ShownEvaluation) -> dict[str, Any]:
    facts = meta["image"]
    return {
        "image_id": meta["image_id"],
        **services.store.url(facts["key"]),
        "prompt": meta.get("prompt"),
        "judge_prompt": meta.get("judge_prompt"),  # an edit's: its parent's prompt and the change
        "model": meta.get("model"),
        "kind": meta.get("kind"),
        "created_at": meta.get("created_at"),
        "width": facts.get("width"),
        "height": facts.get("height"),
        "score": verdict["score"] if verdict["status"] == "done" else None,
        "evaluation_status": verdict["status"],
        "lineage": meta.get("lineage"),
    }
