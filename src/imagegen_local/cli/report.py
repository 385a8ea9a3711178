"""`imagegen report RESULTS.json`: the comparison report (one self-contained HTML page) rendered
again from a results document of `imagegen compare`; no AWS call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from imagegen_local.report import render
from imagegen_local.report.render import REPORT

from .context import Context, Usage
from .options import Parents


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "report",
        parents=[parents.output],
        help="render a comparison's results as one HTML page",
        description="Render RESULTS.json (written by imagegen compare) as one self-contained HTML file that "
        "works offline: the summary table (sortable), then every prompt's images side by side with their "
        "verdicts. The images are embedded from the files beside RESULTS.json.",
    )
    parser.add_argument("results", metavar="RESULTS.json", help="the results document")
    parser.add_argument("--out", help="the HTML file to write (default: report.html beside RESULTS.json)")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    path = Path(ctx.args.results)
    results = read_results(path)
    out = Path(ctx.args.out) if ctx.args.out else path.parent / REPORT
    if not out.parent.is_dir():
        raise Usage(f"cannot write the report to {out}: no such folder", "imagegen report")
    try:
        page = render(results, path.parent)
    except (AttributeError, TypeError, ValueError, KeyError, IndexError) as exc:  # a field of the wrong shape
        raise Usage(f"{path}: malformed results document ({exc})", "imagegen report") from None
    out.write_text(page, encoding="utf-8")
    cells = results.get("cells") or []
    ctx.emit(f"report: {out} ({len(cells)} cells)", {"command": "report", "report": str(out), "cells": len(cells)})
    return 0


def read_results(path: Path) -> dict[str, Any]:
    """The results document, or a one-line Usage error naming the file and what is wrong with it."""
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
    if not isinstance(doc, dict) or not isinstance(doc.get("cells", []), list) or "version" not in doc:
        raise Usage(f"{path}: not a results document of imagegen compare (no version or cells)", "imagegen report")
    if not all(isinstance(c, dict) for c in doc.get("cells", [])) or not isinstance(doc.get("prompts", []), list):
        raise Usage(
            f"{path}: malformed results document (cells and prompts must be lists of objects)", "imagegen report"
        )
    return doc
