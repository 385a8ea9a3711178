"""The emulator's PNG writer: imagegen.png.encode's image, written for large pictures of few
colours. A row the same as the one above (a gradient's bands, an upscaled source's repeated
rows, a flat caption band) is written with filter Up, as zeros, which deflate and inflate take
at memory speed; every other row is written unfiltered. The rows stream through one compressor,
so the image data is never joined into one string first."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

from imagegen.imageinfo import PNG_SIGNATURE

COLOUR_TYPES = {"RGB": (2, 3), "RGBA": (6, 4)}  # mode -> (PNG colour type, bytes a pixel)
NONE, UP = b"\x00", b"\x02"


def encode(
    width: int, height: int, mode: str, rows: Sequence[bytes | bytearray], text: dict[str, str], level: int = 1
) -> bytes:
    """PNG bytes of 8-bit RGB or RGBA rows, with tEXt chunks (keyword -> value)."""
    colour, bpp = COLOUR_TYPES[mode]
    stride = width * bpp
    if len(rows) != height:
        raise ValueError("rows do not match the image's height")
    compressor = zlib.compressobj(level)
    same = UP + bytes(stride)
    data: list[bytes] = []
    previous: bytes | bytearray | None = None
    for row in rows:
        if len(row) != stride:
            raise ValueError("a row does not match the image's width and mode")
        data.append(compressor.compress(same if row == previous else NONE + row))
        previous = row
    data.append(compressor.flush())
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))]
    chunks += [_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")) for key, value in text.items()]
    chunks += [_chunk(b"IDAT", b"".join(data)), _chunk(b"IEND", b"")]
    return PNG_SIGNATURE + b"".join(chunks)


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
