"""The PNG images a request carries, decoded once: the request's checks (rules.py: is the PNG
whole, is any pixel transparent, is a mask pure black and white) and its rendering (art.py) each
ask about the same bytes, and each asking used to inflate them again. The answers are those of
imagegen.png, which does the decoding; only the repeated work is saved.

Recent images are kept, keyed by their bytes, within a budget of memory (the latest always,
so that a request's own checks and rendering share it): an edge check sends the same few
sources again and again. A decoded image's equal rows are kept as one (a flat source of 3072
rows holds one row), and only its distinct rows count towards the budget."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace

from imagegen import png
from imagegen.errors import InvalidImage

OPAQUE = b"\xff"
BUDGET = 64 * 1024 * 1024  # bytes: the images' own and their decoded rows'


def decode(data: bytes) -> png.Raster:
    """png.decode(data), or the InvalidImage it raises."""
    decoded = _decoded(data)
    if isinstance(decoded, InvalidImage):
        raise InvalidImage(str(decoded))
    return decoded


def verify(data: bytes) -> None:
    """png.verify(data). An image that decodes has passed it already: png.decode reads the chunks
    the same way, refuses image data larger than the header needs and rows that are short of it.
    Only an image it does not decode (16-bit, interlaced, damaged) is checked by png.verify."""
    if isinstance(_decoded(data), InvalidImage):
        png.verify(data)


def forget() -> None:
    """Drop every kept image (for benchmarks that time the decoding itself)."""
    with _kept.lock:
        _kept.entries.clear()
        _kept.size = 0


def has_transparency(data: bytes) -> bool:
    """png.has_transparency(data). An RGBA raster (8-bit RGBA, or a palette with transparency,
    expanded) answers it from its alpha bytes; any other image goes to png.has_transparency, which
    for an image without alpha or tRNS reads no more than the header."""
    decoded = _decoded(data)
    if isinstance(decoded, png.Raster) and decoded.mode == "RGBA":
        return any(row[3::4].strip(OPAQUE) for row in decoded.rows)
    return png.has_transparency(data)


class _Kept:
    """Decoded images (or the InvalidImage each raised) by their bytes, least recently used first."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.entries: OrderedDict[bytes, tuple[png.Raster | InvalidImage, int]] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, data: bytes) -> png.Raster | InvalidImage:
        with self.lock:
            if data in self.entries:
                self.entries.move_to_end(data)
                return self.entries[data][0]
        decoded, cost = _decode(data)
        with self.lock:
            if data not in self.entries:
                self.entries[data] = (decoded, cost)
                self.size += cost
            while self.size > self.budget and len(self.entries) > 1:
                self.size -= self.entries.popitem(last=False)[1][1]
        return decoded


def _decode(data: bytes) -> tuple[png.Raster | InvalidImage, int]:
    """The decoded image with its equal rows shared, and what keeping it costs in bytes."""
    try:
        raster = png.decode(data)
    except InvalidImage as exc:
        return exc, len(data)
    distinct: dict[bytes, bytes] = {}
    rows = tuple(distinct.setdefault(row, row) for row in raster.rows)
    return replace(raster, rows=rows), len(data) + sum(map(len, distinct))


_kept = _Kept(BUDGET)
_decoded = _kept.get
