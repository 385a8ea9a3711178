"""The gallery page offline: the static files of `web/` (the repository's, as the stack uploads
them), served by the dev API beside its stage, with the config.json the deployed stack would
write, here for the offline world: no sign-in, and the page says it is offline."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import unquote

WEB = Path(__file__).resolve().parents[2] / "web"  # the repository's web/ (an editable install)
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}
# what a browser may run here: the page's own files and the images the local S3 signs
POLICY = "default-src 'self'; img-src 'self' data: blob: http://127.0.0.1:*; connect-src 'self' http://127.0.0.1:*"


def folder() -> Path | None:
    """The page's files, when this is a checkout that has them."""
    return WEB if (WEB / "index.html").is_file() else None


def offline_config(stage_path: str) -> dict[str, Any]:
    """config.json for the offline world (its shape is the one the stack writes when deployed).
    The API's URL is relative to the page ("prd/"): the dev API serves both, so the page calls its
    own origin whether it was opened as http://127.0.0.1:PORT/ or http://localhost:PORT/."""
    return {"apiUrl": stage_path.lstrip("/"), "authMode": "none", "offline": True, "cognito": None}


class Site:
    """GET of a file of `root` (`/` is index.html; /config.json is `config`); nothing outside it."""

    def __init__(self, root: Path, config: dict[str, Any]) -> None:
        self.root = root.resolve()
        self.config = config

    def answer(self, path: str) -> tuple[int, dict[str, str], bytes]:
        name = unquote(path).lstrip("/") or "index.html"
        if name == "config.json":
            return 200, _headers("application/json"), json.dumps(self.config).encode()
        refused = 404, _headers("text/plain; charset=utf-8"), b"not a file of the gallery page\n"
        if "\x00" in name or any(part.startswith(".") for part in name.split("/")):  # a dotfile, "..", a NUL
            return refused
        file = (self.root / name).resolve()
        if not file.is_relative_to(self.root) or not file.is_file():
            return refused
        kind = TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return 200, _headers(kind + ("; charset=utf-8" if kind.startswith("text/") else "")), file.read_bytes()


def _headers(kind: str) -> dict[str, str]:
    return {
        "Content-Type": kind,
        "Cache-Control": "no-store",  # a page changed in the checkout shows at the next reload
        "Content-Security-Policy": POLICY,
        "X-Content-Type-Options": "nosniff",
    }
