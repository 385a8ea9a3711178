"""GET /batches/{id}: the counts and the estimated cost so far (from a listing of the items'
outcomes), a page of results with fresh image URLs, and, once every item has its outcome, the
results manifest (JSON lines) with a pre-signed link, and the HTML report's (`{"status":
"pending"}` while the batch worker builds it: usecases.batch_report).
"""

from __future__ import annotations

import re
from typing import Any

from .. import batches
from ..batches import Batch, Listed
from ..errors import InvalidParameter
from . import batch_report
from .services import Services, Warnings

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
_CURSOR = re.compile(r"[0-9]{1,6}")


def page_limit(value: object) -> int:
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,3}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_LIMIT:
        raise InvalidParameter("limit", value, f"a whole number from 1 to {MAX_LIMIT} (default {DEFAULT_LIMIT})")
    return value


def page_cursor(value: object) -> int:
    """The index a page starts after (-1: the first page)."""
    if not isinstance(value, str) or not _CURSOR.fullmatch(value):
        raise InvalidParameter("cursor", value, "the next_cursor of an earlier answer for this batch")
    return int(value)


def show(services: Services, batch_id: str, limit: int = DEFAULT_LIMIT, after: int = -1) -> dict[str, Any]:
    store = batches.Batches(services.store)
    batch = store.load(batch_id)
    listed = store.outcomes(batch_id)
    done = sum(1 for entry in listed if entry.status == "done")
    failed = len(listed) - done
    finished = len(listed) >= batch["total"]
    warnings: Warnings = []
    later = [entry for entry in listed if entry.index > after]
    page = later[:limit]
    answer: dict[str, Any] = {
        "batch_id": batch_id,
        "status": "done" if finished else "running",
        "total": batch["total"],
        "counts": {"queued": batch["total"] - len(listed), "done": done, "failed": failed},
        "estimated_cost_usd": round(sum(entry.cost_usd for entry in listed), 6),
        "defaults": batch["defaults"],
        "created_at": batch["created_at"],
        "results": [_result(services, store, entry, warnings) for entry in page],
        "next_cursor": str(page[-1].index) if len(later) > limit else None,
        "links": {"self": f"/batches/{batch_id}"},
    }
    if finished:
        answer["links"].update(_finished(services, store, batch, listed, warnings))
    if warnings:
        answer["warnings"] = warnings
    return answer


def manifest_line(entry: Listed) -> dict[str, Any]:
    """One item of the manifest, from the listing alone."""
    line: dict[str, Any] = {"index": entry.index, "status": entry.status, "cost_usd": entry.cost_usd}
    if entry.status == "done":
        line.update(image_id=entry.tag, links={"image": f"/images/{entry.tag}"})
    else:
        line["error_code"] = entry.tag
    return line


def _result(services: Services, store: batches.Batches, entry: Listed, warnings: Warnings) -> dict[str, Any]:
    shown = manifest_line(entry)
    result = store.result(entry.key)
    if result is not None:
        shown.update({k: v for k, v in result.items() if k in ("error", "finished_at")})
        key = result.get("image_key")
        if key:
            services.keep("sign the image's URL", warnings, lambda: shown.update(services.store.url(key)))
    return shown


def _finished(
    services: Services, store: batches.Batches, batch: Batch, listed: list[Listed], warnings: Warnings
) -> dict[str, Any]:
    """The manifest (written by the first GET that finds the batch finished) and its link; the
    report's link, or pending (the first GET that finds it missing queues it)."""
    links: dict[str, Any] = {}
    batch_id = batch["batch_id"]
    lines = [manifest_line(entry) for entry in listed]

    def manifest() -> None:
        key = batches.manifest_key(batch_id)
        if not store.exists(key):
            store.write_manifest(batch_id, lines)
        links["manifest"] = {"key": key, **services.store.url(key)}

    services.keep("write the results manifest", warnings, manifest)

    def report() -> None:
        links["report"] = batch_report.link(services, store, batch_id, warnings)

    services.keep("link the batch's report", warnings, report)
    return links
