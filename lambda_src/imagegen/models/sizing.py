"""Sizes and aspect ratios: parse them, and translate between them soundly."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from ..errors import InvalidParameter

ONE_MEGAPIXEL = 1024 * 1024
_RATIO = re.compile(r"^\s*(\d{1,3})\s*:\s*(\d{1,3})\s*$")
SIZE_PATTERN = r"^\s*([0-9]{2,5})\s*[xX]\s*([0-9]{2,5})\s*$"
"""WIDTHxHEIGHT in pixels, as a request's `size` is written (the API's schema checks it too)."""
_SIZE = re.compile(SIZE_PATTERN)


def parse_size(text: object, field: str = "size") -> tuple[int, int]:
    """(width, height) from WIDTHxHEIGHT, such as 1024x768."""
    match = _SIZE.match(text) if isinstance(text, str) else None
    if not match:
        raise InvalidParameter(field, text, "WIDTHxHEIGHT in pixels, such as 1024x1024")
    return int(match.group(1)), int(match.group(2))


def parse_ratio(text: str, *, model_id: str | None = None) -> float:
    match = _RATIO.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) == 0 or int(match.group(2)) == 0:
        raise InvalidParameter("aspect_ratio", text, "a ratio written W:H, such as 16:9", model_id=model_id)
    return int(match.group(1)) / int(match.group(2))


def nearest_ratio(width: int, height: int, ratios: Sequence[str]) -> str:
    """The listed ratio closest to width/height, compared on a log scale (2:1 and 1:2 are equally far from 1:1)."""
    target = math.log(width / height)
    return min(ratios, key=lambda r: abs(math.log(parse_ratio(r)) - target))


def nearest_size(ratio: float, sizes: Sequence[tuple[int, int]], area: int = ONE_MEGAPIXEL) -> tuple[int, int]:
    """The listed size closest in aspect ratio, then closest to `area` pixels."""
    return min(sizes, key=lambda s: (round(abs(math.log(s[0] / s[1] / ratio)), 3), abs(s[0] * s[1] - area)))


def size_for_ratio(
    ratio: float, *, multiple: int, low: int, high: int, max_pixels: int, area: int = ONE_MEGAPIXEL
) -> tuple[int, int]:
    """About `area` pixels at `ratio`, each side a multiple of `multiple` within [low, high]."""
    width = math.sqrt(area * ratio)
    height = width / ratio
    w = _fit(width, multiple, low, high)
    h = _fit(height, multiple, low, high)
    while w * h > max_pixels:
        if w >= h:
            w -= multiple
        else:
            h -= multiple
    return w, h


def _fit(value: float, multiple: int, low: int, high: int) -> int:
    snapped = int(round(value / multiple)) * multiple
    return max(low, min(high, snapped))
