"""The PNG images a request carries, decoded once: the request's checks (rules.py: is the PNG
whole, is any pixel transparent, is a mask pure black and white) and its rendering (art.py) each
ask about the same bytes, and each asking used to inflate them again. The answers are those of
imagegen.png, which does the decoding; only the repeated work is saved.

A few recent images are kept (a request carries at most a source, a mask and a style image),
keyed by their bytes."""

from __future__ import annotations

from functools import lru_cache

from imagegen import png
from imagegen.errors import InvalidImage

OPAQUE = b"\xff"


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


def has_transparency(data: bytes) -> bool:
    """png.has_transparency(data). An RGBA raster (8-bit RGBA, or a palette with transparency,
    expanded) answers it from its alpha bytes; any other image goes to png.has_transparency, which
    for an image without alpha or tRNS reads no more than the header."""
    decoded = _decoded(data)
    if isinstance(decoded, png.Raster) and decoded.mode == "RGBA":
        return any(row[3::4].strip(OPAQUE) for row in decoded.rows)
    return png.has_transparency(data)


@lru_cache(maxsize=4)
def _decoded(data: bytes) -> png.Raster | InvalidImage:
    try:
        return png.decode(data)
    except InvalidImage as exc:
        return exc
