"""Real images for tests, made with the project's own PNG writer, plus header-only images
whose declared size is all that limit checks read."""

from __future__ import annotations

import random
import struct
import zlib

from imagegen import png
from imagegen.imageinfo import PNG_SIGNATURE


def png_image(width: int = 64, height: int = 64, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    return png.solid(width, height, rgb)


def png_header(width: int, height: int) -> bytes:
    """A PNG signature and IHDR declaring width x height, with no pixel data: enough for size checks."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(ihdr)) + b"IHDR" + ihdr + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    return PNG_SIGNATURE + chunk


def jpeg_header(width: int, height: int) -> bytes:
    """SOI, an APP0 segment, then a baseline SOF0 declaring the size."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + app0 + sof0 + b"\xff\xd9"


def gif_header(width: int, height: int) -> bytes:
    return b"GIF89a" + struct.pack("<HH", width, height) + b"\x00\x00\x00" + b"\x3b"


def webp_vp8x(width: int, height: int) -> bytes:
    body = (
        b"VP8X"
        + struct.pack("<I", 10)
        + b"\x00\x00\x00\x00"
        + (width - 1).to_bytes(3, "little")
        + (height - 1).to_bytes(3, "little")
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | ((height - 1) << 14)
    body = b"VP8L" + struct.pack("<I", 5) + b"\x2f" + bits.to_bytes(4, "little")
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def webp_vp8(width: int, height: int) -> bytes:
    frame = b"\x00\x00\x00" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height)
    body = b"VP8 " + struct.pack("<I", len(frame)) + frame
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def mask_png(width: int, height: int, *, white_box: tuple[int, int, int, int], mode: str = "L") -> bytes:
    """Black everywhere, white inside the box (x0, y0, x1, y1): 'change this box'."""
    x0, y0, x1, y1 = white_box
    channels = {"L": 1, "RGB": 3}[mode]
    left, right = max(0, min(x0, width)), max(0, min(x1, width))
    black = bytes(width * channels)
    boxed = (
        black[: left * channels] + b"\xff" * (max(0, right - left) * channels) + black[max(left, right) * channels :]
    )
    rows = tuple(boxed if y0 <= y < y1 else black for y in range(height))
    return png.encode(png.Raster(width, height, mode, rows))


def rgba_png(width: int, height: int, *, alpha_at: dict[tuple[int, int], int] | None = None) -> bytes:
    """An RGBA PNG, opaque everywhere except the pixels (x, y) given their own alpha."""
    opaque = bytes([90, 140, 200, 255]) * width
    rows = [opaque] * height
    for (x, y), alpha in (alpha_at or {}).items():
        if 0 <= x < width and 0 <= y < height:
            row = bytearray(rows[y])
            row[4 * x + 3] = alpha
            rows[y] = bytes(row)
    return png.encode(png.Raster(width, height, "RGBA", tuple(rows)))


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def paeth(a: int, b: int, c: int) -> int:
    """The PNG Paeth predictor, for writing test images with every row filter."""
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filter_rows(rows: list[bytes], bpp: int, kinds: list[int]) -> bytes:
    """Scanlines: each row filtered with its kind (None, Sub, Up, Average, Paeth) and led by
    the filter byte, the row above the first counting as zeros."""
    out, previous = bytearray(), bytes(len(rows[0]))
    for row, kind in zip(rows, kinds, strict=True):
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b, c = previous[i], (previous[i - bpp] if i >= bpp else 0)
            line.append((x - [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]) & 0xFF)
        out += bytes([kind]) + line
        previous = row
    return bytes(out)


def opaque_alpha_bytes(width: int, kind: int, *, first: bool) -> bytes:
    """What filter `kind` writes for a row of alpha bytes that all decode to 255, below a row
    that does too, or as the first row."""
    scanlines = filter_rows([b"\xff" * width] * 2, 1, [kind, kind])
    return scanlines[1 : 1 + width] if first else scanlines[2 + width :]


# filtered colour bytes near zero, as a photo's residuals mostly are, so that the image compresses
_SMALL_RESIDUALS = bytes([0, 0, 1, 2, 3, 255, 254, 253] * 32)


def filtered_rgba_png(
    width: int, height: int, kind: int, *, seed: int = 0, alpha_at: tuple[int, int, int] | None = None
) -> bytes:
    """A large RGBA PNG whose every row uses filter `kind`, written from its filtered bytes: noisy
    colours, alpha 255 everywhere, or at pixel (x, y) the alpha a of `alpha_at` (x, y, a) (pixels
    after it then decode to whatever the filter makes of that)."""
    stride = width * 4
    colours = random.Random(seed).randbytes(stride * height).translate(_SMALL_RESIDUALS)
    first, later = opaque_alpha_bytes(width, kind, first=True), opaque_alpha_bytes(width, kind, first=False)
    raw = bytearray()
    for y in range(height):
        line = bytearray(colours[y * stride : (y + 1) * stride])
        line[3::4] = later if y else first
        if alpha_at is not None and alpha_at[1] == y:
            x, a = alpha_at[0], alpha_at[2]
            line[4 * x + 3] = (line[4 * x + 3] + a - 255) & 0xFF
        raw += bytes([kind]) + line
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(raw), 1))
        + png_chunk(b"IEND", b"")
    )


def filtered_keyed_png(width: int, height: int, kind: int, *, palette: bool, seed: int = 0) -> bytes:
    """A large PNG with a transparency chunk (tRNS) whose every row uses filter `kind`, written from
    noisy filtered bytes: 8-bit palette indices with entry 200 transparent, or 8-bit RGB with the
    colour key (1, 2, 3). Whether a pixel decodes to the clear entry or the key is the filter's doing."""
    channels, colour = (1, 3) if palette else (3, 2)
    stride = width * channels
    filtered = random.Random(seed).randbytes(stride * height).translate(_SMALL_RESIDUALS)
    raw = b"".join(bytes([kind]) + filtered[y * stride : (y + 1) * stride] for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    keyed = (
        png_chunk(b"PLTE", bytes(range(256)) * 3) + png_chunk(b"tRNS", b"\xff" * 200 + b"\x00")
        if palette
        else png_chunk(b"tRNS", struct.pack(">HHH", 1, 2, 3))
    )
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + keyed
        + png_chunk(b"IDAT", zlib.compress(raw, 1))
        + png_chunk(b"IEND", b"")
    )
