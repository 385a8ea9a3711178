"""A batch's report as the report's renderer draws it: a row per line of the batch, a figure per
image it made with the verdict of the judge that scored it, or the line's failure with its code;
the summary computed as a comparison's is. The report is batch-report.json of `imagegen batch`, or
the same shape built from the bucket for a batch on the deployment (usecases.batch_report), whose
images' "file" is whatever the page's image source reads (a path on disk, a key in the bucket).

    {"command": "batch", "file", "succeeded", "failed", "not_run", "concurrency", "seconds",
     "estimated_cost_usd", "results": [{"line", "prompt", "status": "ok"|"failed",
     "estimated_cost_usd", "error": {"code", "message"}, "images": [{"image_id", "model", "seed",
     "file", "evaluation": an evaluation.json}]}]}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from ..compare import stats
from ..compare.results import Cell, judged
from .text import NONE, money, plural
from .view import Doc, Page

COMMAND = "batch"  # the "command" of a batch's report
FIGURES = 500  # lines of a batch's report on the deployment drawn with their images (the summary counts all)
FAILED_LINES = "failed lines"  # the model table's row of the lines that failed: their model is not recorded


Locate = Callable[[Any], str | None]
"""An image's "file" as the report holds it to what the page's image source is given."""


def is_batch(doc: Doc) -> bool:
    return doc.get("command") == COMMAND


def malformed(doc: Doc) -> str | None:
    """What keeps `doc`, a batch's report, from being drawn; None when nothing does."""
    results = doc.get("results")
    if not isinstance(results, list) or not all(isinstance(r, dict) for r in results):
        return "results must be a list of objects"
    for result in results:
        images = result.get("images") or []
        if result.get("status") == "ok" and not (isinstance(images, list) and all(isinstance(i, dict) for i in images)):
            return f"line {result.get('line')}: images must be a list of objects"
    return None


def page(doc: Doc, locate: Locate = lambda file: file, figures: int | None = None, meta: str | None = None) -> Page:
    """The page of a batch's report, each image's "file" given to the page as `locate` finds it.
    `figures`: only the first this many lines are drawn (the summary counts every line). `meta`:
    the line under the title (default: what a local batch's report tells)."""
    prompts: list[Doc] = []
    cells: list[Doc] = []
    for index, result in enumerate(doc.get("results") or []):
        prompts.append(
            {"index": index, "prompt": str(result.get("prompt") or ""), "options": {}, "heading": _heading(result)}
        )
        if result.get("status") == "ok":
            cells.extend(_images(index, result, locate))
        else:
            error = result.get("error") or {}
            failed = {"key": f"{index}|", "prompt_index": index, "model": "", "seed": None, "status": "failed"}
            cells.append({**failed, "cost_usd": 0.0, "latency_ms": None, "verdicts": {}, "error": error})
    done = cast(list[Cell], [c for c in cells if c["status"] == "done"])
    models = list(dict.fromkeys(c["model"] for c in done))
    judges = list(dict.fromkeys(j for c in done for j in c["verdicts"]))
    summary = stats.summarize(cast(list[Cell], cells), [*models, ""], judges)
    lost = summary["models"].pop("")
    if lost["failed"]:
        summary["models"][FAILED_LINES] = lost
        models.append(FAILED_LINES)
    meta = meta or (
        f"{plural(len(prompts), 'prompt')} from {doc.get('file') or NONE}: {doc.get('succeeded', 0)} succeeded, "
        f"{doc.get('failed', 0)} failed, {doc.get('not_run', 0)} not run; concurrency {doc.get('concurrency', NONE)}, "
        f"{doc.get('seconds', NONE)} s, estimated {money(doc.get('estimated_cost_usd'))}"
    )
    shown: Page = {
        "kind": "batch",
        "title": "Image batch",
        "meta": meta,
        "summary": summary,
        "models": models,
        "prompts": prompts,
        "cells": cells,
        "seeds": None,
    }
    if figures is not None and len(prompts) > figures:
        shown["prompts"] = prompts[:figures]
        shown["cells"] = [c for c in cells if int(c["prompt_index"]) < figures]
        shown["note"] = f"Figures for the first {figures:,} of {len(prompts):,} lines; the manifest lists all."
    return shown


def _heading(result: Doc) -> str:
    return f"Line {result.get('line', NONE)}"


def _images(index: int, result: Doc, locate: Locate) -> list[dict[str, Any]]:
    """A done cell per image of a line; the line's cost less its verdicts' shared by its images."""
    images = result.get("images") or []
    verdicts = [_verdict(i.get("evaluation") or {}) for i in images]
    judging = sum(v["cost_usd"] for v in verdicts if v)
    each = max(float(result.get("estimated_cost_usd") or 0.0) - judging, 0.0) / max(len(images), 1)
    cells = []
    for image, verdict in zip(images, verdicts, strict=True):
        evaluation = image.get("evaluation") or {}
        cells.append(
            {
                "key": f"{index}|{image.get('image_id')}",
                "prompt_index": index,
                "model": str(image.get("model") or NONE),
                "seed": image.get("seed"),
                "status": "done",
                "image_id": image.get("image_id"),
                "file": locate(image.get("file")),
                "cost_usd": each,
                "latency_ms": None,
                "verdicts": {str(evaluation.get("judge_model") or "judge"): verdict} if verdict else {},
            }
        )
    return cells


def _verdict(evaluation: Mapping[str, Any]) -> dict[str, Any] | None:
    """An image's evaluation as a comparison's verdict; None when no judging was asked for."""
    status = evaluation.get("status")
    if status in (None, "not_requested"):
        return None
    if status != "done":
        error = evaluation.get("error") or {"code": "", "message": evaluation.get("why") or ""}
        return {"status": status, "score": None, "cost_usd": 0.0, "latency_ms": None, "error": error}
    return dict(judged(evaluation, evaluation.get("duration_ms")))
