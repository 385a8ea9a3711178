"""A small PNG codec for what the project needs without an imaging library: writing 8-bit
images (masks, test and emulator images) and reading 8-bit non-interlaced ones (masks).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from .errors import InvalidImage
from .imageinfo import PNG_SIGNATURE

# colour type -> channels per pixel
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_MODES = {"L": 0, "RGB": 2, "RGBA": 6}


@dataclass(frozen=True)
class Raster:
    """Pixel rows of 8-bit samples: mode L (gray), RGB or RGBA."""

    width: int
    height: int
    mode: str
    rows: tuple[bytes, ...]

    @property
    def channels(self) -> int:
        return _CHANNELS[_MODES[self.mode]]


def encode(raster: Raster, *, text: dict[str, str] | None = None, level: int = 6) -> bytes:
    """PNG bytes for the raster, with optional tEXt chunks (keyword -> value)."""
    stride = raster.width * raster.channels
    if len(raster.rows) != raster.height or any(len(r) != stride for r in raster.rows):
        raise ValueError("rows do not match the raster's size and mode")
    ihdr = struct.pack(">IIBBBBB", raster.width, raster.height, 8, _MODES[raster.mode], 0, 0, 0)
    chunks = [_chunk(b"IHDR", ihdr)]
    for key, value in (text or {}).items():
        chunks.append(_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")))
    scanlines = b"".join(b"\0" + row for row in raster.rows)
    chunks.append(_chunk(b"IDAT", zlib.compress(scanlines, level)))
    chunks.append(_chunk(b"IEND", b""))
    return PNG_SIGNATURE + b"".join(chunks)


def solid(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A one-colour RGB PNG."""
    row = bytes(rgb) * width
    return encode(Raster(width, height, "RGB", (row,) * height))


def decode(data: bytes) -> Raster:
    """Decode an 8-bit, non-interlaced PNG to rows (palette images are expanded to RGB/RGBA)."""
    if data[:8] != PNG_SIGNATURE:
        raise InvalidImage("not a PNG image")
    pos, header, palette, alpha, idat = 8, b"", b"", b"", []
    try:
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            kind = data[pos + 4 : pos + 8]
            body = data[pos + 8 : pos + 8 + length]
            pos += 12 + length
            if kind == b"IHDR":
                header = body
            elif kind == b"PLTE":
                palette = body
            elif kind == b"tRNS":
                alpha = body
            elif kind == b"IDAT":
                idat.append(body)
            elif kind == b"IEND":
                break
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
        raw = zlib.decompress(b"".join(idat))
    except (struct.error, zlib.error) as exc:
        raise InvalidImage(f"corrupt PNG ({exc})") from exc
    if depth != 8 or interlace or colour not in _CHANNELS:
        raise InvalidImage(f"unsupported PNG layout (bit depth {depth}, colour type {colour}, interlace {interlace})")
    channels = _CHANNELS[colour]
    rows = _unfilter(raw, width * channels, height, channels)
    if colour == 3:
        return _expand_palette(width, height, rows, palette, alpha)
    mode = {0: "L", 2: "RGB", 6: "RGBA"}.get(colour)
    if mode is None:  # gray + alpha: keep the gray
        rows = [bytes(r[0::2]) for r in rows]
        mode = "L"
    return Raster(width, height, mode, tuple(rows))


def _unfilter(raw: bytes, stride: int, height: int, bpp: int) -> list[bytes]:
    if len(raw) < height * (stride + 1):
        raise InvalidImage("PNG image data is truncated")
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = bytearray(raw[start + 1 : start + 1 + stride])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - bpp] if i >= bpp else 0
                b = previous[i]
                c = previous[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        elif kind != 0:
            raise InvalidImage(f"unknown PNG filter type {kind}")
        previous = bytes(line)
        rows.append(previous)
    return rows


def _expand_palette(width: int, height: int, rows: list[bytes], palette: bytes, alpha: bytes) -> Raster:
    if not palette or len(palette) % 3:
        raise InvalidImage("PNG palette is missing or not whole RGB entries")
    colours = [palette[i : i + 3] for i in range(0, len(palette), 3)]
    if alpha:
        table = [c + bytes([alpha[i] if i < len(alpha) else 255]) for i, c in enumerate(colours)]
        mode = "RGBA"
    else:
        table, mode = colours, "RGB"
    try:
        expanded = tuple(b"".join(table[i] for i in row) for row in rows)
    except IndexError as exc:
        raise InvalidImage("PNG palette index out of range") from exc
    return Raster(width, height, mode, expanded)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
