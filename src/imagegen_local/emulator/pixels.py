"""Pixel work on rows for emulated images, fast enough in pure Python for 4096x4096 outputs:
every operation goes a row (or a channel's every third byte) at a time through bytes slicing,
bytes.translate, map and whole-row integer arithmetic, never a Python loop over pixels.

Rows are bytearrays of `bpp` bytes a pixel (3 for RGB, 4 for RGBA). A selection row holds one
byte a pixel, 0xFF where an operation applies and 0x00 where it does not."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from operator import itemgetter

from imagegen import png

Rows = list[bytearray]
Line = bytes | bytearray
SELECTED, UNSELECTED = 0xFF, 0x00


def gradient(width: int, height: int, top: bytes, bottom: bytes) -> Rows:
    """RGB rows fading from colour `top` to colour `bottom`."""
    rows: Rows = []
    line, last = b"", b""
    for y in range(height):
        t = y / max(1, height - 1)
        colour = bytes([round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)])
        if colour != last:  # a band of rows of one colour: the row is made once
            line, last = colour * width, colour
        rows.append(bytearray(line))
    return rows


def rgb_rows(raster: png.Raster) -> Rows:
    """The raster's pixels as RGB rows: gray is spread to three channels, alpha is dropped."""
    if raster.mode == "RGB":
        return [bytearray(row) for row in raster.rows]
    rows: Rows = []
    for row in raster.rows:
        line = bytearray(raster.width * 3)
        if raster.mode == "L":
            line[0::3] = line[1::3] = line[2::3] = row
        else:
            step = raster.channels
            for c in range(3):
                line[c::3] = row[c::step]
        rows.append(line)
    return rows


def gray_rows(raster: png.Raster) -> list[bytes]:
    """One byte a pixel: the first channel (a mask's black and white are the same in each)."""
    step = raster.channels
    return [bytes(row[0::step]) if step > 1 else bytes(row) for row in raster.rows]


def transparent_rows(raster: png.Raster) -> list[bytes] | None:
    """A selection of the pixels that are not fully opaque, or None if the raster has no alpha."""
    if raster.mode != "RGBA":
        return None
    below_opaque = bytes([SELECTED] * 255 + [UNSELECTED])
    return [bytes(row[3::4]).translate(below_opaque) for row in raster.rows]


def threshold(gray: Sequence[bytes], *, white: bool) -> list[bytes]:
    """A selection of the light pixels (white=True) or of the dark ones, split at 128."""
    table = bytes([UNSELECTED] * 128 + [SELECTED] * 128) if white else bytes([SELECTED] * 128 + [UNSELECTED] * 128)
    return [row.translate(table) for row in gray]


def invert(selection: Sequence[bytes]) -> list[bytes]:
    flip = bytes(255 - i for i in range(256))
    return [row.translate(flip) for row in selection]


def rectangle(width: int, height: int, box: tuple[int, int, int, int]) -> list[bytes]:
    """A selection of the box (x0, y0, x1, y1), clipped to the image."""
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(width, box[2]), min(height, box[3])
    inside = bytes(x0) + bytes([SELECTED]) * max(0, x1 - x0) + bytes(max(0, width - max(x0, x1)))
    outside = bytes(width)
    return [inside if y0 <= y < y1 else outside for y in range(height)]


def ellipse(width: int, height: int) -> list[bytes]:
    """A selection of the ellipse centred in the image, 70 % of its width and 80 % of its height."""
    cx, cy, rx, ry = width / 2, height / 2, width * 0.35, height * 0.4
    rows: list[bytes] = []
    for y in range(height):
        dy = (y + 0.5 - cy) / ry if ry else 2.0
        if abs(dy) >= 1:
            rows.append(bytes(width))
            continue
        half = rx * (1 - dy * dy) ** 0.5
        x0, x1 = max(0, round(cx - half)), min(width, round(cx + half))
        rows.append(bytes(x0) + bytes([SELECTED]) * (x1 - x0) + bytes(width - x1))
    return rows


def scale(rows: Sequence[Line], width: int, height: int, new_width: int, new_height: int, bpp: int) -> Rows:
    """Nearest-neighbour resize: output pixel (x, y) is source pixel (x * width // new_width,
    y * height // new_height). Each distinct source row (by its content: a flat source has one)
    is resampled once: by an integer factor, a slice assignment per copy of each channel;
    otherwise the row is cut into its pixels (one regular-expression pass) and an itemgetter
    picks the output's pixels, joined at C speed."""
    if (width, height) == (new_width, new_height):
        return [bytearray(row) for row in rows]
    factor = new_width // width if new_width % width == 0 else 0
    pick = itemgetter(*(x * width // new_width for x in range(new_width)))
    cut = re.compile(b"." * bpp, re.DOTALL)

    def resample(row: bytes) -> bytes:
        if factor:  # each pixel repeated `factor` times: one slice per copy of each channel
            line = bytearray(new_width * bpp)
            for c in range(bpp):
                lane = row[c::bpp]
                for k in range(factor):
                    line[c + k * bpp :: bpp * factor] = lane
            return bytes(line)
        picked = pick(cut.findall(row))
        return b"".join(picked) if new_width > 1 else picked

    ys = [y * height // new_height for y in range(new_height)]
    by_content: dict[bytes, bytes] = {}
    lines: dict[int, bytes] = {}
    for source_y in dict.fromkeys(ys):
        row = bytes(rows[source_y])
        if row not in by_content:
            by_content[row] = resample(row)
        lines[source_y] = by_content[row]
    return [bytearray(lines[source_y]) for source_y in ys]


def spread(selection: bytes, bpp: int) -> bytes:
    """A one-byte-a-pixel selection widened to every byte of each pixel."""
    if bpp == 1:
        return selection
    wide = bytearray(len(selection) * bpp)
    for c in range(bpp):
        wide[c::bpp] = selection
    return bytes(wide)


def choose(base: bytes, other: bytes, select: bytes) -> bytes:
    """`other` where the byte selection is 0xFF, `base` elsewhere, as one integer operation."""
    n = len(base)
    b, o, s = int.from_bytes(base, "big"), int.from_bytes(other, "big"), int.from_bytes(select, "big")
    return (b ^ ((b ^ o) & s)).to_bytes(n, "big")


def tint_tables(colour: bytes, amount: float) -> list[bytes]:
    """Per channel, a table moving every value `amount` of the way towards `colour`; a value the
    move would leave as it was is moved by 32 instead, so a tinted pixel always differs."""
    tables: list[bytes] = []
    for target in colour:
        table = bytearray(256)
        for v in range(256):
            moved = v + round((target - v) * amount)
            table[v] = moved if moved != v else (v + 32 if v < 128 else v - 32)
        tables.append(bytes(table))
    return tables


def tinted(row: bytes, tables: Sequence[bytes], bpp: int = 3) -> bytes:
    """The row with each colour channel passed through its table (an alpha channel is kept)."""
    line = bytearray(row)
    for c, table in enumerate(tables):
        line[c::bpp] = bytes(row[c::bpp]).translate(table)
    return bytes(line)


def tint(rows: Sequence[Line], tables: Sequence[bytes], bpp: int = 3) -> Rows:
    """Every row passed through `tinted`: each distinct row once (a flat picture has one), in one
    pass a channel over those rows joined."""
    distinct = list(dict.fromkeys(map(bytes, rows)))
    stride = len(distinct[0]) if distinct else 0
    whole = bytearray(b"".join(distinct))
    for c, table in enumerate(tables):
        whole[c::bpp] = whole[c::bpp].translate(table)
    done = {row: whole[i * stride : (i + 1) * stride] for i, row in enumerate(distinct)}
    return [bytearray(done[bytes(row)]) for row in rows]


def apply(rows: Rows, selection: Sequence[bytes], change: Callable[[int, bytes], Line], bpp: int = 3) -> None:
    """Replace the selected pixels of each row by those of change(y, row), in place; rows with
    nothing selected are left alone (and change is not called for them). A row whose selection
    is one run of pixels (a box's, an ellipse's) takes the run by a slice; any other, by `choose`."""
    for y, row in enumerate(rows):
        picked = selection[y]
        first = picked.find(SELECTED)
        if first < 0:
            continue
        new = change(y, bytes(row))
        end = picked.rfind(SELECTED) + 1
        if picked.count(SELECTED, first, end) == end - first:
            row[first * bpp : end * bpp] = new[first * bpp : end * bpp]
        else:
            rows[y][:] = choose(bytes(row), bytes(new), spread(picked, bpp))


def mean_colour(rows: Sequence[Line], bpp: int = 3) -> bytes:
    """The average colour of the rows' pixels (each distinct row summed once, times its count)."""
    counts = Counter(map(bytes, rows))
    count = sum(len(row) // bpp * n for row, n in counts.items()) or 1
    return bytes(round(sum(sum(row[c::bpp]) * n for row, n in counts.items()) / count) for c in range(3))


def with_alpha(rows: Sequence[Line], opaque: Sequence[bytes]) -> Rows:
    """RGBA rows: the RGB rows' colours where `opaque` is selected, fully transparent black
    elsewhere. A row whose selection is one run of pixels (an ellipse's) has only the run filled."""
    out: Rows = []
    for row, keep in zip(rows, opaque, strict=True):
        line = bytearray(len(keep) * 4)
        first = keep.find(SELECTED)
        end = keep.rfind(SELECTED) + 1
        if first < 0:
            out.append(line)
        elif keep.count(SELECTED, first, end) == end - first:
            run = bytearray((end - first) * 4)
            for c in range(3):
                run[c::4] = row[first * 3 + c : end * 3 : 3]
            run[3::4] = keep[first:end]
            line[first * 4 : end * 4] = run
            out.append(line)
        else:
            for c in range(3):
                line[c::4] = row[c::3]
            line[3::4] = keep
            out.append(bytearray(choose(bytes(len(line)), bytes(line), spread(keep, 4))))
    return out
