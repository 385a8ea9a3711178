"""A smaller copy of an image, for an API with size limits (the judge's Converse call): sides
scaled down keeping the aspect ratio, re-encoded in the same format; JPEG and WebP first try
lower qualities, every format then smaller sides, until the bytes fit.

Pillow is imported on the first image to reduce, so functions that never meet one do not load it.
"""

from __future__ import annotations

import io
import math
from typing import Any

from .errors import ImageTooLarge

QUALITIES = (90, 80, 70, 60, 50)
"""The qualities tried, in order, at each size for the lossy formats (JPEG, WebP)."""
SMALLEST_SIDE = 64
"""Below this longest side, an image is no longer worth judging: the shrinker gives up."""
SIDE_MARGIN = 0.95
"""How far under the byte-budget estimate the next size aims, so the next try usually fits."""


def shrink(image: bytes, max_bytes: int, max_side: int) -> bytes:
    """A copy of `image` at most `max_side` pixels a side and `max_bytes` long, in its format
    (an animated GIF keeps its first frame). Raises ImageTooLarge when none fits."""
    from PIL import Image  # here, not at the top: see the module docstring

    try:
        with Image.open(io.BytesIO(image)) as opened:
            fmt = opened.format or "PNG"
            picture = _encodable(opened.convert() if opened.mode == "P" else opened.copy(), fmt)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageTooLarge(f"the image could not be read to reduce it ({exc})") from exc
    width, height = picture.size
    scale = min(1.0, max_side / max(width, height))
    while max(width, height) * scale >= SMALLEST_SIDE:
        size = (max(1, math.floor(width * scale)), max(1, math.floor(height * scale)))
        resized = picture.resize(size, Image.Resampling.LANCZOS) if size != picture.size else picture
        encoded = b""
        for quality in QUALITIES if fmt in ("JPEG", "WEBP") else (None,):
            encoded = _encode(resized, fmt, quality)
            if len(encoded) <= max_bytes:
                return encoded
        scale *= min(0.9, math.sqrt(max_bytes / len(encoded)) * SIDE_MARGIN)
    raise ImageTooLarge(f"the image could not be reduced under {max_bytes:,} bytes and {max_side} px a side")


def thumbnail(image: bytes, side: int, quality: int = 75) -> bytes:
    """A JPEG of `image` at most `side` pixels a side (a report's figure). Raises ImageTooLarge
    when the image cannot be read."""
    from PIL import Image  # here, not at the top: see the module docstring

    try:
        with Image.open(io.BytesIO(image)) as opened:
            opened.thumbnail((side, side), Image.Resampling.LANCZOS)
            picture = opened.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageTooLarge(f"the image could not be read to reduce it ({exc})") from exc
    return _encode(picture, "JPEG", quality)


def _encodable(picture: Any, fmt: str) -> Any:
    """The picture in a mode its format can store (JPEG has no alpha)."""
    if fmt == "JPEG" and picture.mode not in ("L", "RGB", "CMYK"):
        return picture.convert("RGB")
    return picture


def _encode(picture: Any, fmt: str, quality: int | None) -> bytes:
    out = io.BytesIO()
    options: dict[str, Any] = {"quality": quality} if quality is not None else {}
    picture.save(out, format=fmt, **options)
    return out.getvalue()
