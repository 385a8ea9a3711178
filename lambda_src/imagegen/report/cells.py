"""One prompt's row of the report: the models' images side by side (a figure per seed; a batch's
line, a figure per image), each with every judge's verdict; a failed cell as such, with its error
code."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from html import escape
from typing import Any

from .text import NONE, money, ms, options_text

Doc = Mapping[str, Any]
ImageFor = Callable[[str | None], str | None]  # a cell's file to a data: URI, None when unreadable


def prompt_section(
    prompt: Doc, cells: Iterable[Doc], models: list[str], seeds: list[int] | None, image_for: ImageFor
) -> str:
    """`seeds`: a figure per model and seed (a cell absent is not run yet); None: a figure per cell
    of the prompt, under its model (a batch's line)."""
    index = int(prompt.get("index", -1))
    text = str(prompt.get("prompt", ""))
    cells = list(cells)
    options = options_text(prompt.get("options"))
    grid: dict[str, list[tuple[Any, Doc | None]]] = {}
    if seeds is None:
        for cell in cells:
            grid.setdefault(str(cell.get("model") or ""), []).append((cell.get("seed"), cell))
    else:
        found = {(str(c.get("model")), int(c.get("seed", 0))): c for c in cells}
        grid = {model: [(seed, found.get((model, seed))) for seed in seeds] for model in models}
    columns = []
    for model, slots in grid.items():
        figures = [figure(cell, text, model, seed, image_for) for seed, cell in slots]
        columns.append(f"<div class=model><h4>{escape(model or NONE)}</h4>{''.join(figures)}</div>")
    heading = str(prompt.get("heading") or f"Prompt {index + 1}")
    return (
        f'<section class=prompt id="prompt-{index}"><h3>{escape(heading)}</h3>'
        f"<p class=prompt-text>{escape(text)}</p>"
        + (f"<p class=options>{escape(options)}</p>" if options else "")
        + f"<div class=models>{''.join(columns)}</div></section>"
    )


def figure(cell: Doc | None, prompt: str, model: str, seed: Any, image_for: ImageFor) -> str:
    """A cell's image (or its failure) with its verdicts; `seed` None: not known (a failed batch line)."""
    seeded = NONE if seed is None else f"seed {seed}"
    if cell is None:
        return f"<figure><div class=missing>not run yet</div><figcaption>{escape(seeded)}</figcaption></figure>"
    facts = [seeded, money(cell.get("cost_usd")), ms(cell.get("latency_ms"))]
    caption = " \u00b7 ".join(f for f in facts if f != NONE)
    if cell.get("status") == "failed":
        error = cell.get("error") or {}
        code = escape(str(error.get("code", "unknown")))
        shown = (
            f'<div class=failed role=img aria-label="failed: {code}">'
            f"<strong>failed: {code}</strong>"
            f"<br>{escape(str(error.get('message', '')))}</div>"
        )
    else:
        uri = image_for(cell.get("file"))
        if uri is None:
            shown = f"<div class=missing>image file not found: {escape(str(cell.get('file') or NONE))}</div>"
        else:
            label = ", ".join(p for p in (model, "" if seed is None else f"seed {seed}") if p) + f": {prompt}"
            shown = (
                f'<button type=button class=enlarge data-caption="{escape(label)}" '
                f'aria-label="{escape("enlarge: " + label)}">'
                f'<img src="{uri}" alt="{escape(prompt)}"></button>'
            )
    verdicts = "".join(verdict(judge, v) for judge, v in (cell.get("verdicts") or {}).items())
    captioned = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{shown}{captioned}{verdicts}</figure>"


def verdict(judge: str, v: Doc) -> str:
    if v.get("status") != "done":  # failed; or pending, in a batch whose judging went on in the background
        error = v.get("error") or {}
        said = " ".join(str(part) for part in (error.get("code"), error.get("message")) if part)
        return (
            f"<div class='verdict bad'>{escape(judge)}: verdict {escape(str(v.get('status') or 'failed'))}: "
            f"{escape(said or 'unknown')}</div>"
        )
    score = v.get("score")
    shown = NONE if score is None else f"{score}/10"
    parts = [f"<div class=verdict>{escape(judge)}: <span class=score>{escape(shown)}</span>"]
    subs = v.get("sub_scores") or {}
    if subs:
        items = "".join(
            f"<li>{escape(name.replace('_', ' '))} {escape(str(part.get('score', NONE)))}"
            + (f": {escape(str(part['reason']))}" if part.get("reason") else "")
            + "</li>"
            for name, part in subs.items()
        )
        parts.append(f"<ul>{items}</ul>")
    checklist = checklist_summary(v.get("checklist") or [])
    if checklist:
        parts.append(f"<div>checklist: {escape(checklist)}</div>")
    if v.get("suggestions"):
        parts.append(f"<div>suggestions: {escape(str(v['suggestions']))}</div>")
    return "".join(parts) + "</div>"


def checklist_summary(items: Iterable[Doc]) -> str:
    """ "3 present, 1 partial (a red hat), 1 absent (two birds)", as the command line says it."""
    items = list(items)
    counts = []
    for status in ("present", "partial", "absent"):
        elements = [str(item.get("element", "")) for item in items if item.get("status") == status]
        if elements:
            named = f" ({', '.join(elements)})" if status != "present" else ""
            counts.append(f"{len(elements)} {status}{named}")
    return ", ".join(counts)
