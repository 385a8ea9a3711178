import struct
import zlib

import pytest
from imagegen import png
from imagegen.errors import InvalidImage
from imagegen.imageinfo import PNG_SIGNATURE, probe

from tests.imagefactory import paeth, png_chunk


def _filtered_png(rows: list[bytes], width: int, colour: int, bpp: int) -> bytes:
    """Encode each row with a different filter (0-4 in turn), as real encoders do."""
    out, previous = bytearray(), bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = y % 5
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]
            line.append((x - pred) & 0xFF)
        out += bytes([kind]) + line
        previous = row
    ihdr = struct.pack(">IIBBBBB", width, len(rows), 8, colour, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(out)))
        + png_chunk(b"IEND", b"")
    )


def _palette_png(palette: bytes, scanline: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 3, 0, 0, 0)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"PLTE", palette)
        + png_chunk(b"IDAT", zlib.compress(scanline))
        + png_chunk(b"IEND", b"")
    )


def _gradient(width: int, height: int, channels: int) -> list[bytes]:
    return [
        bytes(((x * 37 + y * 11 + c * 101) % 256) for x in range(width) for c in range(channels)) for y in range(height)
    ]


@pytest.mark.parametrize(("mode", "colour", "channels"), [("L", 0, 1), ("RGB", 2, 3), ("RGBA", 6, 4)])
def test_decode_undoes_every_png_filter_type(mode, colour, channels):
    rows = _gradient(13, 10, channels)
    raster = png.decode(_filtered_png(rows, 13, colour, channels))
    assert (raster.mode, raster.width, raster.height) == (mode, 13, 10)
    assert list(raster.rows) == rows


def test_encode_then_decode_round_trips_and_probe_agrees():
    rows = tuple(_gradient(21, 7, 3))
    data = png.encode(png.Raster(21, 7, "RGB", rows), text={"Comment": "test"})
    assert png.decode(data).rows == rows
    assert (probe(data).width, probe(data).height) == (21, 7)
    assert b"tEXtComment\x00test" in data


def test_decode_expands_a_palette_image():
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 3, 0, 0, 0)
    palette = bytes([255, 0, 0, 0, 0, 255])
    data = (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"PLTE", palette)
        + png_chunk(b"IDAT", zlib.compress(b"\x00\x01\x00"))
        + png_chunk(b"IEND", b"")
    )
    assert png.decode(data).rows == (bytes([0, 0, 255, 255, 0, 0]),)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a", "not a PNG"),
        (
            PNG_SIGNATURE
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 16, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(b"")),
            "unsupported",
        ),
        (
            PNG_SIGNATURE
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", b"not zlib"),
            "corrupt",
        ),
        (
            PNG_SIGNATURE
            + png_chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 0, 0, 0, 0))
            + png_chunk(b"IDAT", zlib.compress(b"\x00")),
            "truncated",
        ),
        (_palette_png(b"\x00\x00\x00\x00", b"\x00\x00"), "palette is missing or not whole"),
        (_palette_png(b"\x00\x00\x00", b"\x00\x05"), "palette index out of range"),
    ],
    ids=["not-png", "16-bit", "bad-zlib", "short-data", "partial-palette-entry", "index-past-palette"],
)
def test_decode_raises_invalid_image_for_what_it_cannot_read(data, message):
    with pytest.raises(InvalidImage, match=message):
        png.decode(data)


def test_verify_accepts_a_whole_png_and_refuses_one_whose_data_is_cut_short():
    whole = png.solid(64, 48, (5, 6, 7))
    assert png.verify(whole) is None
    ihdr = struct.pack(">IIBBBBB", 64, 48, 8, 2, 0, 0, 0)
    short = (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(bytes(100)))
        + png_chunk(b"IEND", b"")
    )
    with pytest.raises(InvalidImage, match="truncated"):
        png.verify(short)
