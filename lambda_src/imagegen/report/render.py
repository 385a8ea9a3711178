"""The report: one self-contained HTML page (its style, script and images inlined; no network,
not even a font) drawn from a Page: a comparison's results (`comparison`) or a batch's outcomes
(batch.page), by the same code for `imagegen compare`, `imagegen batch` and a batch on the
deployment. Every text is escaped: prompts, ids and a judge's words are user data. The images
come from the caller (`ImageFor`): files on disk, or thumbnails read from the bucket."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from html import escape
from importlib.resources import files
from string import Template
from typing import Any

from ..compare.results import Results, asked
from .cells import ImageFor, prompt_section
from .text import NONE, money, ms, number, percent, plural
from .view import Doc, Page


def _asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def comparison(results: Results | Doc) -> Page:
    config = results.get("config") or {}
    summary = results.get("summary") or {}
    models = list(config.get("models") or (summary.get("models") or {}).keys())
    if all(k in config for k in ("models", "judges", "seeds")):  # the cells asked for, not earlier runs' others
        cells: list[Doc] = list(asked(results))
        seeds = list(range(1, int(config["seeds"]) + 1))
    else:
        cells = list(results.get("cells") or [])
        seeds = sorted({int(cell.get("seed", 0)) for cell in cells})
    meta = (
        f"{plural(len(results.get('prompts') or []), 'prompt')}, {plural(len(models), 'model')}, "
        f"{plural(len(seeds), 'seed')}, "
        f"{plural(len(config.get('judges') or []), 'judge')}; prompts from {config.get('prompts_file') or NONE}; "
        f"updated {results.get('updated_at') or results.get('created_at') or NONE}"
    )
    if config.get("budget_usd") is not None:
        meta += f"; budget ${config['budget_usd']:.2f}"
    return {
        "kind": "comparison",
        "title": "Image model comparison",
        "meta": meta,
        "summary": summary,
        "models": models,
        "prompts": list(results.get("prompts") or []),
        "cells": cells,
        "seeds": seeds,
    }


def draw(page: Page, image_for: ImageFor) -> str:
    """The page; `image_for` gives a cell's "file" as a data: URI (None: not found)."""
    summary = page["summary"]
    pairwise = page["kind"] == "comparison"
    by_prompt: dict[int, list[Doc]] = {}
    for cell in page["cells"]:
        by_prompt.setdefault(int(cell.get("prompt_index", -1)), []).append(cell)
    body = [
        f"<header><h1>{escape(page['title'])}</h1><p class=meta>{escape(page['meta'])}</p></header>",
        "<h2 id=models>Models</h2>",
        model_table(summary.get("models") or {}, page["models"], pairwise=pairwise),
        "<h2 id=judges>Judges</h2>",
        judge_table(summary.get("judges") or {}),
    ]
    if pairwise:
        body += ["<h2 id=agreement>Judge agreement</h2>", agreement_table(summary.get("agreement") or [])]
    body.append("<h2 id=prompts>Prompts</h2>")
    if page.get("note"):
        body.append(f"<p class=meta id=figures-note>{escape(page.get('note') or '')}</p>")
    for prompt in page["prompts"]:
        index = int(prompt.get("index", -1))
        cells = by_prompt.get(index, [])
        body.append(prompt_section(prompt, cells, page["models"], page["seeds"], image_for))
    template = Template(_asset("page.html"))
    return template.substitute(
        title=escape(page["title"]), style=_asset("report.css"), script=_asset("report.js"), body="\n".join(body)
    )


def data_uri(data: bytes) -> str | None:
    """An image as a data: URI, if it is a PNG or JPEG; else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "jpeg"
    else:
        return None
    return f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"


def td(text: str, value: Any = None, *, sort: bool = True) -> str:
    """A cell; a numeric one carries its value for sorting (empty: sorts last)."""
    if not sort:
        return f"<td>{escape(text)}</td>"
    raw = "" if value is None else repr(float(value))
    return f'<td data-value="{escape(raw)}">{escape(text)}</td>'


def table(name: str, headers: Iterable[str], rows: Iterable[str]) -> str:
    heads = "".join(f"<th scope=col><button type=button>{escape(h)}</button></th>" for h in headers)
    lines = "\n".join(rows) or f"<tr><td colspan=99>{escape('none yet')}</td></tr>"
    return (
        f'<div class=scroll><table class=sortable id="{escape(name)}"><thead><tr>{heads}</tr></thead>'
        f"<tbody>\n{lines}\n</tbody></table></div>"
    )


def model_table(stats: Mapping[str, Doc], models: list[str], *, pairwise: bool = True) -> str:
    """Per model; `pairwise`: with its win rates against each other model and its latencies (a
    comparison's; a batch has neither)."""
    names = models + [m for m in stats if m not in models]
    headers = ["Model", "Mean", "95 % interval", *(f"Wins vs {m}" for m in names if pairwise), "Cost / image"]
    headers += ["Cost / point", *(["Latency p50", "Latency p95"] if pairwise else []), "Images", "Judged", "Failed"]
    rows = []
    for model in names:
        s = stats.get(model) or {}
        ci = s.get("ci95")
        wins = s.get("win_rate") or {}
        cells = [
            td(model, sort=False),
            td(number(s.get("mean")), s.get("mean")),
            td(f"{number(ci[0])}\u2013{number(ci[1])}" if ci else NONE, ci[0] if ci else None),
            *(td(percent(wins.get(m)), wins.get(m)) if m != model else td(NONE) for m in names if pairwise),
            td(money(s.get("cost_per_image")), s.get("cost_per_image")),
            td(money(s.get("cost_per_point")), s.get("cost_per_point")),
            *(td(ms(s.get(f"latency_{p}_ms")), s.get(f"latency_{p}_ms")) for p in ("p50", "p95") if pairwise),
            td(str(s.get("images", NONE)), s.get("images")),  # made
            td(str(s.get("n", 0)), s.get("n", 0)),  # with a score
            td(str(s.get("failed", 0)), s.get("failed", 0)),
        ]
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return table("model-summary", headers, rows)


def judge_table(stats: Mapping[str, Doc]) -> str:
    rows = [
        f"<tr>{td(judge, sort=False)}{td(number(s.get('mean')), s.get('mean'))}"
        f"{td(str(s.get('n', 0)), s.get('n', 0))}</tr>"
        for judge, s in stats.items()
    ]
    return table("judge-summary", ["Judge", "Mean", "Verdicts"], rows)


def agreement_table(pairs: Iterable[Doc]) -> str:
    rows = [
        f"<tr>{td(' & '.join(map(str, p.get('judges') or [])), sort=False)}"
        f"{td(number(p.get('spearman_rho')), p.get('spearman_rho'))}"
        f"{td(number(p.get('weighted_kappa')), p.get('weighted_kappa'))}{td(str(p.get('n', 0)), p.get('n', 0))}</tr>"
        for p in pairs
    ]
    return table("agreement", ["Judges", "Spearman \u03c1", "Weighted \u03ba", "Images"], rows)
