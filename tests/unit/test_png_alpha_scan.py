"""png.has_transparency gives the same answer as Pillow's full decode on random and adversarial
filtered bytes, whatever the filter (its speed against Pillow's is bench/png_scan.py's)."""

import io
import random
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagegen import png, png_filters
from PIL import Image

from tests.imagefactory import filter_rows, filtered_rgba_png, opaque_alpha_bytes, png_chunk

FILTERS = {"none": 0, "sub": 1, "up": 2, "average": 3, "paeth": 4}


def _pillow_has_transparency(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    return image.getchannel("A").getextrema()[0] < 255


@pytest.mark.parametrize("kind", FILTERS.values(), ids=FILTERS.keys())
@pytest.mark.parametrize("alpha", [0, 254])
def test_one_transparent_pixel_in_a_large_source_is_found(kind, alpha):
    data = filtered_rgba_png(512, 384, kind, seed=kind, alpha_at=(511, 383, alpha))
    assert png.has_transparency(data) is _pillow_has_transparency(data) is True


def _png(width, height, depth, colour, raw, *, interlace=0):
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, interlace)
    return (
        png.PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    )


@st.composite
def _near_opaque_scanlines(draw, channels: int):
    """Filtered scanlines of 8-bit pixels with `channels` samples, the last alpha: random filter
    types per row, random colour bytes, and alpha bytes that are mostly what an opaque row's
    filter writes, with a few off by one or random: the bytes nearest to fooling a scan that
    does not decode every pixel."""
    width, height = draw(st.integers(1, 12)), draw(st.integers(1, 8))
    rng = random.Random(draw(st.integers(0, 2**32)))
    spoil = draw(st.sampled_from([0.0, 0.002, 0.05, 0.5]))
    raw = bytearray()
    for y in range(height):
        kind = draw(st.integers(0, 4))
        opaque = opaque_alpha_bytes(width, kind, first=y == 0)
        line = bytearray(rng.randbytes(width * channels))
        for x in range(width):
            value = opaque[x]
            if rng.random() < spoil:
                value = rng.choice([(value + 1) & 0xFF, (value - 1) & 0xFF, rng.randrange(256)])
            line[x * channels + channels - 1] = value
        raw += bytes([kind]) + line
    return width, height, bytes(raw)


@settings(max_examples=400, deadline=None)
@given(_near_opaque_scanlines(4))
def test_rgba_answers_as_pillows_full_decode_on_near_opaque_filtered_bytes(scanlines):
    width, height, raw = scanlines
    data = _png(width, height, 8, 6, raw)
    assert png.has_transparency(data) is _pillow_has_transparency(data)


@settings(max_examples=200, deadline=None)
@given(_near_opaque_scanlines(2))
def test_gray_with_alpha_answers_as_pillows_full_decode(scanlines):
    width, height, raw = scanlines
    data = _png(width, height, 8, 4, raw)
    assert png.has_transparency(data) is _pillow_has_transparency(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 20), st.integers(1, 20), st.integers(0, 2**32), st.sampled_from([0.0, 0.01, 0.2]))
def test_interlaced_rgba_answers_as_pillows_full_decode(width, height, seed, spoil):
    """Each Adam7 pass is filtered on its own, from a row of zeros above."""
    rng = random.Random(seed)
    pixels = [
        [bytes([*rng.randbytes(3), 255 if rng.random() >= spoil else rng.randrange(255)]) for _ in range(width)]
        for _ in range(height)
    ]
    raw = b""
    for x0, y0, dx, dy in png._ADAM7:
        rows = [b"".join(row[x0::dx]) for row in pixels[y0::dy]]
        if rows and rows[0]:
            raw += filter_rows(rows, 4, [rng.randrange(5) for _ in rows])
    data = _png(width, height, 8, 6, raw, interlace=1)
    assert png.has_transparency(data) is _pillow_has_transparency(data)


@settings(max_examples=200, deadline=None)
@given(_near_opaque_scanlines(8))
def test_sixteen_bit_rgba_answers_as_a_full_decode(scanlines):
    """Pillow reads 16-bit RGBA as 8-bit, so the reference is the full decode of every byte:
    the alpha sample's two bytes are the last two of each 8-byte pixel."""
    width, height, raw = scanlines
    data = _png(width, height, 16, 6, _as_sixteen_bit(raw, width, height))
    rows = png_filters.unfilter(png._parse(data).raw, width * 8, height, 8)
    expected = any(struct.unpack(">H", row[8 * x + 6 : 8 * x + 8])[0] < 0xFFFF for row in rows for x in range(width))
    assert png.has_transparency(data) is expected


def _as_sixteen_bit(raw: bytes, width: int, height: int) -> bytes:
    """The drawn 8-channel scanlines with the seventh byte of each pixel set as the eighth is,
    so that both alpha bytes follow the near-opaque pattern."""
    line = 1 + width * 8
    out = bytearray(raw)
    for y in range(height):
        for x in range(width):
            out[y * line + 1 + 8 * x + 6] = out[y * line + 1 + 8 * x + 7]
    return bytes(out)


def _pillow_has_transparent_pixel(data: bytes) -> bool:
    """Pillow's reading of tRNS: the image converted to RGBA, its lowest alpha."""
    return Image.open(io.BytesIO(data)).convert("RGBA").getextrema()[3][0] < 255


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 24), st.integers(1, 6), st.integers(0, 2**32), st.sampled_from([0.0, 0.01, 0.3]))
def test_a_palette_source_answers_as_pillow(width, height, seed, clear_share):
    """Indices 0 to 3, index 3 made transparent by tRNS, each row with its own filter."""
    rng = random.Random(seed)
    rows = [bytes(3 if rng.random() < clear_share else rng.randrange(3) for _ in range(width)) for _ in range(height)]
    raw = filter_rows(rows, 1, [rng.randrange(5) for _ in rows])
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, 0)
    data = (
        png.PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"PLTE", bytes(range(12)))
        + png_chunk(b"tRNS", b"\xff\xff\xff\x00")
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )
    assert png.has_transparency(data) is _pillow_has_transparent_pixel(data)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 24), st.integers(1, 6), st.integers(0, 2**32), st.sampled_from([0.0, 0.02, 0.3]))
def test_an_rgb_source_with_a_colour_key_answers_as_pillow(width, height, seed, key_share):
    """Pixels of three colours, one of them the key; the others share bytes with it, shifted, so
    that the key's bytes also appear across pixel boundaries."""
    rng = random.Random(seed)
    key, others = bytes([7, 9, 7]), [bytes([9, 7, 9]), bytes([7, 7, 9])]
    rows = [
        b"".join(key if rng.random() < key_share else rng.choice(others) for _ in range(width)) for _ in range(height)
    ]
    raw = filter_rows(rows, 3, [rng.randrange(5) for _ in rows])
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = (
        png.PNG_SIGNATURE
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"tRNS", struct.pack(">3H", *key))
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )
    assert png.has_transparency(data) is _pillow_has_transparent_pixel(data)
