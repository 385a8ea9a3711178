"""A small results document with real images on disk, in the shape `imagegen compare` writes, and
a small batch report in the shape `imagegen batch` writes: for the report's tests and the README's
screenshot. The images are the emulator's pictures; the verdicts say they are emulated."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imagegen.compare.results import FILENAME, VERSION, Results, cell_key

from imagegen_local.emulator import art

MODELS = ["stability.stable-image-core-v1:1", "stability.sd3-5-large-v1:0"]
JUDGES = ["amazon.nova-pro-v1:0", "amazon.nova-lite-v1:0"]
PROMPTS = ["a red fox in fresh snow, morning light", "a lighthouse on a cliff at dusk, two gulls"]
FAILED = (1, MODELS[1], 1)  # this cell's generation was filtered


def write(folder: Path, prompts: list[str] | None = None, size: int = 192) -> Path:
    """results.json and its images in `folder`; the path of results.json."""
    prompts = prompts or PROMPTS
    (folder / "images").mkdir(parents=True, exist_ok=True)
    cells: list[Any] = []  # the cells and summary below are built from parts, as dicts
    for index, prompt in enumerate(prompts):
        for m, model in enumerate(MODELS):
            cells.append(_cell(folder, index, prompt, model, 1, size, m))
    doc: Results = {
        "version": VERSION,
        "created_at": "2025-01-01T12:00:00Z",
        "updated_at": "2025-01-01T12:03:00Z",
        "config": {"models": MODELS, "judges": JUDGES, "seeds": 1, "prompts_file": "prompts.txt", "budget_usd": 1.0},
        "prompts": [{"index": i, "prompt": p, "options": {"size": f"{size}x{size}"}} for i, p in enumerate(prompts)],
        "cells": cells,
        "summary": _summary(),
    }
    path = folder / FILENAME
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def _cell(folder: Path, index: int, prompt: str, model: str, seed: int, size: int, m: int) -> dict[str, Any]:
    key = cell_key(index, model, seed)
    if (index, model, seed) == FAILED:
        return {
            **{"key": key, "prompt_index": index, "model": model, "seed": seed, "status": "failed"},
            **{"image_id": None, "file": None, "cost_usd": 0.0, "latency_ms": 812, "verdicts": {}},
            "error": {"code": "content_filtered", "message": "The emulator filtered this prompt (emulated)."},
        }
    image_id = f"img-{index}-{m}"
    file = f"images/{image_id}.png"
    (folder / file).write_bytes(art.render(size, size, prompt=prompt, seed=seed, model=model))
    verdicts = {judge: _verdict(prompt, 7 + (index + m + j) % 3) for j, judge in enumerate(JUDGES)}
    return {
        **{"key": key, "prompt_index": index, "model": model, "seed": seed, "status": "done"},
        **{"image_id": image_id, "file": file, "cost_usd": 0.04 + 0.04 * m, "latency_ms": 2400 + 900 * m},
        "verdicts": verdicts,
    }


def _verdict(prompt: str, score: int) -> dict[str, Any]:
    first, *rest = [part.strip() for part in prompt.split(",")]
    return {
        "status": "done",
        "score": score,
        "sub_scores": {
            "prompt_adherence": {"score": score, "reason": "emulated verdict: the subject is there"},
            "visual_quality": {"score": score - 1, "reason": "emulated verdict: flat shapes"},
        },
        "checklist": [
            {"element": first, "status": "present", "note": ""},
            *({"element": r, "status": "partial", "note": "emulated"} for r in rest),
        ],
        "suggestions": "Emulated verdict: name the light and the lens.",
        "cost_usd": 0.002,
        "latency_ms": 900,
    }


def _summary() -> Any:
    one, two = MODELS
    return {
        "models": {
            one: {
                **{"n": 2, "images": 2, "failed": 0, "mean": 8.25, "ci95": [7.5, 9.0], "win_rate": {two: 0.75}},
                **{"cost_per_image": 0.04, "cost_per_point": 0.0048, "latency_p50_ms": 2400, "latency_p95_ms": 2400},
            },
            two: {
                **{"n": 1, "images": 1, "failed": 1, "mean": 8.5, "ci95": [8.0, 9.0], "win_rate": {one: 0.25}},
                **{"cost_per_image": 0.08, "cost_per_point": 0.0094, "latency_p50_ms": 3300, "latency_p95_ms": 3300},
            },
        },
        "judges": {JUDGES[0]: {"n": 3, "mean": 8.0}, JUDGES[1]: {"n": 3, "mean": 8.67}},
        "agreement": [{"judges": JUDGES, "n": 3, "spearman_rho": 0.5, "weighted_kappa": 0.4}],
    }


BATCH_PROMPTS = ["a red fox in fresh snow, morning light", "a lighthouse on a cliff at dusk", "a fox [blocked]"]


def write_batch(folder: Path, size: int = 192) -> Path:
    """batch-report.json and its images in `folder`, as `imagegen batch` writes them: a judged
    line, one not judged and a failed one; the path of batch-report.json."""
    results: list[dict[str, Any]] = []
    for line, (prompt, model) in enumerate(zip(BATCH_PROMPTS, [*MODELS, None], strict=True), start=1):
        if model is None:
            error = {"code": "content_filtered", "message": "The emulator filtered this prompt (emulated)."}
            results.append({"line": line, "prompt": prompt, "status": "failed", "error": error})
            continue
        image_id = f"batch-{line}"
        (folder / f"{image_id}.png").write_bytes(art.render(size, size, prompt=prompt, seed=line, model=model))
        evaluation: dict[str, Any] = {"status": "not_requested"}
        if line == 1:
            evaluation = {**_verdict(prompt, 8), "judge_model": JUDGES[0], "estimated_cost_usd": 0.002}
        file = f"generated-images/{image_id}.png"  # from the batch's working directory
        image = {"image_id": image_id, "model": model, "seed": 1000 + line, "format": "png", "file": file}
        results.append(
            {
                **{"line": line, "prompt": prompt, "status": "ok", "image_id": image_id, "file": file},
                **{"score": evaluation.get("score"), "estimated_cost_usd": 0.04 + 0.002 * (line == 1)},
                "images": [{**image, "width": size, "height": size, "evaluation": evaluation}],
            }
        )
    doc = {
        **{"command": "batch", "file": "prompts.txt", "concurrency": 4, "seconds": 3.2},
        **{"succeeded": 2, "failed": 1, "not_run": 0, "estimated_cost_usd": 0.082, "results": results},
    }
    path = folder / "batch-report.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path
