import pytest
from imagegen import masks, png
from imagegen.errors import InvalidImage

from tests.imagefactory import mask_png


def test_mask_is_kept_as_pure_black_and_white_grayscale():
    out = png.decode(masks.black_and_white(mask_png(4, 2, white_box=(0, 0, 2, 1), mode="RGB")))
    assert out.mode == "L"
    assert out.rows == (b"\xff\xff\x00\x00", b"\x00\x00\x00\x00")


def test_inverted_mask_swaps_black_and_white():
    out = png.decode(masks.black_and_white(mask_png(4, 2, white_box=(0, 0, 2, 1)), invert=True))
    assert out.rows == (b"\x00\x00\xff\xff", b"\xff\xff\xff\xff")


def test_gray_pixels_are_rejected_with_the_row():
    raster = png.Raster(3, 2, "L", (b"\x00\xff\x00", b"\x00\x80\xff"))
    with pytest.raises(InvalidImage, match="row 1"):
        masks.black_and_white(png.encode(raster))


def test_coloured_pixels_are_rejected():
    raster = png.Raster(1, 1, "RGB", (b"\xff\x00\x00",))
    with pytest.raises(InvalidImage, match="pure black and white"):
        masks.black_and_white(png.encode(raster))
