"""The functions' code as synthesized (the asset Code.from_asset stages from lambda_src): the
report's page, style and script are in it, and the report draws from that plain directory alone,
its package data read through importlib.resources as it is on Lambda (no installed package)."""

import subprocess
import sys

DRAW = """
from imagegen.report import batch
from imagegen.report.render import draw
line = {"line": 1, "prompt": "a heron", "status": "ok", "images": [{"image_id": "i", "model": "m", "file": None}]}
page = draw(batch.page({"command": "batch", "results": [line]}), lambda file: None)
assert page.startswith("<!doctype html>") and "a heron" in page and "sortBy" in page and ".prompt-text" in page
import imagegen.report.render as render
print(render.__file__)
"""


def test_the_functions_asset_holds_the_reports_page_and_draws_from_a_plain_directory(synthesized):
    built = synthesized["current"]
    fn = next(
        props
        for props in (f["Properties"] for f in built.resources("AWS::Lambda::Function").values())
        if props.get("Handler") == "imagegen.handlers.batches.worker"
    )
    asset = built.outdir / f"asset.{fn['Code']['S3Key'].removesuffix('.zip')}"
    assert {p.name for p in (asset / "imagegen" / "report").iterdir()} >= {"page.html", "report.css", "report.js"}
    # -S: no site-packages, so not the editable install of the development venv; -B: no __pycache__
    # written into the asset, which holds the functions' code and nothing else (test_stack_template)
    ran = subprocess.run(
        [sys.executable, "-S", "-B", "-c", f"import sys; sys.path.insert(0, {str(asset)!r})\n{DRAW}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().startswith(str(asset))
