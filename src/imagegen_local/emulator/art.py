"""Emulated images: real PNGs (or JPEGs) of the size the model would answer, deterministic (the
same request gives the same bytes), that show what happened.

Every image is plainly marked EMULATED, in its pixels and in its metadata, and carries a caption:
the prompt's first words, the model and the mode. A generation is a gradient chosen by the
prompt and seed with EMULATED across the middle. An edit is derived from its source, so a
before/after pair shows where the edit landed: inpainting tints the area to change, erasing
flattens it, outpainting with margins places the source inside the larger canvas, upscaling
scales the source, background removal keeps a centre subject. An edit's own text keeps to a
strip at the top (at most an eighth of the height) and a caption at the bottom (at most a
quarter, from 320 px), so the middle half of its rows shows the edit. A source that cannot be
decoded here (JPEG, WebP, a 16-bit or interlaced PNG) gets a fresh render that says so.

Masks, as each model reads them (the docs' reading, not the builders'): Titan and Nova Canvas
mask the black pixels of maskImage, inpainting changes the masked area and outpainting keeps it;
Stability changes the white pixels of its mask, or else the source's transparent pixels. A mask
prompt stands for the centre of the image (a quarter of each side in from the edges), labelled
with the prompt's words.
"""

from __future__ import annotations

import colorsys
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from imagegen import imageinfo, png
from imagegen.errors import InvalidImage
from imagegen.imageinfo import PNG_SIGNATURE

from . import font, jpeg, pixels, pngwrite, sources

STAMP = "EMULATED"
INK, PAPER = b"\x20\x20\x20", b"\xff\xff\xff"
MODES = {
    "generate": "GENERATE",
    "conditioned": "GENERATE",
    "color-guided": "COLOR-GUIDED",
    "image-to-image": "IMAGE-TO-IMAGE",
    "variation": "VARIATION",
    "inpaint": "INPAINT",
    "outpaint": "OUTPAINT",
    "erase": "ERASE",
    "search-replace": "SEARCH-REPLACE",
    "recolor": "RECOLOR",
    "remove-background": "REMOVE BACKGROUND",
    "upscale": "UPSCALE",
    "control-sketch": "CONTROL-SKETCH",
    "control-structure": "CONTROL-STRUCTURE",
    "style-guide": "STYLE-GUIDE",
    "style-transfer": "STYLE-TRANSFER",
}
# whole-image edits: every pixel moves towards the tint, by the edit's strength
WHOLE = (
    "variation",
    "image-to-image",
    "conditioned",
    "control-sketch",
    "control-structure",
    "style-guide",
    "style-transfer",
)
# how far towards the tint colour an edit moves the pixels it changes
TINT = {"inpaint": 0.5, "outpaint": 0.5, "search-replace": 0.6, "recolor": 0.6, "conditioned": 0.6}
NAMED_COLOURS = {
    "red": (220, 30, 30),
    "orange": (240, 140, 20),
    "yellow": (240, 220, 30),
    "gold": (212, 175, 55),
    "green": (30, 170, 60),
    "cyan": (30, 200, 220),
    "blue": (30, 70, 220),
    "purple": (130, 40, 180),
    "violet": (150, 80, 220),
    "magenta": (220, 30, 200),
    "pink": (240, 130, 180),
    "brown": (130, 80, 40),
    "black": (15, 15, 15),
    "white": (245, 245, 245),
    "gray": (128, 128, 128),
    "grey": (128, 128, 128),
    "silver": (192, 192, 192),
}
MAX_NOTES = 1  # lines beyond prompt, model and mode; the caption stays within a quarter of the height


@dataclass(frozen=True)
class Edit:
    """What a request asks of its source image, as rules.py reads it from the body; the default
    is a plain generation.

    mode: one of MODES. mask: the mask image's bytes, whose `mask_colour` pixels are the masked
    area; `masked_changes` says whether that area changes (inpainting) or is kept (Titan and
    Canvas outpainting). margins: (left, up, right, down) pixels added around the source.
    strength: how far from the source a whole-image edit moves (0-1). detail: words for the
    mode line (a style, a control mode, an outpainting mode)."""

    mode: str = "generate"
    source: bytes | None = None
    mask: bytes | None = None
    mask_colour: str = "white"
    masked_changes: bool = True
    mask_prompt: str = ""
    margins: tuple[int, int, int, int] = (0, 0, 0, 0)
    strength: float | None = None
    colors: tuple[str, ...] = ()
    detail: str = ""
    reference: bytes | None = None  # style transfer's style image: its mean colour is the tint


@dataclass(frozen=True)
class Layout:
    """Where the text goes. The stamp band: rows from stamp_top, 9 * stamp_cell high, EMULATED
    centred in it. The caption band: from caption_top to the bottom, a rule, then `lines` lines of
    text in `cell`-pixel dots, left-aligned one cell in."""

    width: int
    height: int
    stamp_top: int
    stamp_cell: int
    caption_top: int
    cell: int
    lines: int

    @property
    def stamp_left(self) -> int:
        return (self.width - (len(STAMP) * font.ADVANCE - 1) * self.stamp_cell) // 2

    @property
    def chars(self) -> int:
        """Characters a caption line holds."""
        return font.fits(self.width - self.cell, self.cell)

    def line_top(self, index: int) -> int:
        return self.caption_top + 2 * self.cell + index * font.PITCH * self.cell


def layout(width: int, height: int, *, derived: bool, lines: int) -> Layout:
    """A generation's stamp goes across the middle; an edit's in a strip at the top, so the middle
    shows the edit. The caption takes as many of `lines` as fit below the stamp."""
    if derived:
        stamp_cell, stamp_top = max(1, min(width // 51, height // 80)), 0
    else:
        stamp_cell = max(1, min(width // 51, height // 12))
        stamp_top = (height - font.PITCH * stamp_cell) // 2
    cell = max(1, min(width, height) // 160)
    below = height - max(0, stamp_top + font.PITCH * stamp_cell)
    fit = max(0, (below - 2 * cell) // (font.PITCH * cell))
    count = min(lines, fit)
    caption_top = height - 2 * cell - font.PITCH * cell * count if count else height
    return Layout(width, height, stamp_top, stamp_cell, caption_top, cell, count)


def render(
    width: int, height: int, *, prompt: str, seed: int, model: str, fmt: str = "png", edit: Edit | None = None
) -> bytes:
    """The image for one answer: PNG or JPEG bytes of width x height."""
    edit = edit or Edit()
    notes: list[str] = []
    tint = _tint_colour(model, seed, prompt, edit)
    picture: tuple[pixels.Rows, int, tuple[int, int, int, int] | None] | None = None
    if edit.source is not None:
        try:
            picture = _derive(edit, width, height, tint, fmt, notes)
        except _Unreadable as exc:
            notes.append(f"{exc} SOURCE NOT DECODED")
    if picture is None:
        top, bottom = _gradient_colours(model, seed, prompt, edit)
        rows, bpp, box = pixels.gradient(width, height, top, bottom), 3, None
    else:
        rows, bpp, box = picture
    mode = _mode_line(edit, width, height)
    lines = caption(prompt, model, mode, notes[:MAX_NOTES])
    where = layout(width, height, derived=picture is not None, lines=len(lines))
    drawn = caption(prompt, model, mode, notes[:MAX_NOTES], chars=where.chars)
    _write(rows, bpp, where, drawn)
    if box is not None and edit.mask_prompt:
        _label(rows, bpp, box, edit.mask_prompt, where.cell)
    comment = f"EMULATED image: {model}, seed {seed}"
    if fmt == "jpeg":
        return jpeg.encode(width, height, rows, comment)
    text = {"Software": "imagegen Bedrock emulator", "Comment": comment, "Description": " | ".join([STAMP, *lines])}
    return pngwrite.encode(width, height, "RGBA" if bpp == 4 else "RGB", rows, text)


def caption(prompt: str, model: str, mode: str, notes: Sequence[str] = (), *, chars: int = 60) -> list[str]:
    """The caption's lines, normalised to the font and at most `chars` long: the prompt's first
    words (whole words where they fit), the model without its vendor (and without Stability's
    "stable-image-" when that does not fit), the mode, and any notes (e.g. that the source could
    not be decoded)."""
    first = ""
    for word in font.normalise(prompt).split(" "):
        joined = f"{first} {word}".strip()
        if len(joined) > chars:
            first = first or word[:chars]
            break
        first = joined
    short = font.normalise(model.split(".", 1)[1] if "." in model else model)
    for product in ("STABLE-IMAGE-", "STABLE-"):
        if len(short) > chars and short.startswith(product):
            short = short[len(product) :]
    lines = [first or "(NO PROMPT)", short, font.normalise(mode), *(font.normalise(n) for n in notes)]
    return [line[:chars] for line in lines]


def read_text(data: bytes) -> list[str]:
    """What an emulated PNG says, read from its pixels: [stamp, *caption lines]. For tests and for
    anyone checking a picture: the stamp is looked for across the middle, then at the top."""
    raster = png.decode(data)
    rows, bpp, width, height = raster.rows, raster.channels, raster.width, raster.height
    stamp = ""
    for derived in (False, True):
        where = layout(width, height, derived=derived, lines=0)
        s = where.stamp_cell
        stamp = font.read(rows, where.stamp_left, where.stamp_top + s, s, len(STAMP), bpp=bpp)
        if stamp == STAMP:
            break
    cell = max(1, min(width, height) // 160)
    ink, paper = _ink_paper(bpp)
    rule, blank = ink * width, paper * width
    for count in range(1, (height - 2 * cell) // (font.PITCH * cell) + 1):
        top = height - 2 * cell - font.PITCH * cell * count
        if all(rows[y] == rule for y in range(top, top + cell)) and rows[top + cell] == blank:
            where = Layout(width, height, 0, 1, top, cell, count)
            return [
                stamp,
                *(font.read(rows, cell, where.line_top(i), cell, where.chars, bpp=bpp) for i in range(count)),
            ]
    return [stamp]


# --- deriving an edit from its source ---------------------------------------------------------------


class _Unreadable(Exception):
    """The source or mask is not something this emulator decodes; the message names its format."""


def _decode(data: bytes) -> png.Raster:
    if not data.startswith(PNG_SIGNATURE):
        kind = "JPEG" if data[:3] == b"\xff\xd8\xff" else "WEBP" if data[8:12] == b"WEBP" else "UNKNOWN"
        raise _Unreadable(kind)
    try:
        return sources.decode(data)  # the same raster the request's checks decoded
    except InvalidImage:
        raise _Unreadable("PNG (16-BIT, INTERLACED OR DAMAGED)") from None


def _derive(
    edit: Edit, width: int, height: int, tint: bytes, fmt: str, notes: list[str]
) -> tuple[pixels.Rows, int, tuple[int, int, int, int] | None]:
    """(rows, bytes a pixel, the centre box a mask prompt stands for) of the edited source."""
    assert edit.source is not None
    source = _decode(edit.source)
    sw, sh = source.width, source.height
    mode = edit.mode
    if mode == "outpaint" and any(edit.margins):
        left, up, _, _ = edit.margins
        rows = pixels.gradient(width, height, *_margin_colours(tint))
        for y, row in enumerate(pixels.rgb_rows(source)):
            if 0 <= up + y < height and left < width:
                piece = row[: max(0, width - left) * 3]
                rows[up + y][left * 3 : left * 3 + len(piece)] = piece
        return rows, 3, None
    rows = pixels.rgb_rows(source)
    if (sw, sh) != (width, height):
        rows = pixels.scale(rows, sw, sh, width, height, 3)
    if mode == "upscale":
        return rows, 3, None
    if mode == "remove-background":
        subject = pixels.ellipse(width, height)
        if fmt == "png":
            return pixels.with_alpha(rows, subject), 4, None
        pixels.apply(rows, pixels.invert(subject), lambda _, row: PAPER * (len(row) // 3))
        return rows, 3, None
    if mode in WHOLE:
        amount = TINT.get(mode) or min(0.85, max(0.15, edit.strength if edit.strength is not None else 0.35))
        return pixels.tint(rows, pixels.tint_tables(tint, amount)), 3, None
    masked, box = _masked_area(edit, source, width, height, notes)
    change = masked if edit.masked_changes else pixels.invert(masked)
    if mode == "erase":
        flat = pixels.mean_colour(rows)
        pixels.apply(rows, change, lambda _, row: flat * (len(row) // 3))
    else:  # inpaint, outpaint without margins, search-replace, recolor
        tinted = pixels.tint(rows, pixels.tint_tables(tint, TINT.get(mode, 0.5)))
        pixels.apply(rows, change, lambda y, _: tinted[y])
    return rows, 3, box


def _masked_area(
    edit: Edit, source: png.Raster, width: int, height: int, notes: list[str]
) -> tuple[list[bytes], tuple[int, int, int, int] | None]:
    """The masked area as a selection: the mask image's pixels of the mask colour, else the
    source's transparent pixels (Stability), else the centre box a mask prompt stands for."""
    if edit.mask is not None:
        try:
            mask = _decode(edit.mask)
        except _Unreadable as exc:
            notes.append(f"{exc} MASK NOT DECODED: CENTRE USED")
        else:
            gray = pixels.scale(pixels.gray_rows(mask), mask.width, mask.height, width, height, 1)
            return pixels.threshold([bytes(r) for r in gray], white=edit.mask_colour == "white"), None
    elif not edit.mask_prompt:
        transparent = pixels.transparent_rows(source)
        if transparent is not None and (source.width, source.height) == (width, height):
            return transparent, None
        notes.append("NO MASK: CENTRE USED")
    box = (width // 4, height // 4, width - width // 4, height - height // 4)
    return pixels.rectangle(width, height, box), box


# --- colours and text -------------------------------------------------------------------------------


def _digest(model: str, seed: int, prompt: str) -> bytes:
    return hashlib.sha256(f"{model}|{seed}|{prompt}".encode()).digest()


def _gradient_colours(model: str, seed: int, prompt: str, edit: Edit) -> tuple[bytes, bytes]:
    """The prompt and seed choose a generation's two colours; a colour-guided one uses its colours."""
    given = [bytes.fromhex(c[1:]) for c in edit.colors if len(c) == 7 and c.startswith("#")]
    if given:
        return given[0], given[1] if len(given) > 1 else bytes(v // 2 for v in given[0])
    digest = _digest(model, seed, prompt)
    return digest[0:3], digest[3:6]


def _tint_colour(model: str, seed: int, prompt: str, edit: Edit) -> bytes:
    """A saturated colour from the prompt and seed; a recolour takes the colour its prompt names."""
    if edit.mode == "recolor":
        for word in prompt.lower().replace(",", " ").split():
            if word in NAMED_COLOURS:
                return bytes(NAMED_COLOURS[word])
    if edit.reference is not None:
        try:
            return pixels.mean_colour(pixels.rgb_rows(_decode(edit.reference)))
        except _Unreadable:
            pass
    hue = _digest(model, seed, prompt)[6] / 256
    return bytes(round(255 * v) for v in colorsys.hsv_to_rgb(hue, 0.85, 0.95))


def _margin_colours(tint: bytes) -> tuple[bytes, bytes]:
    return bytes((v + 255) // 2 for v in tint), bytes(v // 2 for v in tint)


def _mode_line(edit: Edit, width: int, height: int) -> str:
    line = MODES.get(edit.mode, edit.mode.upper())
    if edit.mask_prompt:
        line += f": {edit.mask_prompt}"
    details = [edit.detail] if edit.detail else []
    if edit.mode == "outpaint" and any(edit.margins):
        details += [f"{side}{n}" for side, n in zip("LURD", edit.margins, strict=True) if n]
    if edit.mode == "color-guided":
        details += list(edit.colors[:3])
    if edit.mode == "upscale" and edit.source is not None:
        try:
            source = imageinfo.probe(edit.source)
        except InvalidImage:
            pass
        else:
            factor = width / source.width
            details.append(f"{factor:g}X" if factor == int(factor) else f"TO {width}X{height}")
    return " ".join([line, *details])


def _ink_paper(bpp: int) -> tuple[bytes, bytes]:
    return (INK, PAPER) if bpp == 3 else (INK + b"\xff", PAPER + b"\xff")


def _write(rows: pixels.Rows, bpp: int, where: Layout, lines: Sequence[str]) -> None:
    """The stamp band and the caption band, drawn over the picture."""
    ink, paper = _ink_paper(bpp)
    width, s = where.width, where.stamp_cell
    blank = paper * width
    for y in range(max(0, where.stamp_top), min(where.height, where.stamp_top + font.PITCH * s)):
        rows[y][:] = blank
    font.draw(rows, where.stamp_left, where.stamp_top + s, STAMP, s, ink=ink, paper=paper, width=width)
    if not where.lines:
        return
    c = where.cell
    for y in range(where.caption_top, where.height):
        rows[y][:] = ink * width if y < where.caption_top + c else blank
    for index, line in enumerate(lines[: where.lines]):
        font.draw(rows, c, where.line_top(index), line, c, ink=ink, paper=paper, width=width)


def _label(rows: pixels.Rows, bpp: int, box: tuple[int, int, int, int], words: str, cell: int) -> None:
    """The mask prompt's words inside the top-left of the area it stands for."""
    x0, y0, x1, _ = box
    ink, paper = _ink_paper(bpp)
    text = font.normalise(words)[: font.fits(x1 - x0 - 2 * cell, cell)]
    font.draw(rows, x0 + cell, y0 + cell, text, cell, ink=ink, paper=paper, width=len(rows[0]) // bpp if rows else 0)
