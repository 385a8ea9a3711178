"""GET /images: the stored images, newest first, a page at a time, each with a fresh URL, its
prompt and its score, read from the index of images (storage.INDEX) and each image's own
documents. An index entry whose image is not stored (yet, or any more) is passed over."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any

from .. import pages
from ..clock import Deadline
from ..documents import Meta, ShownEvaluation
from ..errors import CredentialsMissing, ImageGenError, ImageNotFound, StorageUnavailable
from ..log import error_fields
from . import evaluation
from .services import Services

DEFAULT_LIMIT = 24
MAX_LIMIT = 60  # two reads an image, READERS at a time: a page in well under a second in-region
READERS = 8  # images read at once: below the S3 client's pool of 10 connections
ALLOWED_CURSOR = "the next_cursor of an earlier GET /images answer"


def checked_limit(value: object) -> int:
    return pages.checked_limit(value, most=MAX_LIMIT, default=DEFAULT_LIMIT)


def checked_cursor(value: object) -> str:
    """The index entry a cursor starts after ("" for none, the first page)."""
    if value is None:
        return ""
    return pages.name_after(value, tag=pages.IMAGES_TAG, allowed=ALLOWED_CURSOR)


def newest(
    services: Services, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None, deadline: Deadline | None = None
) -> dict[str, Any]:
    """A page of `limit` images from `cursor`, newest first, as many as `deadline` leaves time to
    read (never fewer than one, so that following the cursors always gets further). `next_cursor`
    is None after the last page."""
    limit, after = checked_limit(limit), checked_cursor(cursor)
    page = services.store.newest(limit, after)
    more = pages.cursor_after(page.last, pages.IMAGES_TAG) if page.more else None
    if not page.entries:
        return {"images": [], "next_cursor": more}
    shown: list[dict[str, Any]] = []
    pool = ThreadPoolExecutor(max_workers=min(READERS, len(page.entries)), thread_name_prefix="list-image")
    try:
        reads = [pool.submit(_read, services, image_id, deadline) for _, image_id in page.entries]
        for n, pending in enumerate(reads):
            try:
                entry, in_time = pending.result(timeout=None if n == 0 or deadline is None else deadline.remaining())
            except FuturesTimeout:
                entry, in_time = None, False
            if n > 0 and not in_time:  # the page ends with the images read in order by now
                last = page.entries[n - 1][0]
                return {"images": shown, "next_cursor": pages.cursor_after(last, pages.IMAGES_TAG)}
            if entry is not None:
                shown.append(entry)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return {"images": shown, "next_cursor": more}


def _read(services: Services, image_id: str, deadline: Deadline | None) -> tuple[dict[str, Any] | None, bool]:
    """The image's entry; None when it is not stored. S3 failing fails the page (a later try may
    read it); a document of this image that cannot be read shows as an entry with its error, so
    that one image never hides the rest, nor itself."""
    store = services.store
    try:
        meta = store.load_meta(image_id)
        verdict = evaluation.current(services, store.load_evaluation(image_id), meta)
        entry = _summary(services, meta, verdict)
    except ImageNotFound:
        entry = None
    except (StorageUnavailable, CredentialsMissing):
        raise
    except ImageGenError as exc:
        services.log.warning("image_unreadable", image_id=image_id, **error_fields(exc))
        entry = {"image_id": image_id, "url": None, "url_expires_at": None, "error": exc.to_dict()}
    return entry, deadline is None or deadline.remaining() > 0


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
