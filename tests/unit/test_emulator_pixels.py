"""The emulator's fast paths give what the plain ones give: its PNG writer the pixels of
imagegen.png.encode (read by imagegen.png and by Pillow), its scale the nearest-neighbour
mapping x * width // new_width, and its kept sources the answers of imagegen.png."""

import io
import random
import zlib

import pytest
from imagegen import png
from imagegen.errors import InvalidImage
from PIL import Image

from imagegen_local.emulator import pixels, pngwrite, sources
from tests.imagefactory import rgba_png


def runs_of_rows(width, height, bpp, seed):
    """Rows in runs of equal ones (one to four long), some runs flat, some noise."""
    rng = random.Random(seed)
    rows = []
    while len(rows) < height:
        row = rng.randbytes(width * bpp) if rng.random() < 0.5 else rng.randbytes(bpp) * width
        rows += [bytearray(row)] * rng.randint(1, 4)
    return rows[:height]


@pytest.mark.parametrize(
    ("width", "height", "mode"), [(1, 1, "RGB"), (37, 50, "RGB"), (64, 9, "RGBA"), (300, 200, "RGB")]
)
def test_the_writer_gives_the_pixels_png_encode_gives(width, height, mode):
    bpp = 4 if mode == "RGBA" else 3
    rows = runs_of_rows(width, height, bpp, seed=width)
    written = pngwrite.encode(width, height, mode, rows, {"Comment": "EMULATED"})
    plain = png.encode(png.Raster(width, height, mode, tuple(bytes(r) for r in rows)))
    assert png.decode(written) == png.decode(plain)
    image = Image.open(io.BytesIO(written))
    assert (image.mode, image.size, image.tobytes()) == (mode, (width, height), b"".join(rows))
    assert image.text["Comment"] == "EMULATED"


def test_the_writer_s_stream_carries_the_checksum_of_every_row():
    rows = [bytearray(b"\x01\x02\x03" * 40)] * 30 + [bytearray(b"\x09" * 120)] * 3
    data = pngwrite.encode(40, 33, "RGB", rows, {})
    idat = data[data.index(b"IDAT") + 4 : data.index(b"IEND") - 8]
    assert zlib.decompress(idat) == b"".join(
        (b"\x00" + r if i in (0, 30) else b"\x02" + bytes(120)) for i, r in enumerate(rows)
    )  # zlib.decompress checks the Adler-32 at the end


def test_the_writer_refuses_rows_of_the_wrong_size():
    with pytest.raises(ValueError, match="rows do not match"):
        pngwrite.encode(4, 2, "RGB", [bytearray(12), bytearray(9)], {})


@pytest.mark.parametrize(
    ("size", "new_size", "bpp"), [((7, 5), (13, 11), 3), ((10, 10), (3, 4), 4), ((6, 3), (18, 9), 1)]
)
def test_the_scale_maps_each_output_pixel_to_x_times_width_over_new_width(size, new_size, bpp):
    (width, height), (new_width, new_height) = size, new_size
    rows = [bytes(random.Random(y).randbytes(width * bpp)) for y in range(height)]
    scaled = pixels.scale(rows, width, height, new_width, new_height, bpp)
    for y in range(new_height):
        for x in range(new_width):
            sx, sy = x * width // new_width, y * height // new_height
            assert scaled[y][x * bpp : (x + 1) * bpp] == rows[sy][sx * bpp : (sx + 1) * bpp]


def test_a_kept_source_answers_as_imagegen_png_does():
    sources.forget()
    clear = rgba_png(40, 30, alpha_at={(3, 4): 0})
    opaque = rgba_png(40, 30)
    flat = png.solid(50, 40, (1, 2, 3))
    for data in (clear, opaque, flat):
        sources.verify(data)
        assert sources.decode(data) == png.decode(data)
        assert sources.has_transparency(data) is png.has_transparency(data)
    damaged = flat[: len(flat) // 2] + flat[-12:]  # the image data cut short, IEND kept
    for check in (png.verify, sources.verify, sources.verify):  # the second time from what was kept
        with pytest.raises(InvalidImage):
            check(damaged)
