"""`imagegen batch --remote FILE`: the batch on a deployment. It POSTs /batches with FILE's lines
inline (read as `imagegen batch` reads them; at most `batches.MAX_INLINE`), with an idempotency
key, then polls GET /batches/{id} every --poll-seconds, printing the counts as they change; once
the batch is done and its report built (the batch worker builds it: at most `REPORT_WAIT_SECONDS`
are waited for it) it downloads the results manifest and the report into --output-dir and prints
the summary. Ctrl-C stops the watching, not the batch."""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from imagegen import batches
from imagegen.errors import InvalidParameter, InvalidRequest
from imagegen.handlers import requests
from imagegen.ids import looks_like_image_id

from . import api_http
from .aws import session_from
from .context import Context, Usage
from .exits import INTERRUPTED, OWN_CODES, PARTIAL
from .images import output_folder

POLL_SECONDS = 5.0
REPORT_WAIT_SECONDS = 900.0  # after the batch is done; then the manifest is downloaded without the report
LINKED = {"manifest": "jsonl", "report": "html"}  # what a finished batch links, and the files they are saved as


def add_options(parser: argparse.ArgumentParser) -> None:
    """--remote and the options that find and call the deployed API (as `imagegen api` takes them)."""
    remote = parser.add_argument_group("on a deployment (--remote)")
    remote.add_argument(
        "--remote", action="store_true", help="run the batch on the deployed API (POST /batches) instead of here"
    )
    remote.add_argument(
        "--api-url", help="the API's base URL, ending in /prd/ (default: $IMAGEGEN_API_URL or the stack's)"
    )
    remote.add_argument(
        "--stack-name",
        default="BedrockImageGenEval",
        help="the stack whose ApiUrl output to use (default: %(default)s)",
    )
    remote.add_argument("--api-key", help="send this API key instead of signing (default: $IMAGEGEN_API_KEY)")
    remote.add_argument(
        "--poll-seconds", type=float, default=POLL_SECONDS, metavar="S", help="between two looks (default: %(default)s)"
    )
    remote.add_argument("--client-token", dest="client_token", help="the batch's idempotency key (default: a new one)")


def body_of(jobs: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    """POST /batches' body: the lines inline, --evaluate as the items' default, the key."""
    if len(jobs) > batches.MAX_INLINE:
        raise Usage(f"--remote takes at most {batches.MAX_INLINE:,} prompts a file ({len(jobs):,} given)")
    for job in jobs:  # the handler's reading: a bad line exits 2 here, before anything is sent
        try:
            requests.generate_input(job["body"])
        except InvalidRequest as exc:
            raise Usage(f"{args.file}:{job['line']}: {exc.message}") from None
    body: dict[str, Any] = {"prompts": [job["body"] for job in jobs]}
    if args.evaluate is not None:
        body["evaluate"] = args.evaluate
    body["client_token"] = args.client_token or str(uuid.uuid4())
    return body


def run(ctx: Context, jobs: list[dict[str, Any]]) -> int:
    args = ctx.args
    session = session_from(args)
    base = api_http.api_url(args, ctx.env, session)
    status, answer = api_http.send("POST", base + "batches", body_of(jobs, args), session, args, ctx.env)
    if status != 202 or not isinstance(answer, dict) or "batch_id" not in answer:
        raise api_http.error_of(answer, status)
    batch_id = str(answer["batch_id"])
    if not looks_like_image_id(batch_id):  # never sign and send a path of the answer's making
        raise InvalidParameter("batch_id", batch_id, "a batch id (22 characters)")
    url = f"{base}batches/{batch_id}"
    if not args.json:
        print(f"batch {batch_id}: {answer.get('total')} items queued; watching {url}", file=ctx.out, flush=True)
    try:
        view = _watch(ctx, url, session)
    except KeyboardInterrupt:
        print(f"imagegen: stopped watching; batch {batch_id} keeps running on the deployment (GET {url})", file=ctx.err)
        return OWN_CODES[INTERRUPTED]
    files = _download(view, output_folder(args.output_dir), batch_id)
    counts = view["counts"]
    summary = (
        f"batch {batch_id}: {counts['done']} done, {counts['failed']} failed, "
        f"estimated ${view['estimated_cost_usd']:.4f}" + "".join(f"\n{name}: {file}" for name, file in files.items())
    )
    ctx.emit(summary, {"command": "batch", "remote": True, "batch": view, "files": files})
    missing = [name for name in LINKED if name not in files]
    if missing:
        print(f"imagegen: no {' and no '.join(missing)} was linked yet; GET {url} links it later", file=ctx.err)
    return PARTIAL if counts["failed"] or missing else 0


def _watch(ctx: Context, url: str, session: Any) -> dict[str, Any]:
    args, last = ctx.args, None
    report_by: float | None = None  # when to stop waiting for the report
    while True:
        status, view = api_http.send("GET", url + "?limit=1", None, session, args, ctx.env)
        if status != 200 or not isinstance(view, dict):
            raise api_http.error_of(view, status)
        shown = json.dumps(view.get("counts"), sort_keys=True)
        if shown != last and not args.json:
            counts = view["counts"]
            print(f"  {counts['done']} done, {counts['failed']} failed, {counts['queued']} queued", file=ctx.out)
            last = shown
        if view.get("status") == "done":
            links = view.get("links") or {}
            if all((links.get(name) or {}).get("url") for name in LINKED):
                return view
            if report_by is None:
                report_by = time.monotonic() + REPORT_WAIT_SECONDS
                if not args.json:
                    print("  done; the deployment is building the report", file=ctx.out, flush=True)
            elif time.monotonic() > report_by:
                return view  # run says what is missing
        time.sleep(args.poll_seconds)


def _download(view: dict[str, Any], folder: Path, batch_id: str) -> dict[str, str]:
    """The manifest and the report the answer links, saved as batch-<id>.jsonl and .html."""
    files: dict[str, str] = {}
    for name, suffix in LINKED.items():
        link = (view.get("links") or {}).get(name) or {}
        if link.get("url"):
            target = folder / f"batch-{batch_id}.{suffix}"
            with urllib.request.urlopen(link["url"], timeout=60) as answer:
                target.write_bytes(answer.read())
            files[name] = str(target)
    return files
