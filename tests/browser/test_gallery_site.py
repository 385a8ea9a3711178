"""The gallery page's files as the dev API serves them offline (no browser needed): the page at the
root beside the stage, an offline config.json, nothing outside web/; `imagegen serve` names the
page's URL; and the page has words for every error code the API can answer."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urljoin

from imagegen import errors
from imagegen.handlers.routes import GATEWAY_ERRORS

from imagegen_local import site
from imagegen_local.cli.serve import PORT_BASE, banner
from imagegen_local.devapi import DevApi


def test_the_dev_api_serves_the_page_at_its_root_and_the_api_under_its_stage():
    with DevApi(page=site.WEB) as api:
        status, headers, body = api.serve("GET", "/", {}, b"")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert b'<script type="module" src="app.js">' in body
        status, headers, body = api.serve("GET", "/config.json", {}, b"")
        config = json.loads(body)
        assert config == {"apiUrl": "prd/", "authMode": "none", "offline": True, "cognito": None}
        # relative, so the page reaches its own origin's API whatever name it was opened by
        assert urljoin(api.page_url, config["apiUrl"]) == api.url
        assert urljoin(f"http://localhost:{api.port}/", config["apiUrl"]) == f"http://localhost:{api.port}/prd/"
        assert api.url.endswith("/prd/") and api.page_url == f"http://127.0.0.1:{api.port}/"
        status, headers, _ = api.serve("GET", "/app.js", {}, b"")
        assert (status, headers["Content-Type"]) == (200, "text/javascript; charset=utf-8")
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        status, _, body = api.serve("GET", "/prd/nowhere", {}, b"")  # the stage is still API Gateway's
        assert status == 403 and json.loads(body)["error"]["code"] == "request_refused"


def test_nothing_outside_the_pages_folder_is_served():
    with DevApi(page=site.WEB) as api:
        for path in ("/../pyproject.toml", "/%2e%2e/pyproject.toml", "/missing.js", "/%00", "/app.js%00.png"):
            status, _, body = api.serve("GET", path, {}, b"")
            assert status == 404 and b"pyproject" not in body, path


def test_no_dotfile_of_the_pages_folder_is_served_at_any_depth(tmp_path):
    files = {
        "index.html": "<p>",
        "img/ok.svg": "<svg/>",
        ".env": "secret",
        ".git/config": "secret",
        "img/.secret": "secret",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    served = site.Site(tmp_path, {})
    assert served.answer("/img/ok.svg")[0] == 200  # the folder's files are served
    for path in ("/.env", "/.git/config", "/img/.secret", "/img/%2esecret", "/img/../.env"):
        status, _, body = served.answer(path)
        assert (status, b"secret" in body) == (404, False), path


def test_without_a_page_folder_the_dev_api_serves_no_page():
    with DevApi() as api:
        assert api.page_url is None
        assert api.serve("GET", "/", {}, b"")[0] == 403


def test_the_serve_banner_names_the_pages_url():
    api = SimpleNamespace(url="http://127.0.0.1:8472/prd/", page_url="http://127.0.0.1:8472/")
    served = SimpleNamespace(
        api=api, emulator=SimpleNamespace(url="e"), s3=SimpleNamespace(url="s"), bucket="imagegen-demo"
    )
    shown = banner(served, PORT_BASE)  # type: ignore[arg-type]
    assert "the gallery page          http://127.0.0.1:8472/" in shown


def test_the_page_has_words_for_every_error_code_the_api_answers():
    words = (site.WEB / "errors.js").read_text(encoding="utf-8")
    known = set(re.findall(r"^  ([a-z_]+): \[", words, flags=re.MULTILINE))
    codes = set(errors._BY_CODE) | {code for _, code in GATEWAY_ERRORS.values()}
    # and the codes documents carry beside the errors' own (a refine job lost, a verdict lost, a batch item)
    core = Path(errors.__file__).parent
    written = {c for p in core.rglob("*.py") for c in re.findall(r'"code": "([a-z_]+)"', p.read_text(encoding="utf-8"))}
    assert {"job_lost", "evaluation_lost"} <= written
    assert (codes | written) - known == set()
