"""The README's picture of the comparison report: the sample results (emulated images and
verdicts) rendered and photographed in headless Chromium. `make screenshot`, or
`python -m imagegen_local.report.screenshot [OUT.png]` (default docs/img/report.png)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from . import chromium, sample
from .render import render

DEFAULT = Path("docs/img/report.png")


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEFAULT
    executable = chromium.find()
    if executable is None:
        print("screenshot: chromium is not installed (run .ci/run, or apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        results = sample.write(Path(folder), size=256)
        page = Path(folder) / "report.html"
        page.write_text(render(json.loads(results.read_text()), folder), encoding="utf-8")
        browser = chromium.Browser(executable)
        try:
            browser.open(page.as_uri())
            out.parent.mkdir(parents=True, exist_ok=True)
            browser.screenshot(out, width=1280, height=1100)
        finally:
            browser.close()
    print(f"screenshot: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
