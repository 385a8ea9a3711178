"""Masks from the command line: rectangles (`--mask-rect`), a PNG file (`--mask`), or in
`imagegen interactive` any of those or words. Each becomes the project's mask (`imagegen.masks`):
a PNG of the source's size, pure black and white, white where the image should change."""

from __future__ import annotations

import argparse
import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagegen import masks, png
from imagegen.errors import InvalidImage
from imagegen.imageinfo import probe

from .context import Usage

Size = tuple[int, int]  # width, height
RECT_FORM = "LEFT,TOP,WIDTH,HEIGHT"
_NUMBER = r"\s*(\d+(?:\.\d+)?)(%?)\s*"
_RECT = re.compile(",".join([_NUMBER] * 4))
_RECTISH = re.compile(r"^[\d.%,;\s]+$")  # what an answer meant as rectangles is made of


@dataclass(frozen=True)
class Length:
    value: float
    percent: bool  # of the source's width (left, width) or height (top, height)

    def pixels(self, whole: int) -> int:
        return round(whole * self.value / 100) if self.percent else round(self.value)


@dataclass(frozen=True)
class Rect:
    left: Length
    top: Length
    width: Length
    height: Length
    text: str  # as given, for messages

    def box(self, size: Size) -> tuple[int, int, int, int]:
        """x0, y0, x1, y1 in the source's pixels."""
        x0, y0 = self.left.pixels(size[0]), self.top.pixels(size[1])
        return x0, y0, x0 + self.width.pixels(size[0]), y0 + self.height.pixels(size[1])


def parse_rect(text: str) -> Rect:
    """LEFT,TOP,WIDTH,HEIGHT, each in pixels or in % of the source (25%,25%,50%,50%: the middle)."""
    match = _RECT.fullmatch(text)
    lengths = [Length(float(match[i]), match[i + 1] == "%") for i in (1, 3, 5, 7)] if match else []
    fits = all(length.value <= 100 or not length.percent for length in lengths)
    if not match or not fits or lengths[2].value <= 0 or lengths[3].value <= 0:
        raise Usage(f"{text}: a rectangle is {RECT_FORM}, in pixels or % of the image (such as 25%,25%,50%,50%)")
    left, top, width, height = lengths
    return Rect(left, top, width, height, text.strip())


def rect_mask(rects: Sequence[Rect], size: Size, what: str = "the rectangle") -> bytes:
    """White inside the rectangles, black elsewhere; one that reaches past the image is refused."""
    width, height = size
    rows = [bytearray(width) for _ in range(height)]
    for rect in rects:
        x0, y0, x1, y1 = rect.box(size)
        edge = "right" if x1 > width else "bottom" if y1 > height else None
        if edge:
            raise Usage(f"{what} {rect.text} reaches past the {edge} edge of the {width}x{height} image")
        if x1 <= x0 or y1 <= y0:
            raise Usage(f"{what} {rect.text} is less than a pixel of the {width}x{height} image")
        for row in rows[y0:y1]:
            row[x0:x1] = b"\xff" * (x1 - x0)
    return png.encode(png.Raster(width, height, "L", tuple(bytes(row) for row in rows)))


def checked_mask(data: bytes, size: Size, what: str = "the mask") -> bytes:
    """A mask file, checked against the source's size and made pure black and white gray."""
    try:
        info = probe(data)
    except InvalidImage:
        raise Usage(f"{what} is not an image; a mask is a PNG, white where the image should change") from None
    if info.format != "png":
        raise Usage(f"{what} is a {info.format}; a mask must be a PNG (a JPEG's compression blurs black and white)")
    if (info.width, info.height) != size:
        raise Usage(
            f"{what} is {info.width}x{info.height}; a mask must be the source image's size, {size[0]}x{size[1]}"
        )
    try:
        return masks.black_and_white(data)
    except InvalidImage as exc:
        raise Usage(
            f"{what} must be pure black and white, white where the image should change ({exc.message})"
        ) from None


def answer_mask(text: str, size: Size, *, words: bool) -> tuple[str, Any]:
    """An answer to "which mask?": rectangles (several separated by ';'), a PNG file or, where
    the model takes them, words. ("mask_image", PNG bytes) or ("mask_prompt", the words)."""
    text = text.strip()
    if _RECTISH.match(text):
        return "mask_image", rect_mask([parse_rect(part) for part in text.split(";") if part.strip()], size)
    path = Path(text).expanduser()
    if path.is_file():
        return "mask_image", checked_mask(path.read_bytes(), size, str(path))
    if path.suffix.lower() in (".png", ".jpg", ".jpeg", ".webp") or "/" in text:
        raise Usage(f"no such file: {text}")
    if words:
        return "mask_prompt", text
    raise Usage(f"{text!r}: give a rectangle {RECT_FORM} (pixels or % of {size[0]}x{size[1]}) or a PNG file")


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--mask-rect",
        action="append",
        type=_rect_option,
        metavar=RECT_FORM,
        help="make the mask: white (change) inside this rectangle of the source, in pixels or each in %% of it "
        "(25%%,25%%,50%%,50%% is the middle); repeat it for more; instead of --mask",
    )


def fill_mask(body: dict[str, Any], args: argparse.Namespace, size_of: Callable[[], Size]) -> None:
    """The body's mask_image from --mask-rect, or --mask checked and made pure black and white;
    `size_of` gives the source's size, asked only if there is a mask."""
    rects, given = getattr(args, "mask_rect", None), body.get("mask_image")
    if rects and given:
        raise Usage("give one of --mask and --mask-rect")
    if rects:
        body["mask_image"] = _b64(rect_mask(rects, size_of(), "--mask-rect"))
    elif given:
        body["mask_image"] = _b64(checked_mask(base64.b64decode(given), size_of(), "--mask"))


def _rect_option(text: str) -> Rect:
    try:
        return parse_rect(text)
    except Usage as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
