"""The work of a comparison: what is left to do in a results document, one cell done (generated,
saved, judged by every judge asked), the estimate of what a cell costs, and the document written
atomically."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from imagegen.clock import Deadline
from imagegen.compare import stats
from imagegen.compare.results import (
    FILENAME,
    VERSION,
    Cell,
    Config,
    Error,
    Prompt,
    Results,
    Verdict,
    asked,
    cell_key,
    judged,
)
from imagegen.errors import ImageGenError
from imagegen.handlers import requests
from imagegen.models.registry import resolve
from imagegen.pipeline import Pipeline
from imagegen.usecases.refine import JUDGE_TOKENS_ESTIMATE

IMAGES = "images"  # the folder beside results.json that holds the images


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class Task:
    """A cell to run: generate (unless `cell` holds its image already), then the judges named."""

    prompt: Prompt
    model: str
    seed: int
    judges: tuple[str, ...]
    cell: Cell | None = None  # a done cell whose verdicts are missing or to be retried

    @property
    def key(self) -> str:
        return cell_key(self.prompt["index"], self.model, self.seed)


def new_document(config: Config, prompts: list[Prompt]) -> Results:
    stamp = now()
    return {
        "version": VERSION,
        "created_at": stamp,
        "updated_at": stamp,
        "config": config,
        "prompts": prompts,
        "cells": [],
        "summary": {"models": {}, "judges": {}, "agreement": []},
    }


def todo(doc: Results, *, retry_failed: bool) -> list[Task]:
    """Every prompt x model x seed of the config, in that order, with what is left of it: a cell
    absent (or failed, with retry_failed) is generated again; a done one is judged by each judge
    with no verdict (or a failed one, with retry_failed)."""
    cells = {c["key"]: c for c in doc["cells"]}
    config = doc["config"]
    tasks = []
    for prompt in doc["prompts"]:
        for model in config["models"]:
            for seed in range(1, config["seeds"] + 1):
                cell = cells.get(cell_key(prompt["index"], model, seed))
                if cell is None or (cell["status"] == "failed" and retry_failed):
                    tasks.append(Task(prompt, model, seed, tuple(config["judges"])))
                    continue
                if cell["status"] == "failed":
                    continue
                judges = tuple(j for j in config["judges"] if _wanted(cell["verdicts"].get(j), retry_failed))
                if judges:
                    tasks.append(Task(prompt, model, seed, judges, cell))
    return tasks


def _wanted(verdict: Verdict | None, retry_failed: bool) -> bool:
    return verdict is None or (verdict["status"] == "failed" and retry_failed)


def estimate(task: Task) -> float:
    """What a task costs at the catalog's prices: its image (when it makes one) and one judge
    call per judge at the refine loop's token estimate."""
    image = 0.0
    if task.cell is None:
        quality = task.prompt["options"].get("quality")
        count = int(task.prompt["options"].get("count") or 1)
        image = resolve(task.model).record.price.image_cost(count, quality) or 0.0
    judging = sum(resolve(j).record.price.token_cost(*JUDGE_TOKENS_ESTIMATE) or 0.0 for j in task.judges)
    return image + judging


def spent(doc: Results) -> float:
    """What the cells and verdicts the config asks for cost (those of earlier runs' other models,
    seeds or judges are not this comparison's)."""
    return sum(c["cost_usd"] + sum(v["cost_usd"] for v in c["verdicts"].values()) for c in asked(doc))


def _error(exc: ImageGenError) -> Error:
    return {"code": exc.code, "message": exc.message}


def run_task(pipeline: Pipeline, task: Task, folder: Path, deadline: Deadline) -> Cell:
    """The cell, made or completed: a failed generation is a failed cell; a failed judge a failed verdict."""
    cell = task.cell or generate(pipeline, task, folder, deadline)
    if cell["status"] == "failed":
        return cell
    verdicts = dict(cell["verdicts"])
    for judge in task.judges:
        verdicts[judge] = judge_cell(pipeline, cell, judge, deadline)
    return {**cell, "verdicts": verdicts}


def generate(pipeline: Pipeline, task: Task, folder: Path, deadline: Deadline) -> Cell:
    body = {**task.prompt["options"], "prompt": task.prompt["prompt"], "model": task.model, "seed": task.seed}
    cell: Cell = {
        "key": task.key,
        "prompt_index": task.prompt["index"],
        "model": task.model,
        "seed": task.seed,
        "status": "failed",
        "image_id": None,
        "file": None,
        "cost_usd": 0.0,
        "latency_ms": None,
        "verdicts": {},
    }
    started = time.monotonic()
    try:
        answer = pipeline.generate(requests.generate_input({**body, "evaluate": False}), deadline)
    except ImageGenError as exc:
        return {**cell, "error": _error(exc)}
    latency = round((time.monotonic() - started) * 1000)
    image_id = answer["image_id"]
    name = f"{image_id}{Path(answer['key']).suffix}"
    (folder / IMAGES).mkdir(parents=True, exist_ok=True)
    (folder / IMAGES / name).write_bytes(pipeline.store.load_image(answer["key"]))
    return {
        **cell,
        "status": "done",
        "image_id": image_id,
        "file": f"{IMAGES}/{name}",
        "cost_usd": float(answer.get("estimated_cost_usd") or 0.0),
        "latency_ms": latency,
    }


def judge_cell(pipeline: Pipeline, cell: Cell, judge: str, deadline: Deadline) -> Verdict:
    assert cell["image_id"] is not None
    started = time.monotonic()
    try:
        evaluation = pipeline.evaluate(cell["image_id"], deadline, judge)["evaluation"]
    except ImageGenError as exc:
        return {
            "status": "failed",
            "score": None,
            "sub_scores": {},
            "checklist": [],
            "suggestions": "",
            "cost_usd": 0.0,
            "latency_ms": round((time.monotonic() - started) * 1000),
            "error": _error(exc),
        }
    return judged(evaluation, evaluation.get("duration_ms", round((time.monotonic() - started) * 1000)))


@dataclass
class Store:
    """The results document in memory and on disk: each cell put is written at once, atomically
    (a temporary file renamed over results.json), with the summary recomputed."""

    folder: Path
    doc: Results
    cells: dict[str, Cell] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.cells = {c["key"]: c for c in self.doc["cells"]}

    @property
    def path(self) -> Path:
        return self.folder / FILENAME

    def put(self, cell: Cell, *, write: bool = True) -> None:
        self.cells[cell["key"]] = cell
        if write:
            self.write()

    def write(self) -> None:
        config = self.doc["config"]
        order = {
            cell_key(p["index"], m, s): n
            for n, (p, m, s) in enumerate(
                (p, m, s) for p in self.doc["prompts"] for m in config["models"] for s in range(1, config["seeds"] + 1)
            )
        }
        self.doc["cells"] = sorted(self.cells.values(), key=lambda c: (order.get(c["key"], len(order)), c["key"]))
        self.doc["summary"] = stats.summarize(asked(self.doc), config["models"], config["judges"])
        self.doc["updated_at"] = now()
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{FILENAME}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(self.doc, indent=2) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)
