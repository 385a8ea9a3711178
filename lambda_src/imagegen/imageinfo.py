"""Read an image's real format and pixel size from its bytes (PNG, JPEG, GIF, WebP).

Never trust a label: the original pipeline sent PNG bytes to its judge as image/jpeg.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from .errors import InvalidImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# Start-of-frame markers carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
_JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "png" | "jpeg" | "gif" | "webp": the names Converse and Stability use
    width: int
    height: int
    alpha: bool = False  # an alpha channel or a transparent colour (PNG, WebP)

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def media_type(self) -> str:
        return f"image/{self.format}"


def probe(data: bytes) -> ImageInfo:
    """Return format and size, or raise InvalidImage for anything else or anything truncated."""
    if not isinstance(data, (bytes, bytearray)):
        raise InvalidImage(f"expected image bytes, got {type(data).__name__}")
    try:
        info = _probe(bytes(data))
    except (struct.error, IndexError, ValueError) as exc:
        raise InvalidImage(f"the image bytes are truncated or corrupt ({exc})") from exc
    if info is None:
        raise InvalidImage("the bytes are not a PNG, JPEG, GIF or WebP image")
    if info.width <= 0 or info.height <= 0:
        raise InvalidImage(f"the {info.format} header declares an empty image ({info.width}x{info.height})")
    return info


def _probe(data: bytes) -> ImageInfo | None:
    if data[:8] == PNG_SIGNATURE:
        if data[12:16] != b"IHDR":
            raise ValueError("PNG without IHDR")
        width, height, _, colour = struct.unpack(">IIBB", data[16:26])
        return ImageInfo("png", width, height, alpha=colour in (4, 6) or _png_has_trns(data))
    if data[:3] == b"\xff\xd8\xff":
        return _probe_jpeg(data)
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("gif", width, height)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _probe_webp(data)
    return None


def _png_has_trns(data: bytes) -> bool:
    """Walk the chunk headers up to the image data looking for a transparency chunk."""
    pos = 8
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"tRNS":
            return True
        if kind in (b"IDAT", b"IEND"):
            return False
        pos += 12 + length
    return False


def _probe_jpeg(data: bytes) -> ImageInfo:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            raise ValueError("JPEG marker expected")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # markers without a length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return ImageInfo("jpeg", width, height)
        pos += 2 + length
    raise ValueError("JPEG without a frame header")


def _probe_webp(data: bytes) -> ImageInfo:
    chunk = data[12:16]
    if chunk == b"VP8X":
        _need(data, 30)
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return ImageInfo("webp", width, height, alpha=bool(data[20] & 0x10))
    if chunk == b"VP8L":
        _need(data, 25)
        if data[20] != 0x2F:
            raise ValueError("VP8L signature missing")
        bits = int.from_bytes(data[21:25], "little")
        return ImageInfo("webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, alpha=bool(bits >> 28 & 1))
    if chunk == b"VP8 ":
        if data[23:26] != b"\x9d\x01\x2a":
            raise ValueError("VP8 start code missing")
        width, height = struct.unpack("<HH", data[26:30])
        return ImageInfo("webp", width & 0x3FFF, height & 0x3FFF)
    raise ValueError(f"unknown WebP chunk {chunk!r}")


def _need(data: bytes, length: int) -> None:
    if len(data) < length:
        raise ValueError(f"header needs {length} bytes, got {len(data)}")
