"""Stored images as answers show them: one just stored, one described in full with its
edits, and one made elsewhere, uploaded so that it can be modified or judged."""

from __future__ import annotations

from typing import Any

from .. import documents, index_gaps, pages
from ..clock import Deadline
from ..documents import Meta, ShownEvaluation
from ..ids import checked_image_id
from ..imageinfo import probe
from ..models.contracts import GeneratedImage
from . import evaluation
from .services import Services, Warnings


def view(services: Services, image_id: str, meta: Meta, verdict: ShownEvaluation, warnings: Warnings) -> dict[str, Any]:
    """An image as an answer shows it. A URL that cannot be signed is a warning (GET
    /images/{id} signs a fresh one), never the loss of the stored image's id."""
    facts = meta["image"]
    link: dict[str, str | None] = {"url": None, "url_expires_at": None}
    services.keep("sign the image's URL", warnings, lambda: link.update(services.store.url(facts["key"])))
    return {
        "image_id": image_id,
        **link,
        "key": facts["key"],
        "model": meta["model"],
        "seed": meta["seed"],
        "format": facts["format"],
        "width": facts["width"],
        "height": facts["height"],
        "evaluation_data": documents.evaluation_data(verdict),
        "evaluation": verdict,
    }


def describe(
    services: Services,
    image_id: str,
    *,
    limit: int = pages.DEFAULT_LIMIT,
    cursor: str | None = None,
    deadline: Deadline | None = None,
) -> dict[str, Any]:
    """Everything known about an image, with fresh URLs for it and for a page of its edits:
    `limit` of them from `cursor` (a `next_cursor` answered before; none: the first page), as
    many as `deadline` leaves time to read. `next_cursor` is where the next page starts, None
    after the last one. There is no count of the edits: it would take listing them all."""
    image_id = checked_image_id(image_id)
    limit = pages.checked_limit(limit)
    after = pages.name_after(cursor) if cursor is not None else ""
    store = services.store
    meta = store.load_meta(image_id)
    verdict = evaluation.current(services, store.load_evaluation(image_id), meta)
    page = store.edits(image_id, limit, after, deadline)
    edits = [{**link, **store.url(link["image_key"])} for link in page.links]
    return {
        "image_id": image_id,
        **store.url(meta["image"]["key"]),
        "evaluation": verdict,
        "evaluation_data": documents.evaluation_data(verdict),
        "edits": edits,
        "next_cursor": pages.cursor_after(page.last) if page.more else None,
        "meta": meta,
    }


def upload(services: Services, data: bytes, prompt: str | None = None) -> dict[str, Any]:
    """Store an image made elsewhere (a local file); `prompt` is what it should show, for the judge."""
    info = probe(data)
    image_id = services.new_id()
    created = services.now()
    warnings: Warnings = []
    if not services.keep(
        "index the image for GET /images", warnings, lambda: services.store.index_image(image_id, created)
    ):
        services.keep(
            "mark the image the index lacks", warnings, lambda: index_gaps.mark(services.store, image_id, created)
        )
    key = services.store.save_image(image_id, data, info.format)
    image = GeneratedImage(data=data, format=info.format, width=info.width, height=info.height, seed=None)
    meta = documents.upload_meta(image_id, key, image, created, prompt)
    services.keep("store the image's metadata", warnings, lambda: services.store.save_meta(image_id, meta))
    shown = view(services, image_id, meta, documents.not_requested(), warnings)
    return {**shown, **({"warnings": warnings} if warnings else {})}
