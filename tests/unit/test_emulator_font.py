"""The emulator's bitmap font: every character it promises, each one telling itself apart, drawn
and read back the same at any size, clipped rather than crashing at the image's edges."""

import string

import pytest

from imagegen_local.emulator import font

INK, PAPER = b"\x20\x20\x20", b"\xff\xff\xff"


def test_the_font_has_every_letter_digit_and_common_punctuation():
    promised = set(string.ascii_uppercase + string.digits + " .,:;!?'\"-_+=*/\\|()[]<>#%&@$")
    assert promised <= set(font.GLYPHS)


def test_every_glyph_is_five_by_seven_and_no_two_look_alike():
    for char, rows in font.GLYPHS.items():
        assert len(rows) == font.HEIGHT and all(len(r) == font.WIDTH and set(r) <= {"0", "1"} for r in rows), char
    assert len(set(font.GLYPHS.values())) == len(font.GLYPHS)


def test_lowercase_is_drawn_as_uppercase_and_unknown_characters_as_a_question_mark():
    assert font.normalise("a Red  fox\tin\nsnow") == "A RED FOX IN SNOW"
    assert font.normalise("café ~") == "CAF? ?"


@pytest.mark.parametrize("cell", [1, 3])
def test_text_drawn_reads_back_the_same(cell):
    text = font.normalise(string.ascii_uppercase + string.digits + "'.,:;!?-_+=*/()[]<>#%&@$|\\\"")
    width = font.ADVANCE * cell * (len(text) + 2)
    rows = [bytearray(PAPER * width) for _ in range(font.PITCH * cell)]
    font.draw(rows, cell, cell, text, cell, ink=INK, paper=PAPER, width=width)
    assert font.read(rows, cell, cell, cell, len(text) + 1, bpp=3) == text


def test_drawing_past_any_edge_is_clipped():
    rows = [bytearray(PAPER * 10) for _ in range(4)]
    font.draw(rows, -3, -2, "EMULATED", 2, ink=INK, paper=PAPER, width=10)
    font.draw(rows, 8, 3, "EMULATED", 2, ink=INK, paper=PAPER, width=10)
    assert all(len(row) == 30 for row in rows) and any(INK in row for row in rows)
    assert font.fits(9, 2) == 0 and font.fits(10, 2) == 1 and font.fits(11, 1) == 2
