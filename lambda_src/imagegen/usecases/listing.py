"""GET /images: the stored images, newest first, a page at a time, each with a fresh URL, its
prompt and its score.

Two passes, one cursor: first the index of images (storage.INDEX, newest first); once it is
done, every image prefix in id order, for the images the index lacks (stored before it existed,
or whose entry could not be written), so that no stored image is missing from the listing. An
index entry whose image is not stored (yet, or any more) is passed over; in the second pass an
image with its index entry is passed over (the first pass listed it)."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from datetime import datetime
from typing import Any

from .. import pages
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
SWEEP_TAG = "s1:"  # the second pass's cursors (the first pass's: pages.IMAGES_TAG)

Reader = Callable[[Services, str, Deadline | None], tuple[dict[str, Any] | None, bool]]


def checked_limit(value: object) -> int:
    return pages.checked_limit(value, most=MAX_LIMIT, default=DEFAULT_LIMIT)


def checked_cursor(value: object) -> tuple[str, str]:
    """The pass a cursor is in (its tag) and the entry it starts after; none: the first page."""
    if value is None:
        return pages.IMAGES_TAG, ""
    try:
        return pages.IMAGES_TAG, pages.name_after(value, tag=pages.IMAGES_TAG, allowed=ALLOWED_CURSOR)
    except InvalidParameter:
        return SWEEP_TAG, pages.name_after(value, tag=SWEEP_TAG, allowed=ALLOWED_CURSOR)


def newest(
    services: Services, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None, deadline: Deadline | None = None
) -> dict[str, Any]:
    """A page of `limit` images from `cursor`, newest first, as many as `deadline` leaves time to
    read (never fewer than one, so that following the cursors always gets further). `next_cursor`
    is None after the last page. A page of the second pass may hold no image and a cursor."""
    limit = checked_limit(limit)
    tag, after = checked_cursor(cursor)
    store = services.store
    if tag == pages.IMAGES_TAG:
        page = store.newest(limit, after)
        if page.entries or page.more:
            return _page(services, page, _read, deadline, tag, then=pages.cursor_after("", SWEEP_TAG))
        tag, after = SWEEP_TAG, ""  # an index with nothing (more): the images it lacks, now
    return _page(services, store.image_ids(limit, after), _read_unindexed, deadline, tag, then=None)


def _page(
    services: Services, page: IndexPage, read: Reader, deadline: Deadline | None, tag: str, then: str | None
) -> dict[str, Any]:
    """The entries of `page`, read READERS at a time, in order, until `deadline`; the cursor to
    the rest, or `then` after the pass's last page."""
    more = pages.cursor_after(page.last, tag) if page.more else then
    shown: list[dict[str, Any]] = []
    if not page.entries:
        return {"images": shown, "next_cursor": more}
    pool = ThreadPoolExecutor(max_workers=min(READERS, len(page.entries)), thread_name_prefix="list-image")
    try:
        reads = [pool.submit(read, services, image_id, deadline) for _, image_id in page.entries]
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
    return {"images": shown, "next_cursor": more}


def _read(services: Services, image_id: str, deadline: Deadline | None) -> tuple[dict[str, Any] | None, bool]:
    return _entry(services, image_id, unindexed_only=False), deadline is None or deadline.remaining() > 0


def _read_unindexed(services: Services, image_id: str, deadline: Deadline | None) -> tuple[dict[str, Any] | None, bool]:
    return _entry(services, image_id, unindexed_only=True), deadline is None or deadline.remaining() > 0


def _entry(services: Services, image_id: str, *, unindexed_only: bool) -> dict[str, Any] | None:
    """The image's entry; None when it is not stored (or, with `unindexed_only`, when it has its
    index entry). S3 failing fails the page (a later try may read it); a document of this image
    that cannot be read shows as an entry with its error, so one image never hides the rest."""
    store = services.store
    try:
        meta = store.load_meta(image_id)
        made = meta.get("created_at")
        if unindexed_only and made and store.is_indexed(image_id, datetime.fromisoformat(made)):
            return None
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
