"""The shrinker: a copy within a side and a byte budget, in the image's format, its aspect kept."""

import io
import random

import pytest
from imagegen.downscale import shrink
from imagegen.errors import ImageTooLarge
from imagegen.imageinfo import probe
from PIL import Image


def encoded(picture: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)
    return out.getvalue()


def noise(width: int, height: int, mode: str = "RGB") -> Image.Image:
    channels = len(mode)
    return Image.frombytes(mode, (width, height), random.Random(3).randbytes(width * height * channels))


def fits(data: bytes, max_bytes: int, max_side: int) -> bool:
    info = probe(data)
    return len(data) <= max_bytes and max(info.width, info.height) <= max_side


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP"])
def test_a_too_wide_image_is_narrowed_to_the_side_limit_in_its_format_with_its_aspect(fmt):
    picture = Image.new("RGB", (3000, 100), (200, 30, 30))
    smaller = shrink(encoded(picture, fmt), 10_000_000, 1000)
    info = probe(smaller)
    assert info.format == fmt.lower()
    assert (info.width, info.height) == (1000, 33)


def test_a_too_tall_image_is_shortened_by_its_longest_side():
    smaller = shrink(encoded(Image.new("L", (80, 4000), 128), "PNG"), 10_000_000, 2000)
    assert (probe(smaller).width, probe(smaller).height) == (40, 2000)


def test_a_png_over_the_byte_budget_is_made_smaller_until_it_fits():
    original = encoded(noise(800, 600), "PNG")
    budget = len(original) // 4
    smaller = shrink(original, budget, 8000)
    info = probe(smaller)
    assert info.format == "png" and fits(smaller, budget, 8000)
    assert abs(info.width / info.height - 800 / 600) < 0.01


def test_a_jpeg_over_the_byte_budget_first_loses_quality_and_keeps_its_size():
    original = encoded(noise(600, 400), "JPEG", quality=100)
    budget = len(original) * 2 // 3  # quality 90 alone saves about half on noise
    smaller = shrink(original, budget, 8000)
    info = probe(smaller)
    assert (info.format, info.width, info.height) == ("jpeg", 600, 400)
    assert len(smaller) <= budget


def test_a_jpeg_that_no_quality_brings_under_the_budget_gets_smaller_sides():
    original = encoded(noise(600, 400), "JPEG", quality=100)
    budget = len(original) // 10
    smaller = shrink(original, budget, 8000)
    info = probe(smaller)
    assert info.format == "jpeg" and fits(smaller, budget, 8000) and info.width < 600
    assert abs(info.width / info.height - 1.5) < 0.01


def test_a_transparent_png_keeps_its_alpha():
    picture = Image.new("RGBA", (2000, 500), (10, 20, 30, 0))
    smaller = shrink(encoded(picture, "PNG"), 10_000_000, 1000)
    assert Image.open(io.BytesIO(smaller)).mode == "RGBA"


def test_an_image_that_cannot_fit_even_tiny_is_too_large():
    with pytest.raises(ImageTooLarge):
        shrink(encoded(noise(300, 300), "PNG"), 100, 8000)


def test_bytes_that_are_no_image_are_refused_as_too_large_to_reduce():
    with pytest.raises(ImageTooLarge, match="could not be read"):
        shrink(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, 1000, 100)
