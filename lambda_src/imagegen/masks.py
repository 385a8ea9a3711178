"""Mask images. The project's convention: a PNG of the source's size, white where the image
should change, black where it should stay."""

from __future__ import annotations

from . import png
from .errors import InvalidImage

_INVERT = bytes(255 - i for i in range(256))
_BLACK_WHITE = b"\x00\xff"


def black_and_white(mask: bytes, *, invert: bool = False) -> bytes:
    """The mask as a pure black-and-white grayscale PNG, optionally inverted.

    Raises InvalidImage if any pixel is neither black nor white: Titan and Canvas reject
    such masks.
    """
    raster = png.decode(mask)
    rows: list[bytes] = []
    for y, row in enumerate(raster.rows):
        gray = _gray(row, raster.channels)
        if gray is None or gray.translate(None, _BLACK_WHITE):
            raise InvalidImage(f"the mask must be pure black and white; row {y} has other colours")
        rows.append(gray.translate(_INVERT) if invert else gray)
    return png.encode(png.Raster(raster.width, raster.height, "L", tuple(rows)))


def _gray(row: bytes, channels: int) -> bytes | None:
    """The row's gray values, or None where a pixel's colour channels differ."""
    if channels == 1:
        return row
    red, green, blue = row[0::channels], row[1::channels], row[2::channels]
    return red if red == green == blue else None
