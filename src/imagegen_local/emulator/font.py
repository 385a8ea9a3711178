"""A 5x7 bitmap font for the text on emulated images: A-Z, 0-9, space and common punctuation;
lowercase is drawn as uppercase and anything else as '?'. Text is drawn into pixel rows (one
bytearray per row, `bpp` bytes a pixel) and can be read back from them, so tests can check what
an image says by its pixels."""

from __future__ import annotations

from collections.abc import Sequence

WIDTH, HEIGHT = 5, 7
ADVANCE = WIDTH + 1  # columns per character, the last one blank
PITCH = HEIGHT + 2  # rows per line of text, the last two blank

# one string per glyph row, "1" = ink
GLYPHS: dict[str, tuple[str, ...]] = {
    "A": ("01110", "10001", "10001", "11111", "10001", "10001", "10001"),
    "B": ("11110", "10001", "10001", "11110", "10001", "10001", "11110"),
    "C": ("01110", "10001", "10000", "10000", "10000", "10001", "01110"),
    "D": ("11110", "10001", "10001", "10001", "10001", "10001", "11110"),
    "E": ("11111", "10000", "10000", "11110", "10000", "10000", "11111"),
    "F": ("11111", "10000", "10000", "11110", "10000", "10000", "10000"),
    "G": ("01110", "10001", "10000", "10111", "10001", "10001", "01111"),
    "H": ("10001", "10001", "10001", "11111", "10001", "10001", "10001"),
    "I": ("01110", "00100", "00100", "00100", "00100", "00100", "01110"),
    "J": ("00111", "00010", "00010", "00010", "00010", "10010", "01100"),
    "K": ("10001", "10010", "10100", "11000", "10100", "10010", "10001"),
    "L": ("10000", "10000", "10000", "10000", "10000", "10000", "11111"),
    "M": ("10001", "11011", "10101", "10101", "10001", "10001", "10001"),
    "N": ("10001", "10001", "11001", "10101", "10011", "10001", "10001"),
    "O": ("01110", "10001", "10001", "10001", "10001", "10001", "01110"),
    "P": ("11110", "10001", "10001", "11110", "10000", "10000", "10000"),
    "Q": ("01110", "10001", "10001", "10001", "10101", "10010", "01101"),
    "R": ("11110", "10001", "10001", "11110", "10100", "10010", "10001"),
    "S": ("01111", "10000", "10000", "01110", "00001", "00001", "11110"),
    "T": ("11111", "00100", "00100", "00100", "00100", "00100", "00100"),
    "U": ("10001", "10001", "10001", "10001", "10001", "10001", "01110"),
    "V": ("10001", "10001", "10001", "10001", "10001", "01010", "00100"),
    "W": ("10001", "10001", "10001", "10101", "10101", "10101", "01010"),
    "X": ("10001", "10001", "01010", "00100", "01010", "10001", "10001"),
    "Y": ("10001", "10001", "01010", "00100", "00100", "00100", "00100"),
    "Z": ("11111", "00001", "00010", "00100", "01000", "10000", "11111"),
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    " ": ("00000",) * 7,
    ".": ("00000", "00000", "00000", "00000", "00000", "01100", "01100"),
    ",": ("00000", "00000", "00000", "00000", "01100", "00100", "01000"),
    ":": ("00000", "01100", "01100", "00000", "01100", "01100", "00000"),
    ";": ("00000", "01100", "01100", "00000", "01100", "00100", "01000"),
    "!": ("00100", "00100", "00100", "00100", "00100", "00000", "00100"),
    "?": ("01110", "10001", "00001", "00010", "00100", "00000", "00100"),
    "'": ("00100", "00100", "00000", "00000", "00000", "00000", "00000"),
    '"': ("01010", "01010", "00000", "00000", "00000", "00000", "00000"),
    "-": ("00000", "00000", "00000", "11111", "00000", "00000", "00000"),
    "_": ("00000", "00000", "00000", "00000", "00000", "00000", "11111"),
    "+": ("00000", "00100", "00100", "11111", "00100", "00100", "00000"),
    "=": ("00000", "00000", "11111", "00000", "11111", "00000", "00000"),
    "*": ("00000", "00100", "10101", "01110", "10101", "00100", "00000"),
    "/": ("00000", "00001", "00010", "00100", "01000", "10000", "00000"),
    "\\": ("00000", "10000", "01000", "00100", "00010", "00001", "00000"),
    "|": ("00100",) * 7,
    "(": ("00010", "00100", "01000", "01000", "01000", "00100", "00010"),
    ")": ("01000", "00100", "00010", "00010", "00010", "00100", "01000"),
    "[": ("01110", "01000", "01000", "01000", "01000", "01000", "01110"),
    "]": ("01110", "00010", "00010", "00010", "00010", "00010", "01110"),
    "<": ("00010", "00100", "01000", "10000", "01000", "00100", "00010"),
    ">": ("01000", "00100", "00010", "00001", "00010", "00100", "01000"),
    "#": ("01010", "01010", "11111", "01010", "11111", "01010", "01010"),
    "%": ("11000", "11001", "00010", "00100", "01000", "10011", "00011"),
    "&": ("01100", "10010", "10100", "01000", "10101", "10010", "01101"),
    "@": ("01110", "10001", "00001", "01101", "10101", "10101", "01110"),
    "$": ("00100", "01111", "10100", "01110", "00101", "11110", "00100"),
}
_BY_PATTERN = {pattern: char for char, pattern in GLYPHS.items()}


def normalise(text: str) -> str:
    """The text as the font draws it: uppercase, whitespace as spaces, unknown characters as '?'."""
    return "".join(c if c in GLYPHS else "?" for c in " ".join(text.upper().split()))


def fits(width_px: int, cell: int) -> int:
    """How many characters of `cell`-pixel dots fit in `width_px` (the last one's blank column may fall off)."""
    return max(0, (width_px + cell) // (ADVANCE * cell))


def scanlines(text: str, cell: int, ink: bytes, paper: bytes) -> list[bytes]:
    """The text's seven glyph rows as pixel runs, each dot `cell` pixels wide (the caller repeats
    each run `cell` times down the image); every character takes ADVANCE * cell pixels."""
    runs: dict[str, bytes] = {}
    for pattern in {row for char in text for row in GLYPHS[char]}:
        runs[pattern] = b"".join(ink * cell if bit == "1" else paper * cell for bit in pattern) + paper * cell
    return [b"".join(runs[GLYPHS[char][r]] for char in text) for r in range(HEIGHT)]


def draw(
    rows: Sequence[bytearray], x: int, y: int, text: str, cell: int, *, ink: bytes, paper: bytes, width: int
) -> None:
    """Draw normalised `text` with its top-left corner at (x, y) into rows of `width` pixels of
    len(ink) bytes each, on `paper`; whatever falls outside the rows is clipped."""
    bpp = len(ink)
    if not text or cell < 1:
        return
    for r, run in enumerate(scanlines(text, cell, ink, paper)):
        left, start = x, 0
        if left < 0:
            start, left = -left * bpp, 0
        end = min(len(run), start + (width - left) * bpp)
        if end <= start:
            return
        piece = run[start:end]
        for dy in range(cell):
            row = y + r * cell + dy
            if 0 <= row < len(rows):
                rows[row][left * bpp : left * bpp + len(piece)] = piece


def read(rows: Sequence[bytes], x: int, y: int, cell: int, count: int, *, bpp: int) -> str:
    """Read back up to `count` characters drawn by `draw` at (x, y): each dot is sampled at its
    centre, dark is ink. A pattern that is no glyph reads as '\\ufffd'; trailing spaces are dropped."""
    chars: list[str] = []
    for index in range(count):
        pattern: list[str] = []
        for r in range(HEIGHT):
            py = y + r * cell + cell // 2
            if not 0 <= py < len(rows):
                return "".join(chars).rstrip()
            row = rows[py]
            bits = ""
            for c in range(WIDTH):
                px = (x + (index * ADVANCE + c) * cell + cell // 2) * bpp
                if px + 3 > len(row):
                    return "".join(chars).rstrip()
                bits += "1" if row[px] + row[px + 1] + row[px + 2] < 3 * 96 else "0"
            pattern.append(bits)
        chars.append(_BY_PATTERN.get(tuple(pattern), "\ufffd"))
    return "".join(chars).rstrip()
