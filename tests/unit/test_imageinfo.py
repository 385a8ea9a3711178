import pytest
from imagegen.errors import InvalidImage
from imagegen.imageinfo import probe

from tests.imagefactory import gif_header, jpeg_header, png_header, png_image, webp_vp8, webp_vp8l, webp_vp8x


@pytest.mark.parametrize(
    ("data", "fmt", "size"),
    [
        (png_image(40, 30), "png", (40, 30)),
        (png_header(1408, 768), "png", (1408, 768)),
        (jpeg_header(1024, 576), "jpeg", (1024, 576)),
        (gif_header(320, 200), "gif", (320, 200)),
        (webp_vp8x(4000, 3000), "webp", (4000, 3000)),
        (webp_vp8l(300, 150), "webp", (300, 150)),
        (webp_vp8(640, 480), "webp", (640, 480)),
    ],
)
def test_probe_reads_format_and_size_from_the_bytes(data, fmt, size):
    info = probe(data)
    assert (info.format, (info.width, info.height)) == (fmt, size)
    assert info.media_type == f"image/{fmt}"


def test_probe_skips_jpeg_segments_before_the_frame_header():
    data = jpeg_header(800, 600)
    exif = b"\xff\xe1\x00\x08Exif\x00\x00"
    assert probe(data[:2] + exif + data[2:]).width == 800


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"hello world",
        b"%PDF-1.7",
        png_header(10, 10)[:20],
        jpeg_header(10, 10)[:12],
        b"RIFF\x00\x00\x00\x00WEBPXXXX",
    ],
    ids=["empty", "text", "pdf", "truncated-png", "jpeg-without-frame", "unknown-webp-chunk"],
)
def test_probe_raises_invalid_image_for_anything_else(data):
    with pytest.raises(InvalidImage):
        probe(data)


def test_probe_rejects_an_empty_declared_size():
    with pytest.raises(InvalidImage, match="empty image"):
        probe(png_header(0, 10))


@pytest.mark.parametrize("value", [None, 42, "image.png"])
def test_probe_refuses_what_is_not_bytes(value):
    with pytest.raises(InvalidImage, match="expected image bytes"):
        probe(value)


def test_probe_reports_an_alpha_channel():
    from imagegen import png

    rgba = png.encode(png.Raster(1, 1, "RGBA", (b"\x00\x00\x00\x00",)))
    assert probe(rgba).alpha is True
    assert probe(png_image(4, 4)).alpha is False
    assert probe(png_header(4, 4) + b"\x00\x00\x00\x00tRNS\x00\x00\x00\x00").alpha is True  # a transparent colour
    assert probe(jpeg_header(4, 4)).alpha is False
    vp8x = bytearray(webp_vp8x(10, 10))
    assert probe(bytes(vp8x)).alpha is False
    vp8x[20] |= 0x10  # the VP8X alpha flag
    assert probe(bytes(vp8x)).alpha is True
