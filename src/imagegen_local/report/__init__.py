"""The comparison report: results.json of `imagegen compare` as one self-contained HTML page."""

from .render import render

__all__ = ["render"]
