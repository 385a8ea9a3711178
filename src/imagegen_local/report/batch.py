"""A batch's report (batch-report.json of `imagegen batch`) as the report's renderer draws it: a
row per line of the batch, a figure per image it made with the verdict of the judge that scored
it, or the line's failure with its code; the summary computed as a comparison's is."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

from imagegen_local.compare import stats
from imagegen_local.compare.results import Cell

from .text import NONE, money, plural
from .view import Doc, Page

COMMAND = "batch"  # the "command" of a batch's report
FAILED_LINES = "failed lines"  # the model table's row of the lines that failed: their model is not recorded


def is_batch(doc: Doc) -> bool:
    return doc.get("command") == COMMAND


def html_path(report: Path) -> Path:
    """The page beside a batch's JSON report: batch-report.json, batch-report.html."""
    return report.with_suffix(".html") if report.suffix == ".json" else report.with_name(report.name + ".html")


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


def page(doc: Doc, folder: Path) -> Page:
    """The page of a batch's report whose image files were saved where `folder` (the report's) or
    the working directory finds them."""
    prompts: list[Doc] = []
    cells: list[Doc] = []
    for index, result in enumerate(doc.get("results") or []):
        prompts.append(
            {"index": index, "prompt": str(result.get("prompt") or ""), "options": {}, "heading": _heading(result)}
        )
        if result.get("status") == "ok":
            cells.extend(_images(index, result, folder))
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
    meta = (
        f"{plural(len(prompts), 'prompt')} from {doc.get('file') or NONE}: {doc.get('succeeded', 0)} succeeded, "
        f"{doc.get('failed', 0)} failed, {doc.get('not_run', 0)} not run; concurrency {doc.get('concurrency', NONE)}, "
        f"{doc.get('seconds', NONE)} s, estimated {money(doc.get('estimated_cost_usd'))}"
    )
    return {
        "kind": "batch",
        "title": "Image batch",
        "meta": meta,
        "summary": summary,
        "models": models,
        "prompts": prompts,
        "cells": cells,
        "seeds": None,
    }


def _heading(result: Doc) -> str:
    return f"Line {result.get('line', NONE)}"


def _images(index: int, result: Doc, folder: Path) -> list[dict[str, Any]]:
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
                "file": found(folder, image.get("file")),
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
    cost = float(evaluation.get("estimated_cost_usd") or 0.0)
    if status != "done":
        error = evaluation.get("error") or {"code": "", "message": evaluation.get("why") or ""}
        return {"status": status, "score": None, "cost_usd": 0.0, "latency_ms": None, "error": error}
    return {
        "status": "done",
        "score": evaluation.get("score"),
        "sub_scores": dict(evaluation.get("sub_scores") or {}),
        "checklist": list(evaluation.get("checklist") or []),
        "suggestions": evaluation.get("suggestions") or "",
        "cost_usd": cost,
        "latency_ms": evaluation.get("duration_ms"),
    }


def found(folder: Path, file: Any) -> str | None:
    """An image file as the batch saved it (a path from its working directory, or absolute), or
    the file of that name beside the report when that is where it is now (the default)."""
    if not isinstance(file, str) or not file:
        return None
    beside = folder / Path(file).name
    if beside.is_file():
        return str(beside.resolve())
    return str(Path(file).resolve()) if Path(file).is_file() else file
