"""A finished batch's HTML report, built by the batch worker, not in a request: a batch holds up to
100,000 items, and what the page shows of each (its verdict, its image) is read from images/<id>/.

GET /batches/{id} that finds the batch finished and no report asks for it once (`link`): a marker
written with If-None-Match: * decides which request queues the report message; every answer says
`{"status": "pending"}` until report.html exists, then links it. The worker (`build`) reads the
items a chunk at a time, `READERS` reads at once, and records what the page shows of each chunk
(report-parts/, the thumbnails of the figures inline) before the next, so a delivery that runs
out of time, or a worker that dies, leaves the next delivery to go on from the first chunk not
recorded. Once every chunk is, the page is drawn by the report's renderer with the batch adapter
(the summary over every item, figures for the first `Services.batch_figures` lines, each image a
JPEG thumbnail inline) and stored.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from .. import batches
from ..batches import Batch, Listed
from ..clock import Deadline
from ..documents import timestamp
from ..downscale import thumbnail
from ..errors import ImageGenError, UpstreamUnavailable
from ..report import batch as batch_page
from ..report.render import data_uri, draw
from ..report.text import money
from ..storage import image_key
from .services import Services, Warnings

THUMBNAIL_SIDE = 256  # pixels, the longest side of a figure's image inlined in the page
READERS = 8  # reads at once: below the S3 client's pool of 10 connections
CHUNK_SECONDS = 120  # time left to start a chunk's reads (1,000 items, some 2,000 reads) or draw the page
HTML = "text/html; charset=utf-8"
REQUESTED = "report.requested"  # the marker of the request that queued the report, beside batch.json
REQUEST_LEASE_SECONDS = batches.MAX_RECEIVES * batches.VISIBILITY_SECONDS + batches.WORKER_SECONDS
"""How long a request for the report stands: by then its message has been delivered its last time
(a worker killed by its timeout every time leaves no word: the message is in the dead-letter
queue), and a GET that finds no report asks again."""


def report_key(batch_id: str) -> str:
    return f"{batches.PREFIX}/{batch_id}/report.html"


def requested_key(batch_id: str) -> str:
    return f"{batches.PREFIX}/{batch_id}/{REQUESTED}"


def part_key(batch_id: str, start: int) -> str:
    return f"{batches.PREFIX}/{batch_id}/report-parts/{start // batches.CHUNK:06d}.json"


def message(batch_id: str) -> str:
    return json.dumps({"batch_id": batch_id, "report": True})


def link(services: Services, store: batches.Batches, batch_id: str, warnings: Warnings) -> dict[str, Any]:
    """links.report of a finished batch: the report's key and URL, or pending (queued by the first
    request that finds it missing)."""
    key = report_key(batch_id)
    if store.exists(key):
        return {"key": key, **services.store.url(key)}

    def ask() -> None:
        marker, asked = requested_key(batch_id), {"requested_at": timestamp(services.now())}
        if not store.mark(marker, asked):
            try:
                before = store.read_doc(marker)
            except ValueError:  # not a document (an empty marker): stale
                before = None
            if not _stale(services, before):
                return  # an earlier request queued it
            store.unmark(marker)  # two GETs that both find it stale may both ask: a report is built once
            if not store.mark(marker, asked):
                return
        try:
            if services.batch_queue is None:
                raise UpstreamUnavailable("this deployment has no batch queue configured")
            services.batch_queue.send([message(batch_id)])
        except Exception as exc:
            store.unmark(marker)  # the next request asks again
            if isinstance(exc, ImageGenError):
                raise
            raise UpstreamUnavailable(f"the batch queue could not be reached ({type(exc).__name__})") from exc
        services.log.info("batch_report_queued", batch_id=batch_id)

    services.keep("queue the batch's report", warnings, ask)
    return {"status": "pending"}


def _stale(services: Services, asked: dict[str, Any] | None) -> bool:
    """Whether a request for the report (its marker's document) has outlived its lease; an empty
    marker is stale."""
    try:
        at = datetime.fromisoformat(str((asked or {})["requested_at"]))
    except (KeyError, ValueError):
        return True
    return (services.now() - at).total_seconds() > REQUEST_LEASE_SECONDS


def build(services: Services, batch_id: str, deadline: Deadline) -> bool:
    """The report message: record the chunks not yet recorded, then draw and store the page.
    True when nothing is left to do (the report is stored, or the batch is not finished); False
    when the time ran out first (deliver the message again: the next delivery goes on)."""
    store = batches.Batches(services.store)
    if store.exists(report_key(batch_id)):
        return True
    batch = store.load(batch_id)
    listed = store.outcomes(batch_id)
    if len(listed) < batch["total"]:  # the request is withdrawn: a GET that finds the batch finished asks again
        services.log.warning("batch_report_early", batch_id=batch_id, outcomes=len(listed), total=batch["total"])
        store.unmark(requested_key(batch_id))
        return True
    recorded = store.keys(f"{batches.PREFIX}/{batch_id}/report-parts/")
    by_index = {entry.index: entry for entry in listed}
    figures = services.batch_figures
    lines: list[dict[str, Any]] = []
    for start in range(0, batch["total"], batches.CHUNK):
        key = part_key(batch_id, start)
        part = store.read_doc(key) if key in recorded else None
        if part is None:
            if not deadline.fits(CHUNK_SECONDS):
                services.log.info("batch_report_later", batch_id=batch_id, chunk=start // batches.CHUNK)
                return False
            part = {"lines": _chunk(services, store, batch_id, start, by_index, figures)}
            store.write_doc(key, part)
        lines.extend(part["lines"])
    if not deadline.fits(CHUNK_SECONDS):
        return False
    html = page(batch, lines, figures)
    store.put(report_key(batch_id), html.encode("utf-8"), HTML)  # a racing delivery's page is the same
    services.log.info("batch_report", batch_id=batch_id, lines=len(lines), bytes=len(html))
    return True


def page(batch: Batch, lines: list[dict[str, Any]], figures: int) -> str:
    """The report's page from every line as the chunks recorded them."""
    done = sum(1 for line in lines if line["status"] == "ok")
    cost = sum(float(line.get("estimated_cost_usd") or 0.0) for line in lines)
    meta = (
        f"Batch {batch['batch_id']} of {batch['total']:,} lines from {batch['source']}, created "
        f"{batch['created_at']}: {done:,} done, {len(lines) - done:,} failed; estimated {money(cost)}"
    )
    doc = {"command": batch_page.COMMAND, "results": lines}
    drawn = batch_page.page(doc, figures=figures, meta=meta)
    return draw(drawn, lambda file: file if isinstance(file, str) and file.startswith("data:image/") else None)


def _chunk(
    services: Services,
    store: batches.Batches,
    batch_id: str,
    start: int,
    by_index: dict[int, Listed],
    figures: int,
) -> list[dict[str, Any]]:
    items = store.chunk(batch_id, start)
    indexes = [start + n for n in range(len(items))]

    def read(index: int) -> dict[str, Any]:
        return _line(services, store, index, items[index - start], by_index[index], index < figures)

    with ThreadPoolExecutor(max_workers=max(1, min(READERS, len(indexes))), thread_name_prefix="report") as pool:
        return list(pool.map(read, indexes))


def _line(
    services: Services, store: batches.Batches, index: int, item: dict[str, Any], entry: Listed, figure: bool
) -> dict[str, Any]:
    """One line as the batch adapter reads it; beyond the figures only what the summary counts."""
    line: dict[str, Any] = {"line": index + 1, "estimated_cost_usd": entry.cost_usd}
    if figure:
        line["prompt"] = str(item.get("prompt") or "")
    if entry.status != "done":
        result = store.result(entry.key)
        error = (result.get("error") if result else None) or {"code": entry.tag, "message": ""}
        return {**line, "status": "failed", "error": error}
    image_id = entry.tag
    image: dict[str, Any] = {"image_id": image_id, "model": item.get("model"), "seed": None, "file": None}
    evaluation: dict[str, Any] = {"status": "not_requested"}
    try:
        meta = services.store.load_meta(image_id)
        image.update(model=meta.get("model") or image["model"], seed=meta.get("seed"))
        evaluation = dict(services.store.load_evaluation(image_id) or evaluation)
        if figure:
            data = services.store.load_image(meta["image"].get("key") or image_key(image_id, meta["image"]["format"]))
            image["file"] = data_uri(thumbnail(data, THUMBNAIL_SIDE))
    except ImageGenError as exc:  # gone since, or unreadable: the figure says so, the page is still drawn
        if exc.retryable:  # S3 for a moment: the chunk is not recorded, and the next delivery reads it again
            raise
        services.log.warning("batch_report_item", batch_image_id=image_id, code=exc.code)
    if not figure:
        keep = ("status", "score", "judge_model", "estimated_cost_usd", "error", "why")
        evaluation = {k: v for k, v in evaluation.items() if k in keep}
    return {**line, "status": "ok", "images": [{**image, "evaluation": evaluation}]}
