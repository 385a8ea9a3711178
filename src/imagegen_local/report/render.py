"""The comparison report: one self-contained HTML page (its style, script and images inlined; no
network, not even a font) from a results document of `imagegen compare`. Every text of the
document is escaped: prompts, ids and a judge's words are user data."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from imagegen_local.compare.results import Results

from .cells import prompt_section
from .text import NONE, money, ms, number, percent, plural

Doc = Mapping[str, Any]


REPORT = "report.html"  # the page's name beside its results.json, as compare and report write it


def _asset(name: str) -> str:
    return files(__package__).joinpath(name).read_text(encoding="utf-8")


def render(results: Results | Doc, folder: Path | str) -> str:
    """The page for `results`, whose cells' files are relative to `folder` (the results file's)."""
    folder = Path(folder)
    config = results.get("config") or {}
    summary = results.get("summary") or {}
    models = list(config.get("models") or (summary.get("models") or {}).keys())
    seeds = sorted({int(cell.get("seed", 0)) for cell in results.get("cells") or []})
    title = "Image model comparison"
    meta = (
        f"{plural(len(results.get('prompts') or []), 'prompt')}, {plural(len(models), 'model')}, "
        f"{plural(len(seeds), 'seed')}, "
        f"{plural(len(config.get('judges') or []), 'judge')}; prompts from {config.get('prompts_file') or NONE}; "
        f"updated {results.get('updated_at') or results.get('created_at') or NONE}"
    )
    if config.get("budget_usd") is not None:
        meta += f"; budget ${config['budget_usd']:.2f}"
    by_prompt: dict[int, list[Doc]] = {}
    for cell in results.get("cells") or []:
        by_prompt.setdefault(int(cell.get("prompt_index", -1)), []).append(cell)
    body = [
        f"<header><h1>{escape(title)}</h1><p class=meta>{escape(meta)}</p></header>",
        "<h2 id=models>Models</h2>",
        model_table(summary.get("models") or {}, models),
        "<h2 id=judges>Judges</h2>",
        judge_table(summary.get("judges") or {}),
        "<h2 id=agreement>Judge agreement</h2>",
        agreement_table(summary.get("agreement") or []),
        "<h2 id=prompts>Prompts</h2>",
    ]
    for prompt in results.get("prompts") or []:
        index = int(prompt.get("index", -1))
        body.append(prompt_section(prompt, by_prompt.get(index, []), models, seeds, lambda f: data_uri(folder, f)))
    page = Template(_asset("page.html"))
    return page.substitute(
        title=escape(title), style=_asset("report.css"), script=_asset("report.js"), body="\n".join(body)
    )


def data_uri(folder: Path, file: str | None) -> str | None:
    """A cell's image as a data: URI, if it is a PNG or JPEG file there; else None."""
    if not file:
        return None
    try:
        data = (folder / file).read_bytes()
    except OSError:
        return None
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


def model_table(stats: Mapping[str, Doc], models: list[str]) -> str:
    names = models + [m for m in stats if m not in models]
    headers = ["Model", "Mean", "95 % interval", *(f"Wins vs {m}" for m in names)]
    headers += ["Cost / image", "Cost / point", "Latency p50", "Latency p95", "Images", "Failed"]
    rows = []
    for model in names:
        s = stats.get(model) or {}
        ci = s.get("ci95")
        wins = s.get("win_rate") or {}
        cells = [
            td(model, sort=False),
            td(number(s.get("mean")), s.get("mean")),
            td(f"{number(ci[0])}\u2013{number(ci[1])}" if ci else NONE, ci[0] if ci else None),
            *(td(percent(wins.get(m)), wins.get(m)) if m != model else td(NONE) for m in names),
            td(money(s.get("cost_per_image")), s.get("cost_per_image")),
            td(money(s.get("cost_per_point")), s.get("cost_per_point")),
            td(ms(s.get("latency_p50_ms")), s.get("latency_p50_ms")),
            td(ms(s.get("latency_p95_ms")), s.get("latency_p95_ms")),
            td(str(s.get("n", 0)), s.get("n", 0)),
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
