"""The README's tables of exit codes and request fields are the ones rendered from the data."""

from pathlib import Path

import pytest

from imagegen_local import readme

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(
    ("name", "render"), [("exit codes", readme.exit_codes), ("request fields", readme.request_fields)]
)
def test_the_readme_shows_the_table_rendered_from_the_data(name, render):
    text = README.read_text(encoding="utf-8")
    begin, end = f"<!-- {name}: rendered from imagegen_local.readme -->", f"<!-- end of {name} -->"
    assert begin in text and end in text, f"README.md lacks the markers {begin} ... {end}"
    shown = text[text.index(begin) + len(begin) : text.index(end)].strip()
    assert shown == render(), f"put this between the {name} markers in README.md:\n{render()}"


def test_the_fields_table_names_each_option_a_command_offers():
    table = readme.request_fields()
    assert "| `mask_image` | string (base64) | modify | `--mask` |" in table
    assert "`--no-evaluate` (generate), `--evaluate` (modify)" in table
    assert "| `width` | integer | generate | (API only) |" in table
