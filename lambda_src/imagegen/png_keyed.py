"""Whether a PNG's transparency chunk (tRNS) applies to any of its pixels, asked of Pillow's C
decoder, which undoes the Average and Paeth filters tens of times faster than png.py can in
Python. Pillow keeps what is compared here exactly as the file holds it: the palette indices of
a palette image (every bit depth) and the samples of an 8-bit gray or RGB image. It scales
16-bit and sub-byte gray samples, so png.py reads those keys itself.
"""

from __future__ import annotations

import io
from collections.abc import Collection
from typing import Any

from .errors import InvalidImage


def uses_palette_index(data: bytes, indices: Collection[int]) -> bool:
    """True if any pixel of the palette PNG `data` has one of `indices`."""
    counts = _decoded(data, "P").histogram()
    return any(counts[index] for index in indices if index < len(counts))


def holds_colour(data: bytes, mode: str, key: tuple[int, ...]) -> bool:
    """True if any pixel of the 8-bit gray (mode L) or RGB PNG `data` has the colour `key`:
    each channel mapped to 255 where it equals its part of the key, the maps' minimum taken."""
    from PIL import ImageChops

    picture = _decoded(data, mode)
    if max(key) > 255:
        return False
    if mode == "L":
        return picture.histogram()[key[0]] > 0
    red, green, blue = (
        channel.point([255 if value == wanted else 0 for value in range(256)])
        for channel, wanted in zip(picture.split(), key, strict=True)
    )
    return ImageChops.darker(ImageChops.darker(red, green), blue).getextrema()[1] == 255


def _decoded(data: bytes, mode: str) -> Any:
    from PIL import Image  # here, not at the top: only a source with a tRNS chunk needs it

    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as picture:
            picture.load()
            if picture.mode != mode:
                raise InvalidImage(f"PNG decoded as {picture.mode}, not {mode}")
            return picture.copy()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise InvalidImage(f"corrupt PNG ({exc})") from exc
