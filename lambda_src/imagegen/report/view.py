"""What the report's renderer draws: a page of summary tables and a row per prompt, made from a
comparison's results document (render.comparison) or a batch's report (batch.page)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, NotRequired, TypedDict

Doc = Mapping[str, Any]


class Page(TypedDict):
    """`seeds`: every prompt's figures are each model's cell of these seeds (a cell not run shown
    so); None: the prompt's own cells, by model. A batch page has no win rates, latencies or
    judge agreement: its lines share no prompt, and each image has one judge."""

    kind: Literal["comparison", "batch"]
    title: str
    meta: str
    summary: Doc
    models: list[str]
    prompts: list[Doc]  # index, prompt, options; "heading" when not "Prompt <index + 1>"
    cells: list[Doc]
    seeds: list[int] | None
    note: NotRequired[str]  # over the figures: why some prompts have none (a batch's beyond its figure cap)
