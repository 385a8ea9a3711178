"""The README is for a newcomer: the two commands first, a table of contents, a picture of what
you get, and under 1,500 words; the long reference lives in docs/, and every relative link in
either resolves to a file (and a heading, for an #anchor) that exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))

FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)|<(?:a|img)\b[^>]*\b(?:href|src)=\"([^\"]+)\"")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# Headings of the reference, which belong in docs/ and not in the README.
REFERENCE = re.compile(
    r"^(the api|errors|storage|settings|deploy|models|the offline world|development|the core library\b.*)$"
)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _prose(text: str) -> str:
    """The text without its fenced code blocks (a '#' or a link in a code block is not markdown)."""
    return FENCE.sub("", text)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (but - and _), spaces to -."""
    heading = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors = set()
    for heading in HEADING.findall(_prose(_text(path))):
        slug = _slug(heading)
        anchors.add(f"{slug}-{seen[slug]}" if slug in seen else slug)
        seen[slug] = seen.get(slug, 0) + 1
    return anchors


def _links(path: Path) -> list[str]:
    return [a or b for a, b in LINK.findall(_prose(_text(path)))]


def _headings(path: Path) -> list[str]:
    return [re.sub(r"[`*]", "", heading).strip().lower() for heading in HEADING.findall(_prose(_text(path)))]


def test_the_first_code_block_holds_the_two_commands():
    blocks = FENCE.findall(_text(README))
    assert blocks, "README.md has no code block"
    first = blocks[0][1]
    assert re.search(r"^make demo\b", first, re.MULTILINE), first
    assert re.search(r"^make test\b", first, re.MULTILINE), first


def test_a_table_of_contents_links_to_the_readmes_headings():
    text = _prose(_text(README))
    match = re.search(r"^#{2,3} (?:Contents|Table of contents)\s*\n(.*?)(?=^#)", text, re.MULTILINE | re.DOTALL)
    assert match, "README.md has no 'Contents' section"
    targets = re.findall(r"\]\((#[^)]+)\)", match.group(1))
    assert len(targets) >= 4, match.group(1)
    anchors = _anchors(README)
    assert [t for t in targets if t[1:] not in anchors] == [], sorted(anchors)


def test_what_you_get_is_a_picture():
    text = _text(README)
    assert any(info.strip() == "mermaid" for info, _ in FENCE.findall(text)), "no ```mermaid block"
    assert "make demo" in text and "image id" in text, "no terminal capture of make demo"
    assert re.search(r"^#{2,3} .*before.*after", text, re.MULTILINE | re.IGNORECASE), "no before/after section"


def test_the_prerequisites_name_python_and_node():
    match = re.search(r"Prerequisites.*", _text(README))
    assert match, "README.md states no prerequisites"
    assert "Python 3.11" in match.group(0) and "Node" in match.group(0), match.group(0)


def test_the_readme_is_short():
    words = len(_text(README).split())
    assert words < 1500, f"README.md has {words} words"


def test_the_reference_is_in_docs_not_in_the_readme():
    in_readme = [heading for heading in _headings(README) if REFERENCE.match(heading)]
    assert in_readme == [], "move these sections to docs/"
    in_docs = {heading for page in DOCS for heading in _headings(page)}
    for wanted in ("the api", "errors", "storage", "settings", "deploy", "models", "the offline world"):
        assert any(heading.startswith(wanted) for heading in in_docs), f"no '{wanted}' heading in docs/"


@pytest.mark.parametrize("page", DOCS, ids=lambda page: page.name)
def test_each_docs_page_says_what_it_is_for_and_links_back(page):
    title, _, rest = _text(page).partition("\n")
    assert title.startswith("# "), title
    opening = rest.strip().split("\n\n")[0]
    assert not opening.startswith(("#", "-", "|", "```")), f"{page.name}: a sentence of purpose should follow the title"
    assert "](../README.md)" in opening, f"{page.name}: the paragraph after the title should link back to the README"


@pytest.mark.parametrize("page", [README, *DOCS], ids=lambda page: str(page.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for link in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", link):  # https:, mailto: ...
            continue
        target, _, anchor = link.partition("#")
        path = (page.parent / target).resolve() if target else page
        if not path.exists():
            broken.append(f"{link}: no file {path.relative_to(ROOT)}")
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link}: no heading #{anchor} in {path.relative_to(ROOT)}")
    assert broken == []


def test_there_are_docs_pages():
    assert {page.name for page in DOCS} >= {"api.md", "cli.md", "deploy.md", "offline.md"}
