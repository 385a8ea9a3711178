"""The results document of `imagegen compare` (results.json): the contract between the compare
command, which writes it, and the report, which reads it.

Layout (version 1)::

    {"version": 1, "created_at": str, "updated_at": str,
     "config": {"models": [ids], "judges": [ids], "seeds": int, "prompts_file": str, "budget_usd": float|null},
     "prompts": [{"index": int, "prompt": str, "options": {...}}],
     "cells": [Cell, ...],
     "summary": {"models": {model: ModelSummary}, "judges": {judge: JudgeSummary},
                 "agreement": [Agreement, ...]}}

A cell is one prompt x model x seed: key "<prompt index>|<model>|<seed>". Its "file" is relative to
the folder of results.json (null when the generation failed). "error" is present only on a failed
cell or verdict. Every verdict is keyed by judge id. Cells not run (stopped at the budget, or
interrupted) are absent from "cells". "cells" also keeps the cells (and verdicts) of models, seeds
and judges an earlier run asked for and this config does not: paid for, they are there for a later
run that asks for them again, but they are not counted, summarized or shown (`asked`). Times are
ISO 8601 UTC strings; costs are US dollars estimated from the catalog prices; latencies are
milliseconds (null when not measured).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

VERSION = 1
FILENAME = "results.json"

Status = Literal["done", "failed"]


class Error(TypedDict):
    code: str
    message: str


class Config(TypedDict):
    models: list[str]
    judges: list[str]
    seeds: int
    prompts_file: str
    budget_usd: float | None


class Prompt(TypedDict):
    index: int
    prompt: str
    options: dict[str, Any]


class Verdict(TypedDict):
    status: Status
    score: int | None
    sub_scores: dict[str, Any]
    checklist: list[Any]
    suggestions: str
    cost_usd: float
    latency_ms: int | None
    error: NotRequired[Error]


def judged(evaluation: Mapping[str, Any], latency_ms: int | None) -> Verdict:
    """A done evaluation (the pipeline's document of a verdict) as a comparison's verdict."""
    return {
        "status": "done",
        "score": evaluation.get("score"),
        "sub_scores": dict(evaluation.get("sub_scores") or {}),
        "checklist": list(evaluation.get("checklist") or []),
        "suggestions": evaluation.get("suggestions") or "",
        "cost_usd": float(evaluation.get("estimated_cost_usd") or 0.0),
        "latency_ms": latency_ms,
    }


class Cell(TypedDict):
    key: str
    prompt_index: int
    model: str
    seed: int
    status: Status
    image_id: str | None
    file: str | None
    cost_usd: float
    latency_ms: int | None
    error: NotRequired[Error]
    verdicts: dict[str, Verdict]


class ModelSummary(TypedDict):
    n: int
    images: int
    failed: int
    mean: float | None
    ci95: list[float] | None
    win_rate: dict[str, float]
    cost_per_image: float | None
    cost_per_point: float | None
    latency_p50_ms: float | None
    latency_p95_ms: float | None


class JudgeSummary(TypedDict):
    n: int
    mean: float | None


class Agreement(TypedDict):
    judges: list[str]
    n: int
    spearman_rho: float | None
    weighted_kappa: float | None


class Summary(TypedDict):
    models: dict[str, ModelSummary]
    judges: dict[str, JudgeSummary]
    agreement: list[Agreement]


class Results(TypedDict):
    version: int
    created_at: str
    updated_at: str
    config: Config
    prompts: list[Prompt]
    cells: list[Cell]
    summary: Summary


def cell_key(prompt_index: int, model: str, seed: int) -> str:
    """The key of a cell: "<prompt index>|<model>|<seed>"."""
    return f"{prompt_index}|{model}|{seed}"


def asked(doc: Mapping[str, Any]) -> list[Cell]:
    """The cells of the document's config (its prompts x models x seeds), in that order, each with
    the verdicts of the config's judges only: what a run counts, summarizes, budgets and shows."""
    config = doc["config"]
    seeds = range(1, config["seeds"] + 1)
    keys = [cell_key(p["index"], m, s) for p in doc["prompts"] for m in config["models"] for s in seeds]
    cells: dict[Any, Cell] = {c.get("key"): c for c in doc["cells"]}
    judges = set(config["judges"])
    chosen: list[Cell] = []
    for key in keys:
        if (cell := cells.get(key)) is not None:
            chosen.append({**cell, "verdicts": {j: v for j, v in cell["verdicts"].items() if j in judges}})
    return chosen
