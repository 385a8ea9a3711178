"""The README's picture of the gallery page: the offline world (emulated images and verdicts)
holding a few generated images and an edit, the page photographed in headless Chromium.
`make gallery-screenshot`, or `python -m imagegen_local.site_screenshot [OUT.png]` (default
docs/img/gallery.png)."""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from . import site
from .http import call_json
from .report import chromium
from .world import World

DEFAULT = Path("docs/img/gallery.png")
# every image decoded, then two frames drawn: what the screenshot takes is what a person sees
PAINTED = (
    "Promise.all([...document.images].map(i => i.decode().catch(() => null)))"
    ".then(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true)))))"
)
PROMPTS = (
    "a lighthouse on a cliff at dusk, oil painting",
    "three green apples on a wooden table",
    "a red fox sitting in fresh snow at dawn, photograph",
    "a paper boat on a rainy street, watercolour",
    "a tiny robot reading a book, isometric",
)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT
    executable = chromium.find()
    if executable is None:
        print("screenshot: chromium is not installed (run .ci/run, or apt-get install chromium)", file=sys.stderr)
        return 2
    if site.folder() is None:
        print(f"screenshot: the page's files are not in {site.WEB}", file=sys.stderr)
        return 2
    with World(page=site.WEB, log_stream=io.StringIO()) as world:
        api = world.api.url
        made = [_call("POST", api + "generate-image", {"prompt": text, "seed": n}) for n, text in enumerate(PROMPTS)]
        _call("POST", api + "modify-image", {"image_id": made[2]["image_id"], "mode": "upscale", "evaluate": True})
        browser = chromium.Browser(executable)
        try:
            assert world.api.page_url is not None
            browser.open(world.api.page_url)
            _until(browser, "document.body.dataset.ready === 'yes'")
            _until(browser, "[...document.querySelectorAll('#images img')].every(i => i.complete && i.naturalWidth)")
            size = {"width": 1280, "height": 1000}
            browser.send("Emulation.setDeviceMetricsOverride", **size, deviceScaleFactor=1, mobile=False)
            browser.evaluate(PAINTED)
            out.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(out, **size)
        finally:
            browser.close()
    print(f"screenshot: {out}")
    return 0


def _call(method: str, url: str, body: dict[str, object]) -> dict[str, object]:
    status, answer = call_json(method, url, body)
    if status != 200:
        raise SystemExit(f"screenshot: {url} answered {status}: {answer}")
    return answer


def _until(browser: chromium.Browser, condition: str, seconds: float = 15.0) -> None:
    end = time.monotonic() + seconds
    while not browser.evaluate(condition):
        if time.monotonic() > end:
            raise SystemExit(f"screenshot: the page never showed {condition}")
        time.sleep(0.05)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
