"""The gallery page in a real browser: headless Chromium (Debian's `chromium`; .ci/run installs it)
drives the page the dev API serves against an in-process offline world (the Bedrock emulator, a
local S3, the dev API): generate an image and see its score, open the detail view with its
verdict, download it, paint a mask on the canvas with the pointer and inpaint, open the
before/after, refine a prompt, send a request again after its answer was lost without paying
twice; a file that is not an image and a prompt past the model's limit
are refused in the page, an API error is shown in words, an image whose URL no longer loads is
signed again; the console has no errors. One browser session for all of it."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from imagegen_local import site
from imagegen_local.http import call_json
from imagegen_local.report import chromium
from imagegen_local.world import World

CHROMIUM = chromium.find()

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed: run .ci/run (or apt-get install chromium); it opens the gallery page",
)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    # A bucket of its own: a local S3 keeps its objects in moto's backends, which every local S3 of
    # the process shares, and the end-to-end tests' one may have made the default bucket already.
    with World(page=site.WEB, log_stream=io.StringIO(), bucket="imagegen-gallery-test") as running:
        yield running


@pytest.fixture(scope="module")
def page(world: World) -> Iterator[chromium.Browser]:
    assert CHROMIUM is not None
    browser = chromium.Browser(CHROMIUM)
    try:
        assert world.api.page_url is not None
        browser.open(world.api.page_url)
        wait(browser, "document.body.dataset.ready === 'yes'")
        yield browser
    finally:
        browser.close()


def wait(page: chromium.Browser, condition: str, seconds: float = 10.0) -> Any:
    """The first truthy value of a JavaScript expression, polled."""
    end = time.monotonic() + seconds
    while True:
        value = page.evaluate(condition)
        if value:
            return value
        if time.monotonic() > end:
            shown = page.evaluate(
                "[document.getElementById('error').textContent, document.getElementById('status').textContent,"
                " document.getElementById('edits').innerHTML.slice(0, 300), document.getElementById('detail').open]"
            )
            raise AssertionError(f"never true: {condition}; the page's error and status: {shown!r}; {page.errors()}")
        time.sleep(0.02)


def box(page: chromium.Browser, selector: str) -> list[float]:
    return page.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
        " const r = e.getBoundingClientRect(); return [r.x, r.y, r.width, r.height]; })()"
    )


def click(page: chromium.Browser, selector: str) -> None:
    """A real mouse click in the middle of the element, once it is enabled and is what the pointer is on
    there (not a dialog still closing, nor a layout still moving), as a person looks before clicking."""
    end = time.monotonic() + 10
    while True:
        x, y, on = page.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.scrollIntoView({{block: 'center'}});"
            " const r = e.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;"
            " const at = document.elementFromPoint(x, y);"
            " if (e.disabled) return [x, y, 'it is disabled'];"
            " return [x, y, at !== null && (at === e || e.contains(at)) ? '' : (at ? at.outerHTML.slice(0, 120) : 'nothing')]; })()"
        )
        if not on:
            break
        if time.monotonic() > end:
            raise AssertionError(f"{selector} is never clickable at its middle: {on}")
        time.sleep(0.02)
    for kind in ("mousePressed", "mouseReleased"):
        page.send("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def fill(page: chromium.Browser, selector: str, value: str) -> None:
    page.evaluate(
        f"(() => {{ const e = document.querySelector({json.dumps(selector)}); e.value = {json.dumps(value)};"
        " e.dispatchEvent(new Event('change', {bubbles: true})); })()"
    )


def drag(page: chromium.Browser, selector: str, points: list[tuple[float, float]]) -> None:
    """The mouse pressed at the first point (fractions of the element), moved through the rest, released."""
    x, y, w, h = box(page, selector)
    at = [(x + fx * w, y + fy * h) for fx, fy in points]
    page.send("Input.dispatchMouseEvent", type="mousePressed", x=at[0][0], y=at[0][1], button="left", clickCount=1)
    for px, py in at[1:]:
        page.send("Input.dispatchMouseEvent", type="mouseMoved", x=px, y=py, button="left", buttons=1)
    page.send("Input.dispatchMouseEvent", type="mouseReleased", x=at[-1][0], y=at[-1][1], button="left", clickCount=1)


def test_generate_judge_inspect_inpaint_and_compare_in_the_browser(page, world: World, tmp_path: Path):
    assert page.evaluate("document.getElementById('offline').hidden") is False  # it says it is the offline world

    fill(page, "#prompt", "a red fox sitting in fresh snow")
    click(page, "#generate-button")
    score = wait(page, "document.querySelector('#images .card .score')?.textContent.match(/^\\d+\\/10$/)?.[0]")
    alt = page.evaluate("document.querySelector('#images .card img').alt")
    assert alt == "a red fox sitting in fresh snow"

    click(page, "#images .card")
    wait(page, "document.getElementById('detail').open && document.getElementById('detail-image').complete")
    assert page.evaluate("document.getElementById('score').textContent").startswith(f"Score {score}")
    assert page.evaluate("document.querySelectorAll('#sub-scores tbody tr').length") >= 2
    assert page.evaluate("document.querySelectorAll('#checklist li').length") >= 1
    assert page.evaluate("document.getElementById('revised').textContent")

    downloads = tmp_path / "downloads"
    page.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
    click(page, "#download")
    end = time.monotonic() + 10
    while not [f for f in downloads.glob("*.png") if f.read_bytes().startswith(b"\x89PNG")]:
        assert time.monotonic() < end, "the download never arrived"
        time.sleep(0.02)

    fill(page, "#mode", "inpaint")
    wait(page, "!document.getElementById('mask').hidden && document.getElementById('mask').width > 1")
    drag(page, "#mask", [(0.3, 0.3), (0.5, 0.4), (0.7, 0.6)])
    assert page.evaluate("document.getElementById('mask-state').textContent") == "A mask is painted."
    white = page.evaluate(
        "(() => { const c = document.getElementById('mask'); const d = c.getContext('2d')"
        ".getImageData(0, 0, c.width, c.height).data; let n = 0; for (let i = 3; i < d.length; i += 4) n += d[i] > 0;"
        " return n / (c.width * c.height); })()"
    )
    assert 0.02 < white < 0.6  # the stroke, not the whole canvas
    fill(page, "#modify-prompt", "a blue hat on the fox")
    click(page, "#modify-button")
    wait(page, "!!document.querySelector('#edits .compare')")
    assert "inpaint" in page.evaluate("document.querySelector('#edits li span').textContent")
    # the gallery is read again after the edit and lists it; a reload still under way would redraw the cards later,
    # and give the focus back to a card (scrolling to it) while the test goes on clicking
    wait(page, "[...document.querySelectorAll('#images .card img')].some((i) => i.alt === 'a blue hat on the fox')")

    click(page, "#edits .compare")
    wait(page, "document.getElementById('compare').open")
    loaded = wait(
        page,
        "(() => { const b = document.getElementById('before'), a = document.getElementById('after');"
        " return b.complete && a.complete && b.naturalWidth > 0 && a.naturalWidth > 0 && [b.alt, a.alt]; })()",
    )
    assert loaded == ["Before: a red fox sitting in fresh snow", "After (inpaint): a blue hat on the fox"]
    fill(page, "#compare-slider", "20")
    page.evaluate("document.getElementById('compare-slider').dispatchEvent(new Event('input'))")
    assert page.evaluate("document.getElementById('after').style.clipPath") == "inset(0px 0px 0px 20%)"
    page.key("Escape", 27)
    assert page.errors() == []

    # a file that is not an image is refused before any call, naming what the model takes
    fill(page, "#mode", "style-transfer")
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    node = page.send("Runtime.evaluate", expression="document.getElementById('style-image')")["result"]["objectId"]
    calls = len(paid_calls(page))  # the gallery may still be reading pages: those calls cost nothing
    page.send("DOM.setFileInputFiles", files=[str(text)], objectId=node)
    shown = wait(page, "!document.getElementById('error').hidden && document.getElementById('error').textContent")
    assert "is not an image" in shown and "png, jpeg, webp" in shown
    opened = page.evaluate("document.getElementById('detail-image').dataset.imageId")
    page.key("Escape", 27)
    # the inpaint reloaded the gallery while the detail view was open: its card is a new one, and has the focus
    assert wait(page, "document.activeElement.closest('#images li')?.dataset.imageId") == opened
    fill(page, "#prompt", "fox " * 2501)  # past the model's 10,000 characters
    click(page, "#generate-button")
    wait(page, "document.getElementById('error').textContent.includes('characters')")
    assert "10,003 characters; Stable Image Core 1.1 takes at most 10,000" in page.evaluate(
        "document.getElementById('error').textContent"
    )
    assert len(paid_calls(page)) == calls
    fill(page, "#prompt", "a red fox sitting in fresh snow")

    # an API error in words: the code's meaning, the API's message naming the limit, what to do
    page.evaluate("document.querySelector('#generate details').open = true")
    fill(page, "#generate-seed", "99999999999")
    click(page, "#generate-button")
    shown = wait(
        page,
        "document.getElementById('error').dataset.code === 'invalid_parameter' && document.getElementById('error').textContent",
    )
    assert shown.startswith("A value was refused.") and "seed" in shown and "Change the value" in shown
    assert "undefined" not in shown and "Error" not in shown
    refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    assert page.errors() == [refused]  # the browser's own line for the refused request, and nothing else

    # refine with live progress: each round shown as it completes, then the best; its images join the gallery
    fill(page, "#generate-seed", "")
    fill(page, "#max-rounds", "2")
    cards = page.evaluate("document.querySelectorAll('#images .card').length")
    click(page, "#refine-button")
    done = wait(
        page,
        "document.getElementById('refine-status').textContent.startsWith('Done') && "
        "document.getElementById('refine-status').textContent",
        seconds=20,
    )
    assert "best score" in done and page.evaluate("document.querySelectorAll('#refine-rounds li').length") >= 1
    assert page.evaluate("document.querySelector('#refine-progress progress').value") >= 1
    wait(page, f"document.querySelectorAll('#images .card').length > {cards}")

    # an image whose URL no longer loads is signed again from GET /images/{id}
    page.evaluate(
        "(() => { const i = document.querySelector('#images .card img'); i.dataset.refreshed = '';"
        " i.src = i.src.replace('/image.png', '/gone.png'); })()"
    )
    wait(
        page,
        "(() => { const i = document.querySelector('#images .card img');"
        " return i.dataset.refreshed === 'yes' && i.complete && i.naturalWidth > 0 && i.src.includes('/image.png'); })()",
    )
    assert all("status of 404" in e for e in page.errors()[1:]), page.errors()  # at most the dead URL's own line

    # an answer lost on the way: Generate again sends the same key, and the API answers the stored image
    page.evaluate(
        "(() => { const real = window.fetch; window.fetch = async (url, options) => { const answer = await real(url, options);"
        " if (String(url).endsWith('generate-image')) { window.fetch = real; throw new TypeError('lost'); }"
        " return answer; }; })()"
    )
    fill(page, "#prompt", "a fox whose answer was lost")
    click(page, "#generate-button")
    wait(
        page, "document.getElementById('error').dataset.code === 'network' && !document.getElementById('error').hidden"
    )
    click(page, "#generate-button")
    wait(page, "document.getElementById('status').textContent.includes('not paid for twice')")
    status, listing = call_json("GET", world.api.url + "images?limit=60")
    assert status == 200
    assert [i["prompt"] for i in listing["images"]].count("a fox whose answer was lost") == 1  # one image, paid once

    # the keyboard alone: Enter on a card opens its detail view, Escape closes it
    page.evaluate("document.querySelector('#images .card').focus()")
    page.key("Enter", 13)
    wait(page, "document.getElementById('detail').open")
    page.key("Escape", 27)
    assert page.evaluate("document.getElementById('detail').open") is False


def paid_calls(page: chromium.Browser) -> list[str]:
    """The calls the page made so far (the browser's record of them) that ask a model for an image."""
    return page.evaluate(
        "performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => /[/]prd[/](generate|modify|refine)-image$/.test(n))"
    )


def test_a_retry_keeps_its_key_while_the_first_try_may_have_been_paid_for(page):
    """A lost answer (maybe paid), then a throttled retry (proves nothing about the first), then a
    third try: the same key all along; after a success, or idempotency_key_reused, a new one."""
    sent = page.evaluate(
        """(async () => {
        const { Tokens, once } = await import('./tokens.js');
        const tokens = new Tokens(), body = { prompt: 'fox', model: 'm' }, sent = [];
        const answer = (code) => async (b) => { sent.push(b.client_token); if (code) throw { code }; return {}; };
        for (const code of ['network', 'throttled', null, null, 'network', 'idempotency_key_reused', null])
          await once(tokens, body, answer(code)).catch(() => {});
        return sent; })()"""
    )
    assert sent[0] == sent[1] == sent[2]  # until the success
    assert len({sent[2], sent[3], sent[4]}) == 3  # after a success, each send is a new request
    assert sent[5] == sent[4]  # the lost answer's key, sent again
    assert sent[6] != sent[5]  # the API said the key is taken: a new one


def test_more_clicked_twice_or_a_reload_during_a_load_never_duplicates_cards(page):
    """The gallery against a slow stand-in API of 30 images: More clicked twice loads the next page
    once; a reload while a page is on its way drops that page's answer."""
    shown = page.evaluate(
        """(async () => {
        const { Gallery } = await import('./gallery.js');
        const all = Array.from({ length: 30 }, (_, n) => ({ image_id: 'id' + n, url: 'data:,', prompt: 'p' + n, score: 5 }));
        const api = { images: (cursor, limit) => new Promise((resolve) => setTimeout(() => {
          const from = cursor ? Number(cursor) : 0, to = Math.min(from + limit, all.length);
          resolve({ images: all.slice(from, to), next_cursor: to < all.length ? String(to) : null }); }, 10)) };
        const list = document.createElement('ul'), more = document.createElement('button');
        const gallery = new Gallery(api, list, more, () => {}, (e) => { throw e; });
        const settled = () => new Promise((resolve) => setTimeout(resolve, 60));
        const ids = () => [...list.children].map((li) => li.dataset.imageId);
        await gallery.reload();
        more.click(); more.click();
        await settled();
        const afterMore = ids();
        more.click(); gallery.reload();
        await settled();
        return [afterMore, ids()]; })()"""
    )
    after_more, after_reload = shown
    assert after_more == [f"id{n}" for n in range(30)]
    assert after_reload == [f"id{n}" for n in range(24)]  # the reload's page only


def test_a_reload_keeps_the_keyboard_on_the_card_it_was_on(page):
    """A reload (after every generation) draws the cards again: the card that had the keyboard's
    focus has it again, even though a new image now comes before it; if its image is gone, the
    first card has it."""
    shown = page.evaluate(
        """(async () => {
        const { Gallery } = await import('./gallery.js');
        let listed = ['b', 'c'];
        const api = { images: async () => ({ images: listed.map((id) => ({ image_id: id, url: 'data:,', prompt: id, score: 5 })), next_cursor: null }) };
        const list = document.createElement('ul'), more = document.createElement('button');
        document.body.append(list);
        const gallery = new Gallery(api, list, more, () => {}, (e) => { throw e; });
        const focused = () => document.activeElement.closest('li')?.dataset.imageId;
        try {
          await gallery.reload();
          list.querySelector('li[data-image-id="c"] .card').focus();
          listed = ['a', 'b', 'c'];
          await gallery.reload();
          const kept = focused();
          listed = ['d', 'e'];
          await gallery.reload();
          return [kept, focused()];
        } finally {
          list.remove();
        } })()"""
    )
    assert shown == ["c", "d"]


def test_a_reload_that_ends_without_the_focused_card_takes_no_focus_later(page):
    """Two reloads that end before the focused card is listed again: one whose next page fails, one
    whose first page is full. The first card has the focus then (the second case); a later page
    that lists the card (More) does not take the focus back from wherever it went since."""
    shown = page.evaluate(
        """(async () => {
        const { Gallery } = await import('./gallery.js');
        const item = (id) => ({ image_id: id, url: 'data:,', prompt: id, score: 5 });
        let pages = {};
        const api = { images: async (cursor) => { const p = pages[cursor || 'first']; if (p === 'fail') throw { code: 'network' }; return p; } };
        const list = document.createElement('ul'), more = document.createElement('button');
        document.body.append(list);
        const gallery = new Gallery(api, list, more, () => {}, () => {});
        const focused = () => document.activeElement.closest('li')?.dataset.imageId;
        const seen = [];
        try {
          for (const first of [
            { images: [item('a')], next_cursor: 'rest' },  // short: its next page is read at once, and fails
            { images: Array.from({ length: 24 }, (_, n) => item('x' + n)), next_cursor: 'rest' },  // full
          ]) {
            pages = { first: { images: [item('b'), item('c')], next_cursor: null } };
            await gallery.reload();
            list.querySelector('li[data-image-id="c"] .card').focus();
            pages = { first, rest: 'fail' };
            await gallery.reload();
            seen.push(focused());
            document.activeElement.blur();
            pages.rest = { images: [item('c')], next_cursor: null };
            more.click();
            await new Promise((resolve) => setTimeout(resolve, 50));
            seen.push(focused());
          }
        } finally {
          list.remove();
        }
        return seen; })()"""
    )
    assert shown == [None, None, "x0", None]


def test_an_image_made_but_not_stored_is_shown_with_a_download_link_and_true_advice(page, world: World):
    world.s3.refuse("PUT", "/image.png")  # S3 refuses the image's write once (a policy's 403: not retried)
    fill(page, "#prompt", "a fox that S3 would not take")
    click(page, "#generate-button")
    wait(page, "document.getElementById('error').dataset.code === 'image_not_stored'")
    shown = wait(
        page,
        "(() => { const i = document.querySelector('#error .unstored img'), a = document.querySelector('#error .unstored a');"
        " return i && i.complete && i.naturalWidth > 0 && a && [a.download, a.href.slice(0, 22), i.alt]; })()",
    )
    assert shown == ["not-stored-1.png", "data:image/png;base64,", "Not stored: a fox that S3 would not take"]
    advice = page.evaluate("document.querySelector('#error .todo').textContent")
    assert advice.startswith("Download it below") and "Try again" not in advice  # a retry replays the same 503


PIXEL = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def test_images_of_a_request_that_s3_took_only_some_of_are_shown_with_a_download_link(page):
    """A request for several images (a model with a count) whose second S3 would not take: 200, the
    first stored, the second inline under images_not_stored; the page shows the second to save."""
    page.evaluate(
        "(() => { const real = window.fetch; window.fetch = async (url, options) => { const answer = await real(url, options);"
        " if (!String(url).endsWith('generate-image')) return answer; window.fetch = real; const body = await answer.json();"
        f" const png = '{PIXEL}';"
        " body.images_not_stored = [{ format: 'png', width: 64, height: 64, seed: 7, bytes: 99, inline: true, image_base64: png }];"
        " return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }); }; })()"
    )
    fill(page, "#prompt", "two foxes, one not stored")
    click(page, "#generate-button")
    shown = wait(
        page,
        "(() => { const i = document.querySelector('#status .unstored img'), a = document.querySelector('#status .unstored a');"
        " return i && i.complete && i.naturalWidth > 0 && a && [a.download, i.alt]; })()",
    )
    assert shown == ["not-stored-1.png", "Not stored: two foxes, one not stored"]
