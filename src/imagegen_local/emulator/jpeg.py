"""A baseline JPEG writer for emulated images: each 8x8 block is one flat colour (its centre
pixel's), so only DC coefficients are coded. Real, decodable JPEG bytes, fast in pure Python;
blocky, which suits an image that says EMULATED on it."""

from __future__ import annotations

import struct
from collections.abc import Sequence

# The standard luminance tables of ITU T.81 Annex K.3, used for all three components.
DC_COUNTS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALUES = list(range(12))
AC_COUNTS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7D]
AC_VALUES = bytes.fromhex(
    "01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435"
    "363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a9293949596979899"
    "9aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa"
)


def encode(width: int, height: int, rows: Sequence[bytes | bytearray], comment: str = "") -> bytes:
    """JPEG bytes for RGB rows (3 bytes a pixel)."""
    dc_codes = _codes(DC_COUNTS, DC_VALUES)
    eob = _codes(AC_COUNTS, list(AC_VALUES))[0x00]
    bits = _BitWriter()
    previous = [0, 0, 0]
    for by in range(0, height, 8):
        row = rows[min(by + 4, height - 1)]
        for bx in range(0, width, 8):
            x = min(bx + 4, width - 1) * 3
            r, g, b = row[x], row[x + 1], row[x + 2]
            for index, value in enumerate(_ycbcr(r, g, b)):
                dc = round((value - 128) * 8)  # the block's DC coefficient, quantized by 1
                diff, previous[index] = dc - previous[index], dc
                size = abs(diff).bit_length()
                bits.write(*dc_codes[size])
                if size:
                    bits.write(diff if diff > 0 else diff + (1 << size) - 1, size)
                bits.write(*eob)
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFE, comment.encode("latin-1")) if comment else b"",
            _segment(0xDB, b"\x00" + bytes([1] * 64)),
            _segment(0xC0, struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"),
            _segment(0xC4, b"\x00" + bytes(DC_COUNTS) + bytes(DC_VALUES)),
            _segment(0xC4, b"\x10" + bytes(AC_COUNTS) + AC_VALUES),
            _segment(0xDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00"),
            bits.finish(),
            b"\xff\xd9",
        ]
    )


def _ycbcr(r: int, g: int, b: int) -> tuple[float, float, float]:
    return (
        0.299 * r + 0.587 * g + 0.114 * b,
        -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
        0.5 * r - 0.418688 * g - 0.081312 * b + 128,
    )


def _codes(counts: list[int], values: list[int]) -> dict[int, tuple[int, int]]:
    """Symbol -> (code, length) for a Huffman table given as counts per length and values."""
    table, code, k = {}, 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            table[values[k]] = (code, length)
            code, k = code + 1, k + 1
        code <<= 1
    return table


def _segment(marker: int, body: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.count = 0

    def write(self, value: int, length: int) -> None:
        self.acc = (self.acc << length) | (value & ((1 << length) - 1))
        self.count += length
        while self.count >= 8:
            self.count -= 8
            byte = (self.acc >> self.count) & 0xFF
            self.out.append(byte)
            if byte == 0xFF:
                self.out.append(0x00)  # byte stuffing
        self.acc &= (1 << self.count) - 1

    def finish(self) -> bytes:
        if self.count:
            self.write((1 << (8 - self.count)) - 1, 8 - self.count)  # pad with ones
        return bytes(self.out)
