"""The documentation's tables of exit codes (docs/cli.md) and request fields (docs/api.md) are the
ones rendered from the data (imagegen_local.readme)."""

from pathlib import Path

import pytest

from imagegen_local import readme

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", sorted(readme.tables()))
def test_the_page_shows_the_table_rendered_from_the_data(name):
    page, render = readme.tables()[name]
    text = (ROOT / page).read_text(encoding="utf-8")
    begin, end = readme.markers(name)
    assert text.count(begin) == 1 and text.count(end) == 1, f"{page} lacks the markers {begin} ... {end}"
    shown = text[text.index(begin) + len(begin) : text.index(end)].strip()
    assert shown == render(), f"put this between the {name} markers in {page}:\n{render()}"


def test_no_other_page_carries_the_markers():
    """One place per table: the README and the other docs pages link to it, they do not copy it."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for name, (page, _) in readme.tables().items():
        begin, _ = readme.markers(name)
        holders = [str(p.relative_to(ROOT)) for p in pages if begin in p.read_text(encoding="utf-8")]
        assert holders == [page], name


def test_the_fields_table_names_each_option_a_command_offers():
    table = readme.request_fields()
    assert "| `mask_image` | string (base64) | modify | `--mask` |" in table
    assert "`--no-evaluate` (generate), `--evaluate` (modify)" in table
    assert "| `width` | integer | generate, modify | (API only) |" in table
