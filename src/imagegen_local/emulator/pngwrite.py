"""The emulator's PNG writer: imagegen.png.encode's image, written for large pictures of few
colours. A row the same as the one above (a gradient's bands, an upscaled source's repeated
rows, a flat caption band) is written with filter Up, as zeros; every other row unfiltered.

The image data is one zlib stream, but not compressed as one: each run of rows that differ
from the row above goes through the compressor, which is then fully flushed (its output ends on
a byte boundary and what follows refers to nothing before it), and each repeated row is the
same few dozen bytes, the Up row of zeros compressed once. Deflating 12 KB of zeros takes as
long as deflating any other 12 KB; copying its compressed form takes nothing. Only the
stream's Adler-32 checksum still reads every byte."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from itertools import groupby

from imagegen.imageinfo import PNG_SIGNATURE

COLOUR_TYPES = {"RGB": (2, 3), "RGBA": (6, 4)}  # mode -> (PNG colour type, bytes a pixel)
NONE, UP = b"\x00", b"\x02"
ZLIB_HEADER = b"\x78\x01"  # deflate, 32 KB window, the fastest level's flag
WINDOW_BITS = -15  # raw deflate: the header and checksum are written here
ADLER = 65521  # the Adler-32 modulus


def encode(
    width: int, height: int, mode: str, rows: Sequence[bytes | bytearray], text: dict[str, str], level: int = 1
) -> bytes:
    """PNG bytes of 8-bit RGB or RGBA rows, with tEXt chunks (keyword -> value)."""
    colour, bpp = COLOUR_TYPES[mode]
    stride = width * bpp
    if len(rows) != height or any(size != stride for size in set(map(len, rows))):
        raise ValueError("rows do not match the image's size and mode")
    chunks = [_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))]
    chunks += [_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1")) for key, value in text.items()]
    chunks += [_chunk(b"IDAT", _image_data(rows, stride, level)), _chunk(b"IEND", b"")]
    return PNG_SIGNATURE + b"".join(chunks)


def _image_data(rows: Sequence[bytes | bytearray], stride: int, level: int) -> bytes:
    """The zlib stream of the filtered scanlines: rows grouped into runs of equal rows, each run's
    first row compressed, the rest copies of the compressed Up row (their checksum worked out)."""
    alone = zlib.compressobj(level, zlib.DEFLATED, WINDOW_BITS)
    repeat = alone.compress(UP + bytes(stride)) + alone.flush(zlib.Z_FULL_FLUSH)
    compressor = zlib.compressobj(level, zlib.DEFLATED, WINDOW_BITS)
    out = [ZLIB_HEADER]
    checksum = 1
    for row, run in groupby(rows):
        line = NONE + row
        out.append(compressor.compress(line))
        checksum = zlib.adler32(line, checksum)
        copies = len(list(run)) - 1
        if copies:
            out.append(compressor.flush(zlib.Z_FULL_FLUSH))
            out.append(repeat * copies)
            checksum = _adler32_up_rows(checksum, stride, copies)
    out.append(compressor.flush(zlib.Z_FINISH))  # the final block (empty if nothing is pending)
    out.append(struct.pack(">I", checksum))
    return b"".join(out)


def _adler32_up_rows(checksum: int, stride: int, copies: int) -> int:
    """zlib.adler32((UP + bytes(stride)) * copies, checksum), without reading them. Each byte adds
    itself to the sum A, then A to the sum B: the filter byte adds 2 to A, each zero adds nothing
    to A, so the i-th copy leaves A at a + 2i and adds (stride + 1)(a + 2i) to B."""
    a, b = checksum & 0xFFFF, checksum >> 16
    a_after = (a + UP[0] * copies) % ADLER
    b_after = (b + (stride + 1) * (copies * a + UP[0] * copies * (copies + 1) // 2)) % ADLER
    return b_after << 16 | a_after


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(body, zlib.crc32(kind)))
