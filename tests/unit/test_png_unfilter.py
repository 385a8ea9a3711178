"""png.decode reverses every PNG filter as Pillow does, on arbitrary filtered bytes (every
byte string is the filtered form of some image), for each pixel size it reads."""

import io
import random
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imagegen import png
from PIL import Image

from tests.imagefactory import png_chunk

# colour type -> (channels, the mode Pillow and png.decode give)
COLOURS = {0: (1, "L"), 2: (3, "RGB"), 6: (4, "RGBA")}


def _png(width: int, height: int, colour: int, raw: bytes) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return (
        png.PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw)) + png_chunk(b"IEND", b"")
    )


def _scanlines(rng: random.Random, width: int, height: int, channels: int, kinds: list[int]) -> bytes:
    return b"".join(bytes([kind]) + rng.randbytes(width * channels) for kind in kinds)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(COLOURS)),
    st.integers(1, 40),
    st.integers(1, 6),
    st.integers(0, 2**32),
    st.data(),
)
def test_decoded_pixels_are_pillows_for_every_filter(colour, width, height, seed, data):
    kinds = data.draw(st.lists(st.integers(0, 4), min_size=height, max_size=height))
    channels, mode = COLOURS[colour]
    encoded = _png(width, height, colour, _scanlines(random.Random(seed), width, height, channels, kinds))
    raster = png.decode(encoded)
    expected = Image.open(io.BytesIO(encoded))
    assert (raster.mode, raster.width, raster.height) == (mode, width, height)
    assert b"".join(raster.rows) == expected.tobytes()


@pytest.mark.parametrize("kind", range(5), ids=["none", "sub", "up", "average", "paeth"])
def test_a_wide_image_of_one_filter_decodes_as_pillows(kind):
    """Rows long enough for the whole-row arithmetic to carry across many bytes."""
    rng = random.Random(kind)
    width, height = 1031, 5
    encoded = _png(width, height, 6, _scanlines(rng, width, height, 4, [kind] * height))
    assert b"".join(png.decode(encoded).rows) == Image.open(io.BytesIO(encoded)).tobytes()
