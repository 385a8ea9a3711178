"""The report on disk: results.json of `imagegen compare`, or the report of `imagegen batch`, as one
self-contained HTML page (drawn by imagegen.report); the browser for its tests and screenshot."""

from .render import render

__all__ = ["render"]
