"""A small PNG codec for what the project needs without an imaging library: writing 8-bit
images (masks, test and emulator images), reading 8-bit non-interlaced ones (masks), and
telling whether any pixel of any PNG is transparent (models that need opaque sources; for the
transparency chunk of palette and 8-bit images, png_keyed asks Pillow's faster decoder).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from . import png_keyed
from .errors import InvalidImage
from .imageinfo import PNG_SIGNATURE
from .png_filters import unfilter as _unfilter

# colour type -> channels per pixel
_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
_MODES = {"L": 0, "RGB": 2, "RGBA": 6}
# The filtered scanlines of the largest image any model here takes (9.4 MP, 16-bit RGBA) need
# 75 MB; more than this is refused before it is inflated.
MAX_RAW_BYTES = 96 * 1024 * 1024


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
    parts = _parse(data)
    if parts.depth != 8 or parts.interlace:
        raise InvalidImage(
            f"unsupported PNG layout (bit depth {parts.depth}, colour type {parts.colour}, interlace {parts.interlace})"
        )
    channels = _CHANNELS[parts.colour]
    rows = _unfilter(parts.raw, parts.width * channels, parts.height, channels)
    if parts.colour == 3:
        return _expand_palette(parts.width, parts.height, rows, parts.palette, parts.trns)
    mode = {0: "L", 2: "RGB", 6: "RGBA"}.get(parts.colour)
    if mode is None:  # gray + alpha: keep the gray
        rows = [bytes(r[0::2]) for r in rows]
        mode = "L"
    return Raster(parts.width, parts.height, mode, tuple(rows))


def verify(data: bytes) -> None:
    """Raise InvalidImage unless the PNG's chunks parse and its image data inflates to exactly
    what its header needs (the check a service decoding the image makes first)."""
    parts = _parse(data)
    if len(parts.raw) != parts.raw_size:
        raise InvalidImage("PNG image data is truncated")


def has_transparency(data: bytes) -> bool:
    """True if any pixel is less than fully opaque: an alpha sample below its maximum, a pixel
    whose palette entry tRNS makes transparent, or a pixel of the tRNS colour key.

    Reads every bit depth and interlaced images; a PNG without alpha or tRNS is answered from
    its header alone.
    """
    parts = _parse(data)
    if parts.colour in (4, 6):
        if parts.depth not in (8, 16):
            raise InvalidImage(f"invalid PNG: bit depth {parts.depth} with an alpha channel")
        return any(_alpha_below_max(parts, width, height, raw) for width, height, raw in _passes(parts))
    if not parts.trns:
        return False
    if parts.colour == 3:
        clear = {index for index, alpha in enumerate(parts.trns) if alpha < 255}
        return bool(clear) and png_keyed.uses_palette_index(_complete(data, parts), clear)
    channels = _CHANNELS[parts.colour]
    if len(parts.trns) < 2 * channels:
        raise InvalidImage("PNG transparency (tRNS) chunk is too short")
    key = struct.unpack(f">{channels}H", parts.trns[: 2 * channels])
    if parts.depth == 8:
        return png_keyed.holds_colour(_complete(data, parts), "L" if channels == 1 else "RGB", key)
    bpp = max(1, channels * parts.depth // 8)
    for width, height, raw in _passes(parts):
        for row in _unfilter(raw, _stride(width, channels, parts.depth), height, bpp):
            if _holds_pixel(row, parts.depth, width, channels, key):
                return True
    return False


def _complete(data: bytes, parts: _Parts) -> bytes:
    """`data`, once its image data is known to inflate to exactly what its header needs: Pillow
    decodes a truncated image without a word, and this check also stops an image-data bomb."""
    if len(parts.raw) != parts.raw_size:
        raise InvalidImage("PNG image data is truncated")
    return data


def _holds_pixel(row: bytes, depth: int, width: int, channels: int, key: tuple[int, ...]) -> bool:
    """Whether an unfiltered row's first `width` pixels include the colour `key`."""
    if depth in (8, 16):
        if depth == 8 and max(key) > 255:
            return False
        size = channels * depth // 8
        pattern = b"".join(sample.to_bytes(depth // 8, "big") for sample in key)
        found = row.find(pattern, 0, width * size)
        while found >= 0:
            if found % size == 0:
                return True
            found = row.find(pattern, found + 1, width * size)
        return False
    samples = _samples(row, depth, width * channels)
    return key in zip(*(samples[c::channels] for c in range(channels)), strict=True)


@dataclass(frozen=True)
class _Parts:
    width: int
    height: int
    depth: int
    colour: int
    interlace: int
    palette: bytes
    trns: bytes
    idat: bytes

    @property
    def raw_size(self) -> int:
        """How many bytes the filtered scanlines of an image this size take: a filter byte and a
        stride per row, summed over the Adam7 passes when interlaced."""
        channels = _CHANNELS[self.colour]
        if not self.interlace:
            return self.height * (1 + _stride(self.width, channels, self.depth))
        return sum(h * (1 + _stride(w, channels, self.depth)) for w, h in _pass_sizes(self.width, self.height))

    @property
    def raw(self) -> bytes:
        """The decompressed, still filtered, scanlines; never more than the header's size needs, so
        that a small file cannot inflate into gigabytes (a decompression bomb)."""
        expected = self.raw_size
        if expected > MAX_RAW_BYTES:
            raise InvalidImage(f"PNG of {self.width}x{self.height} is too large to inspect")
        inflater = zlib.decompressobj()
        try:
            raw = inflater.decompress(self.idat, expected + 1)
        except zlib.error as exc:
            raise InvalidImage(f"corrupt PNG ({exc})") from exc
        if len(raw) > expected or inflater.unconsumed_tail:
            raise InvalidImage(f"corrupt PNG (more image data than {self.width}x{self.height} pixels hold)")
        return raw


def _parse(data: bytes) -> _Parts:
    if data[:8] != PNG_SIGNATURE:
        raise InvalidImage("not a PNG image")
    pos, header, palette, trns = 8, b"", b"", b""
    idat: list[bytes] = []
    try:
        while pos < len(data):
            (length,) = struct.unpack(">I", data[pos : pos + 4])
            kind = data[pos + 4 : pos + 8]
            body = data[pos + 8 : pos + 8 + length]
            pos += 12 + length
            if kind == b"IHDR" and not header:  # the first one counts, as for every reader
                header = body
            elif kind == b"PLTE":
                palette = body
            elif kind == b"tRNS" and not idat:  # the spec puts it before the image data; so does imageinfo
                trns = body
            elif kind == b"IDAT":
                idat.append(body)
            elif kind == b"IEND":
                break
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    except struct.error as exc:
        raise InvalidImage(f"corrupt PNG ({exc})") from exc
    if colour not in _CHANNELS or depth not in (1, 2, 4, 8, 16) or interlace not in (0, 1):
        raise InvalidImage(f"unsupported PNG layout (bit depth {depth}, colour type {colour}, interlace {interlace})")
    return _Parts(width, height, depth, colour, interlace, palette, trns, b"".join(idat))


# Adam7: (x offset, y offset, x step, y step) of each of the seven passes
_ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _pass_sizes(width: int, height: int) -> Iterator[tuple[int, int]]:
    """(width, height) of each non-empty Adam7 pass."""
    for x0, y0, dx, dy in _ADAM7:
        w, h = -(-(width - x0) // dx), -(-(height - y0) // dy)
        if w > 0 and h > 0:
            yield w, h


def _passes(parts: _Parts) -> Iterator[tuple[int, int, bytes]]:
    """(width, height, filtered scanlines) of the image, or of each non-empty Adam7 pass."""
    if not parts.interlace:
        yield parts.width, parts.height, parts.raw
        return
    raw, channels, pos = parts.raw, _CHANNELS[parts.colour], 0
    for width, height in _pass_sizes(parts.width, parts.height):
        size = height * (1 + _stride(width, channels, parts.depth))
        yield width, height, raw[pos : pos + size]
        pos += size


def _alpha_below_max(parts: _Parts, width: int, height: int, raw: bytes) -> bool:
    """Whether any alpha sample is below its maximum, read from the filtered bytes without
    unfiltering them.

    PNG filters combine a byte only with the same byte position of the pixel to its left, above
    and above-left, so each alpha byte position is a stream of its own; and unfiltering is a
    bijection: a byte is its filtered value plus a prediction from bytes already decoded. While
    every alpha byte decoded so far is 255, the prediction is known in advance for each filter
    type, so the next alpha byte is 255 exactly when its filtered value is the one
    `_opaque_residuals` gives. A row of alpha bytes is therefore opaque iff its filtered bytes
    equal that row pattern, and the first row that differs holds a pixel below the maximum.
    The comparison runs over byte slices, at C speed, whatever the filter.
    """
    channels = _CHANNELS[parts.colour]
    size = parts.depth // 8
    bpp = channels * size
    stride = width * bpp
    line = stride + 1
    if len(raw) < height * line:
        raise InvalidImage("PNG image data is truncated")
    kinds = raw[0 : height * line : line]
    if max(kinds, default=0) > 4:
        raise InvalidImage(f"unknown PNG filter type {max(kinds)}")
    first, later = _opaque_residuals(width)
    for y, kind in enumerate(kinds):
        expected = (later if y else first)[kind]
        start = y * line + 1
        for lane in range(bpp - size, bpp):
            if raw[start + lane : start + stride : bpp] != expected:
                return True
    return False


def _opaque_residuals(width: int) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """The filtered bytes of one byte position across a row whose bytes are all 255, by filter
    type (None, Sub, Up, Average, Paeth): for the first row of an image or Adam7 pass (the row
    above counts as zeros), and for a row below one of all 255. Byte = (255 - prediction) mod 256,
    the prediction made from the neighbours to the left (zero for the first pixel) and above."""
    rest = width - 1
    first_row = (
        b"\xff" * width,  # None
        b"\xff" + b"\x00" * rest,  # Sub: left 255 after the first pixel
        b"\xff" * width,  # Up: above is zero
        b"\xff" + b"\x80" * rest,  # Average: (255 + 0) >> 1 = 127 after the first pixel
        b"\xff" + b"\x00" * rest,  # Paeth: predicts the left (255), as Sub
    )
    later_rows = (
        b"\xff" * width,  # None
        b"\xff" + b"\x00" * rest,  # Sub
        b"\x00" * width,  # Up: above is 255
        b"\x80" + b"\x00" * rest,  # Average: (0 + 255) >> 1 = 127 first, then 255
        b"\x00" * width,  # Paeth: above (255) first, then all three neighbours are 255
    )
    return first_row, later_rows


def _stride(width: int, channels: int, depth: int) -> int:
    return (width * channels * depth + 7) // 8


def _samples(row: bytes, depth: int, count: int) -> Sequence[int]:
    """The first `count` samples of an unfiltered row, at any bit depth."""
    if depth == 8:
        return row[:count]
    if depth == 16:
        return struct.unpack(f">{count}H", row[: 2 * count])
    per_byte, mask = 8 // depth, (1 << depth) - 1
    shifts = [8 - depth * (i + 1) for i in range(per_byte)]
    return [(byte >> shift) & mask for byte in row for shift in shifts][:count]


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
