"""What the commands print: images and verdicts as text, tables, model records (progress: feedback.py)."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from imagegen.models.registry import ModelRecord

# column widths that keep the models table within 100 columns (the longest id or successor line is 46 and
# a model's state and successor go under it; the longest role 17, a region 14, a price line 17 (a price with its
# quality takes two)); --json has every field whole
MODELS_HEADER = ("MODEL", "ROLES", "REGIONS", "PRICE (USD)")
MODELS_WRAP = (None, 17, 14, 17)
_IMAGE_KEYS = ("image_id", "url", "url_expires_at", "model", "seed", "format", "width", "height", "evaluation")
_EXTRAS = ("translations", "warnings", "notice", "estimated_cost_usd", "filtered")


def image_doc(view: dict[str, Any]) -> dict[str, Any]:
    """An image of an answer, as the JSON documents show it."""
    return {k: view.get(k) for k in _IMAGE_KEYS}


def extras(answer: dict[str, Any]) -> dict[str, Any]:
    """What an answer says beside its images."""
    return {k: answer[k] for k in _EXTRAS if k in answer}


def describe_images(title: str, images: list[dict[str, Any]], answer: dict[str, Any]) -> str:
    lines = [title]
    for image in images:
        lines.append(
            f"  image {image['image_id']}  {image['width']}x{image['height']} {image['format']}  "
            f"model {image['model']}  seed {image['seed']}"
        )
        lines.append(f"    saved   {image['file']}")
        lines.append(f"    url     {image['url']}")
        lines.extend(verdict_lines(image.get("evaluation") or {}))
    for translation in answer.get("translations") or []:
        lines.append(
            f"  note: {translation['field']} {translation['given']} -> {translation['used']} ({translation['note']})"
        )
    for warning in answer.get("warnings") or []:
        lines.append(f"  warning: {warning['step']}: {warning['message']}")
    if answer.get("notice"):
        lines.append(f"  notice: {answer['notice']}")
    return "\n".join(lines)


SUB_SCORE_LABELS = {
    "prompt_adherence": "adherence",
    "visual_quality": "quality",
    "edit_success": "edit",
    "preservation": "preservation",
}


def verdict_parts(evaluation: dict[str, Any]) -> str | None:
    """A second-version verdict's parts in one line: "adherence 8, quality 7; checklist: 3 present,
    1 partial (a red hat), 1 absent (two birds)"; None for a first-version one."""
    sub_scores, checklist = evaluation.get("sub_scores"), evaluation.get("checklist")
    if not sub_scores and not checklist:
        return None
    scores = ", ".join(f"{SUB_SCORE_LABELS.get(k, k)} {part['score']}" for k, part in (sub_scores or {}).items())
    counts = []
    for status in ("present", "partial", "absent"):
        elements = [item["element"] for item in checklist or [] if item["status"] == status]
        if elements:
            named = f" ({', '.join(elements)})" if status != "present" else ""
            counts.append(f"{len(elements)} {status}{named}")
    return f"{scores}; checklist: {', '.join(counts)}" if counts else scores


def verdict_lines(evaluation: dict[str, Any], indent: str = "    ") -> list[str]:
    status = evaluation.get("status")
    if status == "done":
        parts = verdict_parts(evaluation)
        return [
            f"{indent}score   {evaluation['score']}/10 ({evaluation['judge_model']})",
            *([f"{indent}parts   {parts}"] if parts else []),
            f"{indent}about   {evaluation['description']}",
            f"{indent}reason  {evaluation['reason']}",
            f"{indent}better  {evaluation['suggestions']}",
            f"{indent}revised {evaluation['revised_prompt']}",
        ]
    if status == "failed":
        return [f"{indent}verdict failed: {evaluation['error']['code']}: {evaluation['error']['message']}"]
    return [f"{indent}verdict {status}"] if status else []


def api_answer(operation: str, answer: dict[str, Any]) -> str:
    """An answer of the deployed API, as text."""
    evaluation = answer.get("evaluation") or {}
    lines = [f"{operation}: {answer.get('image_id')}"]
    if answer.get("url"):
        lines.append(f"  url     {answer['url']}")
    if evaluation.get("status") == "done":
        lines.append(f"  score   {evaluation['score']}/10 ({evaluation['judge_model']}): {evaluation['reason']}")
        parts = verdict_parts(evaluation)
        if parts:
            lines.append(f"  parts   {parts}")
        lines.append(f"  better  {evaluation['suggestions']}")
    elif evaluation:
        lines.append(f"  verdict {evaluation.get('status')}")
    if isinstance(answer.get("edits"), list):
        lines += edit_page(answer["edits"], answer.get("next_cursor"))
    return "\n".join(lines)


def edit_page(edits: list[dict[str, Any]], next_cursor: str | None) -> list[str]:
    """A page of GET /images/{id}'s edits, and how to ask for the next one."""
    more = f"; the next page: --cursor {next_cursor}" if next_cursor else ""
    lines = [f"  edits   {len(edits)} on this page{more}"]
    for edit in edits:
        prompt = f"  {edit['prompt']!r}" if edit.get("prompt") else ""
        lines.append(f"    {edit.get('image_id')}  {edit.get('mode')}{prompt}")
    return lines


def table(rows: Sequence[Sequence[str]], wrap: Sequence[int | None] | None = None) -> str:
    """Rows of cells in aligned columns; `wrap` gives a column's width to wrap its cells at spaces
    (None: as wide as its widest cell). A cell's newlines start lines of their own."""
    limits = wrap or [None] * len(rows[0])

    def lines(cell: str, width: int | None) -> list[str]:
        parts = cell.split("\n")
        if width is None:
            return parts
        return [
            wrapped
            for part in parts
            for wrapped in textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
        ]

    cells = [[lines(cell, width) for cell, width in zip(row, limits, strict=True)] for row in rows]
    widths = [max(len(line) for row in cells for line in row[i]) for i in range(len(rows[0]))]
    out = []
    for row in cells:
        for n in range(max(len(cell) for cell in row)):
            parts = [cell[n] if n < len(cell) else "" for cell in row]
            out.append("  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip())
    return "\n".join(out)


TABLE_WIDTH = 100  # the batch table's lines, whatever the prompts and paths; --json and the report have them whole
ELLIPSIS = "…"


def summary_table(results: list[dict[str, Any]], width: int = TABLE_WIDTH) -> str:
    """A batch's results, a row a prompt, no line wider than `width`: the prompt and the file (relative
    to the working directory when inside it) shortened with an ellipsis, a failure's code in the
    file's place and its message, shortened, on the next line. The URLs are in --json and the report."""
    header = ("LINE", "PROMPT", "SCORE", "FILE", "COST")
    rows: list[tuple[str, str, str, str, str]] = []
    messages: list[str | None] = []
    for r in results:
        prompt = " ".join(str(r.get("prompt") or "-").split())
        if r["status"] == "ok":
            score = "-" if r.get("score") is None else str(r["score"])
            cost = r.get("estimated_cost_usd")
            rows.append((str(r["line"]), prompt, score, shown_path(r["file"]), "-" if cost is None else f"${cost:.4f}"))
            messages.append(None)
        else:
            rows.append((str(r["line"]), prompt, "-", f"failed: {r['error']['code']}", "-"))
            messages.append(" ".join(str(r["error"]["message"]).split()))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    room = width - widths[0] - widths[2] - widths[4] - 2 * (len(header) - 1)  # for the prompt and the file
    files = [shorten(row[3], min(widths[3], room - min(widths[1], 30)), from_end=True) for row in rows]
    widths[3] = max(len(cell) for cell in [header[3], *files])  # the prompt keeps 30 or the room the file leaves
    widths[1] = min(widths[1], room - widths[3])
    indent = " " * (widths[0] + 2)
    out = []
    for row, file, message in zip([header, *rows], [header[3], *files], [None, *messages], strict=True):
        cells = (row[0], shorten(row[1], widths[1]), row[2], file, row[4])
        out.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        if message:
            out.append(indent + shorten(message, width - len(indent)))
    return "\n".join(out)


def shorten(text: str, width: int, *, from_end: bool = False) -> str:
    """`text` in at most `width` characters: its start (or its end, for a path: from a separator
    when there is one) with an ellipsis where the rest was."""
    if len(text) <= width:
        return text
    if not from_end:
        return text[: width - 1].rstrip() + ELLIPSIS
    tail = text[len(text) - (width - 1) :]
    cut = tail.find(os.sep)
    return ELLIPSIS + (tail[cut:] if 0 <= cut < len(tail) - 1 else tail)


def shown_path(path: str) -> str:
    """A path as short as it can be read: relative to the working directory when inside it, else
    from ~ when inside the home folder, else as it is."""
    given = Path(path)
    if not given.is_absolute():
        return path
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~" + os.sep)):
        for root in dict.fromkeys((base, base.resolve())):
            if given.is_relative_to(root):
                return prefix + str(given.relative_to(root))
    return path


def model_doc(record: ModelRecord, task: str | None = None) -> dict[str, Any]:
    """A registry record for people; with a task, the successor is one that can do it."""
    price = record.price
    if price.per_image:
        shown = ", ".join(f"${v:g}/image" + ("" if q == "any" else f" {q}") for q, v in price.per_image.items())
    else:
        shown = f"${price.input_per_million:g}/${price.output_per_million:g} per 1M tokens in/out"
    return {
        "id": record.id,
        "name": record.name,
        "family": record.family,
        "tasks": [t.value for t in record.tasks],
        "state": record.lifecycle.state(),
        "legacy_since": _day(record.lifecycle.legacy_on),
        "extended_access_from": _day(record.lifecycle.extended_access_on),
        "eol": _day(record.lifecycle.eol_on),
        "successor": record.successor_for(task) if record.lifecycle.state() != "active" else None,
        "successor_note": record.successor_note,
        "regions": list(record.regions),
        "profiles": {p: list(r) for p, r in record.profiles.items()},
        "price": shown,
    }


def _day(day: Any) -> str | None:
    return None if day is None else str(day)


def model_row(doc: dict[str, Any]) -> tuple[str, str, str, str]:
    """A model's row of the models table: under its id, its state when it is not active and its
    successor; one price a line."""
    under = [f"  {doc['state']}" + (f", EOL {doc['eol']}" if doc["eol"] else "")] if doc["state"] != "active" else []
    under += [f"  use {doc['successor']}"] if doc["successor"] else []
    return (
        "\n".join([doc["id"], *under]),
        ", ".join(doc["tasks"]),
        ", ".join(doc["regions"] + [f"{p}.*" for p in doc["profiles"]]),
        doc["price"].replace(", ", "\n"),
    )
