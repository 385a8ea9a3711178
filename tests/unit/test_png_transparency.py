"""png.has_transparency: every way a PNG can make a pixel less than opaque, at every bit depth,
filter and interlacing, and the alpha channel that is present but opaque everywhere."""

import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagegen import png
from imagegen.errors import InvalidImage
from imagegen.imageinfo import PNG_SIGNATURE

from tests.imagefactory import paeth, png_chunk, png_header, png_image, rgba_png

ADAM7 = ((0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2))


def _filter(rows: list[bytes], bpp: int, kinds: list[int]) -> bytes:
    out, previous = bytearray(), bytes(len(rows[0]))
    for row, kind in zip(rows, kinds, strict=True):
        line = bytearray()
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            line.append((x - [0, a, b, (a + b) >> 1, paeth(a, b, c)][kind]) & 0xFF)
        out += bytes([kind]) + line
        previous = row
    return bytes(out)


def _png(width, height, depth, colour, scanlines, *, interlace=0, extra=b""):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (
        PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + extra
        + png_chunk(b"IDAT", zlib.compress(scanlines))
        + png_chunk(b"IEND", b"")
    )


def _rgba_rows(alphas: list[list[int]]) -> list[bytes]:
    return [
        b"".join(bytes([(x * 29) % 256, (y * 53) % 256, (x + y) % 256, a]) for x, a in enumerate(row))
        for y, row in enumerate(alphas)
    ]


# --- no alpha, or alpha that marks nothing ------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [png_image(8, 8), png_header(4000, 3000), rgba_png(16, 9)],
    ids=["rgb", "rgb-header-only", "rgba-all-opaque"],
)
def test_a_png_without_transparent_pixels_has_none(data):
    assert png.has_transparency(data) is False


@pytest.mark.parametrize("alpha", [0, 1, 128, 254])
def test_one_transparent_or_semi_transparent_pixel_is_found(alpha):
    assert png.has_transparency(rgba_png(16, 9, alpha_at={(15, 8): alpha})) is True


# --- every filter type, on the alpha bytes alone ------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 9).flatmap(
        lambda width: st.lists(
            st.lists(st.sampled_from([255, 255, 255, 254, 0, 7]), min_size=width, max_size=width),
            min_size=1,
            max_size=6,
        )
    ),
    st.data(),
)
def test_transparency_is_read_through_every_filter(alphas, data):
    kinds = data.draw(st.lists(st.integers(0, 4), min_size=len(alphas), max_size=len(alphas)))
    encoded = _png(len(alphas[0]), len(alphas), 8, 6, _filter(_rgba_rows(alphas), 4, kinds))
    assert png.has_transparency(encoded) is any(a < 255 for row in alphas for a in row)


@pytest.mark.parametrize(("alpha", "expected"), [(0xFFFF, False), (0xFFFE, True), (0x00FF, True)])
def test_sixteen_bit_alpha_is_opaque_only_at_its_maximum(alpha, expected):
    pixel = struct.pack(">4H", 1000, 2000, 3000, 0xFFFF)
    last = struct.pack(">4H", 1000, 2000, 3000, alpha)
    rows = [pixel * 3, pixel * 2 + last]
    assert png.has_transparency(_png(3, 2, 16, 6, _filter(rows, 8, [4, 1]))) is expected


@pytest.mark.parametrize(("alpha", "expected"), [(255, False), (200, True)])
def test_gray_with_alpha_is_read(alpha, expected):
    rows = [bytes([10, 255, 20, alpha])]
    assert png.has_transparency(_png(2, 1, 8, 4, _filter(rows, 2, [3]))) is expected


# --- tRNS: palette entries and colour keys ------------------------------------------------------


def _palette_png(indices: list[list[int]], depth: int, trns: bytes) -> bytes:
    palette = bytes([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255])
    rows = []
    for row in indices:
        bits = "".join(format(i, f"0{depth}b") for i in row)
        bits += "0" * (-len(bits) % 8)  # padding bits: zero, which is index 0
        rows.append(int(bits, 2).to_bytes(len(bits) // 8, "big"))
    extra = png_chunk(b"PLTE", palette) + png_chunk(b"tRNS", trns)
    return _png(len(indices[0]), len(indices), depth, 3, _filter(rows, 1, [2] * len(rows)), extra=extra)


@pytest.mark.parametrize("depth", [2, 4, 8])
@pytest.mark.parametrize(
    ("indices", "trns", "expected"),
    [
        ([[1, 2, 3], [3, 2, 1]], b"\x00", False),  # index 0 is transparent but unused (padding bits aside)
        ([[1, 2, 3], [3, 0, 1]], b"\x00", True),
        ([[1, 2, 3], [3, 2, 1]], b"\xff\xff\x80", True),
        ([[1, 2, 3], [3, 2, 1]], b"\xff\xff\xff\xff", False),
    ],
    ids=["unused-clear-entry", "used-clear-entry", "semi-transparent-entry", "all-entries-opaque"],
)
def test_palette_transparency_counts_only_entries_that_pixels_use(depth, indices, trns, expected):
    assert png.has_transparency(_palette_png(indices, depth, trns)) is expected


@pytest.mark.parametrize(
    ("colour", "depth", "rows", "key", "expected"),
    [
        (2, 8, [bytes([1, 2, 3, 4, 5, 6])], struct.pack(">3H", 4, 5, 6), True),
        (2, 8, [bytes([1, 2, 3, 4, 5, 6])], struct.pack(">3H", 2, 3, 4), False),  # not on a pixel boundary
        (0, 8, [bytes([9, 10, 11])], struct.pack(">H", 10), True),
        (0, 8, [bytes([9, 10, 11])], struct.pack(">H", 12), False),
        (0, 16, [struct.pack(">2H", 300, 301)], struct.pack(">H", 301), True),
        (0, 1, [bytes([0b10100000])], struct.pack(">H", 1), True),
        (0, 1, [bytes([0b11100000])], struct.pack(">H", 0), False),  # three pixels; the zero bits are padding
    ],
)
def test_a_colour_key_makes_exactly_its_colour_transparent(colour, depth, rows, key, expected):
    width = {(2, 8): 2, (0, 8): 3, (0, 16): 2, (0, 1): 3}[(colour, depth)]
    channels = 3 if colour == 2 else 1
    bpp = max(1, channels * depth // 8)
    data = _png(width, 1, depth, colour, _filter(rows, bpp, [1]), extra=png_chunk(b"tRNS", key))
    assert png.has_transparency(data) is expected


# --- interlacing ----------------------------------------------------------------------------------


def _interlaced_rgba(width: int, height: int, clear: tuple[int, int] | None) -> bytes:
    out = b""
    for x0, y0, dx, dy in ADAM7:
        rows = [
            b"".join(bytes([50, 60, 70, 0 if (x, y) == clear else 255]) for x in range(x0, width, dx))
            for y in range(y0, height, dy)
        ]
        rows = [r for r in rows if r]
        if rows:
            out += _filter(rows, 4, [4] * len(rows))
    return _png(width, height, 8, 6, out, interlace=1)


@pytest.mark.parametrize("clear", [(0, 0), (4, 0), (0, 4), (2, 0), (2, 2), (1, 0), (3, 5)], ids=lambda c: f"{c}")
def test_interlaced_images_are_read_in_every_pass(clear):  # one pixel from each of the seven passes
    assert png.has_transparency(_interlaced_rgba(7, 6, clear)) is True


def test_an_opaque_interlaced_image_has_no_transparency():
    assert png.has_transparency(_interlaced_rgba(7, 6, None)) is False


def test_a_truncated_image_is_an_invalid_image_not_a_guess():
    data = _png(4, 4, 8, 6, b"\x00" + b"\xff" * 16)
    with pytest.raises(InvalidImage, match="truncated"):
        png.has_transparency(data)


def _png_with_idat(width: int, height: int, colour: int, raw: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (
        PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")
    )


def test_image_data_beyond_what_the_header_holds_is_refused_before_it_is_inflated():
    # 64x64 RGBA needs 64 * (1 + 256) bytes; this stream would inflate to 50 MB from 50 KB
    bomb = _png_with_idat(64, 64, 6, bytes(50 * 1024 * 1024))
    assert len(bomb) < 100_000
    with pytest.raises(InvalidImage, match="more image data than 64x64 pixels hold"):
        png.has_transparency(bomb)
    with pytest.raises(InvalidImage, match="more image data"):
        png.decode(bomb)


def test_exactly_the_data_the_header_holds_is_read():
    opaque = _png_with_idat(64, 64, 6, (b"\x00" + b"\x10\x20\x30\xff" * 64) * 64)
    assert png.has_transparency(opaque) is False


def test_a_header_too_large_to_inspect_is_refused_without_inflating():
    huge = _png_with_idat(20_000, 20_000, 6, b"\x00")
    with pytest.raises(InvalidImage, match="20000x20000 is too large to inspect"):
        png.has_transparency(huge)


@pytest.mark.parametrize(
    ("colour", "trns", "stride"),
    [(3, b"\x00", 4), (2, b"\x00\x01\x00\x02\x00\x03", 12), (0, b"\x00\x07", 4)],
    ids=["palette", "rgb-key", "gray-key"],
)
def test_a_truncated_or_overlong_image_with_a_transparency_chunk_is_an_invalid_image(colour, trns, stride):
    extra = (png_chunk(b"PLTE", bytes(12)) if colour == 3 else b"") + png_chunk(b"tRNS", trns)
    truncated = _png(4, 4, 8, colour, b"\x00" + b"\x01" * stride, extra=extra)
    with pytest.raises(InvalidImage):
        png.has_transparency(truncated)
    bomb = _png(64, 64, 8, colour, bytes(20 * 1024 * 1024), extra=extra)
    with pytest.raises(InvalidImage):
        png.has_transparency(bomb)
