"""The comparison report in a real browser: headless Chromium (Debian's `chromium`; .ci/run
installs it) opens the rendered file from disk, driven over the DevTools Protocol. Every image
loads, a header (a button: mouse or Enter) sorts its table, an image enlarges in a dialog, and
the console stays free of errors; a screenshot is saved in the test's folder. A batch's page,
drawn by the same code, loads its images too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from imagegen_local.report import chromium, render, sample

CHROMIUM = chromium.find()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: run .ci/run (or apt-get install chromium); it opens the comparison report",
)

LOADED = (
    "Promise.all(Array.from(document.querySelectorAll('.enlarge img')).map(i => i.decode().then(() => i.naturalWidth)))"
)
MODELS = "Array.from(document.querySelectorAll('#model-summary tbody tr')).map(r => r.cells[0].textContent)"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    results = sample.write(folder, size=64)
    out = folder / "report.html"
    out.write_text(render(json.loads(results.read_text()), folder), encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Browser]:
    assert CHROMIUM is not None
    started = chromium.Browser(CHROMIUM)
    yield started
    started.close()


@pytest.fixture
def page(browser: chromium.Browser, report: Path) -> chromium.Browser:
    browser.events.clear()
    browser.open(report.as_uri())
    return browser


def click(page: chromium.Browser, selector: str) -> None:
    """A real mouse click in the middle of the element."""
    box = page.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView();"
        " const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()"
    )
    for kind in ("mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left", clickCount=1)


def test_every_image_loads(page):
    sizes = page.evaluate(LOADED)
    assert sizes == [64, 64, 64]  # 2 prompts x 2 models, one cell failed
    assert page.evaluate("document.querySelectorAll('.failed').length") == 1
    assert page.errors() == []


def test_a_header_sorts_its_table_by_mouse_and_by_keyboard(page):
    assert page.evaluate(MODELS) == sample.MODELS
    mean = "#model-summary thead th:nth-child(2) button"
    click(page, mean)
    assert page.evaluate(MODELS) == sample.MODELS  # ascending: 8.25, 8.5
    assert page.evaluate(f"document.querySelector({json.dumps(mean)}).parentElement.ariaSort") == "ascending"
    page.evaluate(f"document.querySelector({json.dumps(mean)}).focus()")
    page.key("Enter", 13)
    assert page.evaluate(MODELS) == sample.MODELS[::-1]  # descending
    click(page, "#model-summary thead th:nth-child(1) button")
    assert page.evaluate(MODELS) == sorted(sample.MODELS)  # by name
    assert page.errors() == []


def test_an_image_enlarges_in_a_dialog(page, tmp_path):
    click(page, ".enlarge")
    assert page.evaluate("document.getElementById('enlarged').open") is True
    shown = page.evaluate(
        "(async () => { const i = document.querySelector('#enlarged img'); await i.decode();"
        " return [i.naturalWidth, i.alt, document.querySelector('#enlarged p').textContent]; })()"
    )
    assert shown == [64, sample.PROMPTS[0], f"{sample.MODELS[0]}, seed 1: {sample.PROMPTS[0]}"]
    page.screenshot(tmp_path / "report-dialog.png")
    assert (tmp_path / "report-dialog.png").read_bytes().startswith(b"\x89PNG")
    page.key("Escape", 27)
    assert page.evaluate("document.getElementById('enlarged').open") is False
    page.evaluate("document.querySelector('.enlarge').focus()")
    page.key("Enter", 13)  # the keyboard opens it too
    assert page.evaluate("document.getElementById('enlarged').open") is True
    assert page.errors() == []


def test_the_console_has_no_errors_and_a_screenshot_is_saved(page, tmp_path):
    page.screenshot(tmp_path / "report.png")
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert page.errors() == []
    logged = page.evaluate("(() => { console.error('a planted error'); return 1; })()")
    assert logged == 1 and any("a planted error" in e for e in page.errors())  # the check sees errors


def test_a_batch_page_loads_its_images_and_logs_no_error(browser, tmp_path):
    report = sample.write_batch(tmp_path, size=64)
    out = tmp_path / "batch-report.html"
    out.write_text(render(json.loads(report.read_text()), tmp_path), encoding="utf-8")
    browser.events.clear()
    browser.open(out.as_uri())
    assert browser.evaluate(LOADED) == [64, 64]  # the judged line and the one not judged
    assert browser.evaluate("document.querySelectorAll('.failed').length") == 1
    assert browser.errors() == []
