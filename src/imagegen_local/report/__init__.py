"""The report: results.json of `imagegen compare`, or the report of `imagegen batch`, as one
self-contained HTML page."""

from .render import render

__all__ = ["render"]
