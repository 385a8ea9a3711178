"""Emulated images: real PNGs of the requested size, derived from the prompt and the seed (the
same request gives the same bytes), with EMULATED written across them and in their metadata."""

from __future__ import annotations

import hashlib

from imagegen import png

from . import jpeg

# 5x7 glyphs for the stamp, one string per row
GLYPHS = {
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
    "M": ["10001", "11011", "10101", "10101", "10001", "10001", "10001"],
    "U": ["10001", "10001", "10001", "10001", "10001", "10001", "01110"],
    "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "T": ["11111", "00100", "00100", "00100", "00100", "00100", "00100"],
    "D": ["11110", "10001", "10001", "10001", "10001", "10001", "11110"],
}
STAMP = "EMULATED"


def render(width: int, height: int, *, prompt: str, seed: int, model: str, fmt: str = "png") -> bytes:
    """A vertical two-colour gradient chosen by the prompt and seed, with a white band across the
    middle that reads EMULATED; PNG or JPEG."""
    digest = hashlib.sha256(f"{model}|{seed}|{prompt}".encode()).digest()
    top, bottom = digest[0:3], digest[3:6]
    rows: list[bytes] = []
    for y in range(height):
        t = y / max(1, height - 1)
        colour = bytes(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        rows.append(colour * width)
    _stamp(rows, width, height)
    comment = f"EMULATED image: {model}, seed {seed}"
    if fmt == "jpeg":
        return jpeg.encode(width, height, rows, comment)
    text = {"Software": "imagegen Bedrock emulator", "Comment": comment}
    return png.encode(png.Raster(width, height, "RGB", tuple(rows)), text=text, level=1)


def _stamp(rows: list[bytes], width: int, height: int) -> None:
    columns = len(STAMP) * 6 - 1
    cell = max(1, min(width // (columns + 4), height // 12))
    band_top = (height - 9 * cell) // 2
    left = (width - columns * cell) // 2
    white, ink = b"\xff\xff\xff", b"\x20\x20\x20"
    for y in range(max(0, band_top), min(height, band_top + 9 * cell)):
        line = bytearray(white * width)
        glyph_row = (y - band_top) // cell - 1
        if 0 <= glyph_row < 7:
            for index, letter in enumerate(STAMP):
                for col, bit in enumerate(GLYPHS[letter][glyph_row]):
                    if bit == "1":
                        x0 = left + (index * 6 + col) * cell
                        if x0 >= 0 and x0 + cell <= width:
                            line[x0 * 3 : (x0 + cell) * 3] = ink * cell
        rows[y] = bytes(line)
