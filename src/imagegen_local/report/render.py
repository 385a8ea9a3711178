"""The report of a comparison's results (`imagegen compare`) or a batch's report (`imagegen
batch`) on disk: drawn by the core library's renderer (imagegen.report), its images read from the
files the document names, relative to the document's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from imagegen.compare.results import Results
from imagegen.report import batch
from imagegen.report.render import comparison, data_uri, draw
from imagegen.report.view import Doc

REPORT = "report.html"  # the page's name beside its results.json, as compare and report write it


def render(doc: Results | Doc, folder: Path | str) -> str:
    """The page for a comparison's results or a batch's report, whose files are relative to
    `folder` (the document's)."""
    folder = Path(folder)
    page = batch.page(doc, lambda file: found(folder, file)) if batch.is_batch(doc) else comparison(doc)
    return draw(page, lambda file: image_uri(folder, file))


def image_uri(folder: Path, file: str | None) -> str | None:
    """A cell's image as a data: URI, if it is a PNG or JPEG file there; else None."""
    if not file:
        return None
    try:
        data = (folder / file).read_bytes()
    except OSError:
        return None
    return data_uri(data)


def html_path(report: Path) -> Path:
    """The page beside a batch's JSON report: batch-report.json, batch-report.html."""
    return report.with_suffix(".html") if report.suffix == ".json" else report.with_name(report.name + ".html")


def found(folder: Path, file: Any) -> str | None:
    """An image file as the batch saved it (a path from its working directory, or absolute), or
    the file of that name beside the report when that is where it is now (the default)."""
    if not isinstance(file, str) or not file:
        return None
    beside = folder / Path(file).name
    if beside.is_file():
        return str(beside.resolve())
    return str(Path(file).resolve()) if Path(file).is_file() else file
