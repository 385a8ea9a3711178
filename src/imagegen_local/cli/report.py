"""`imagegen report RESULTS.json`: the report (one self-contained HTML page) rendered again from a
results document of `imagegen compare` or the report of `imagegen batch`; no AWS call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imagegen.report import batch

from imagegen_local.report.render import REPORT, html_path, render

from .context import Context, Usage
from .options import Parents


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "report",
        parents=[parents.output],
        help="render a comparison's results or a batch's report as one HTML page",
        description="Render RESULTS.json (written by imagegen compare), or a batch's report (batch-report.json, "
        "written by imagegen batch), as one self-contained HTML file that works offline: the summary tables "
        "(sortable), then every prompt's images side by side with their verdicts, or its failure. The images "
        "are embedded from the files the document names.",
    )
    parser.add_argument("results", metavar="RESULTS.json", help="the results document, or a batch's report")
    parser.add_argument(
        "--out",
        help="the HTML file to write (default: report.html beside RESULTS.json; for a batch's report, "
        "the batch's page: batch-report.json -> batch-report.html)",
    )
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    path = Path(ctx.args.results)
    results = read_results(path)
    is_batch = batch.is_batch(results)
    default = html_path(path) if is_batch else path.parent / REPORT
    out = Path(ctx.args.out) if ctx.args.out else default
    if not out.parent.is_dir():
        raise Usage(f"cannot write the report to {out}: no such folder", "imagegen report")
    try:
        page = render(results, path.parent)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError) as exc:  # a field's shape
        kind = "batch report" if is_batch else "results document"
        raise Usage(f"{path}: malformed {kind} ({exc})", "imagegen report") from None
    out.write_text(page, encoding="utf-8")
    drawn, n = ("prompts", len(results["results"])) if is_batch else ("cells", len(results.get("cells") or []))
    ctx.emit(f"report: {out} ({n} {drawn})", {"command": "report", "report": str(out), drawn: n})
    return 0


def read_results(path: Path) -> dict[str, Any]:
    """The results document or batch report, or a one-line Usage error naming the file and what is
    wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Usage(f"{path}: no such file", "imagegen report") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Usage(f"{path}: cannot be read ({exc.__class__.__name__})", "imagegen report") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Usage(f"{path}: not JSON (line {exc.lineno}: {exc.msg})", "imagegen report") from None
    except RecursionError:
        raise Usage(f"{path}: not JSON (nested too deeply)", "imagegen report") from None
    if isinstance(doc, dict) and batch.is_batch(doc):
        wrong = batch.malformed(doc)
        if wrong:
            raise Usage(f"{path}: malformed batch report ({wrong})", "imagegen report")
        return doc
    if not isinstance(doc, dict) or not isinstance(doc.get("cells", []), list) or "version" not in doc:
        raise Usage(
            f"{path}: not a results document of imagegen compare (no version or cells) "
            'nor a report of imagegen batch (no "command": "batch")',
            "imagegen report",
        )
    if not all(isinstance(c, dict) for c in doc.get("cells", [])) or not isinstance(doc.get("prompts", []), list):
        raise Usage(
            f"{path}: malformed results document (cells and prompts must be lists of objects)", "imagegen report"
        )
    return doc
