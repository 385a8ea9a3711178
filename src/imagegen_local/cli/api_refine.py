"""`imagegen api refine PROMPT` and `imagegen api job ID`: a refine job on a deployment. refine
POSTs /refine-image (the body `imagegen refine` reads, checked by the handler's own reading before
anything is sent), then polls GET /jobs/{id} every --poll-seconds, printing each round as it
appears and saving its image (as `imagegen refine` does: <output-dir>/refine-<job id>/round-<n>.png);
once the job ends it copies the best to --output-dir and prints the summary table. Ctrl-C stops
the watching, not the job: it says how to look at the job again."""

from __future__ import annotations

import argparse
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any

from imagegen.errors import InvalidParameter
from imagegen.ids import looks_like_image_id

from . import api_http
from .aws import session_from
from .context import Context
from .exits import INTERRUPTED, OWN_CODES
from .images import output_folder
from .refine import add_options, body_of, checked, copy_best, exit_of
from .refine_view import NewRounds, round_file, round_lines, summary

OPERATIONS = ("refine", "job")
POLL_SECONDS = 1.5  # between two GET /jobs/{id}
ENDED = ("done", "failed")


def add_parsers(operation: Any) -> None:
    """The refine and job operations of `imagegen api` (`operation(name, help, description)`)."""
    ref = operation("refine", "POST /refine-image, then GET /jobs/{id}", "Run a refine job on the deployed API.")
    add_options(ref)
    ref.add_argument(
        "--output-dir",
        default="generated-images",
        help="where to save each round's image (in refine-<job id>/) and the best (default: %(default)s)",
    )
    ref.add_argument(
        "--poll-seconds",
        type=float,
        default=POLL_SECONDS,
        metavar="S",
        help="between two looks at the job (default: %(default)s)",
    )
    ref.add_argument("--client-token", dest="client_token", help="the job's idempotency key (default: a new one)")
    job = operation("job", "GET /jobs/{id}", "Show a refine job: its rounds, the best image, why it stopped.")
    job.add_argument("job_id", help="the job's id, as refine printed it")


def job_path(job_id: str) -> str:
    if not looks_like_image_id(job_id):  # never sign and send a path of the caller's making
        raise InvalidParameter("job_id", job_id, "a job id as refine printed it (22 characters)")
    return f"jobs/{job_id}"


def run(ctx: Context) -> int:
    args = ctx.args
    session = session_from(args)
    if args.operation == "job":
        path = job_path(args.job_id)
        return _ended(ctx, _get(api_http.api_url(args, ctx.env, session) + path, session, args, ctx.env), None)
    body = body_of(args)
    checked(body)  # the handler's reading: an out-of-range number exits 2 here, before anything is sent
    body["client_token"] = args.client_token or str(uuid.uuid4())
    folder = output_folder(args.output_dir)
    base = api_http.api_url(args, ctx.env, session)
    status, answer = api_http.send("POST", base + "refine-image", body, session, args, ctx.env)
    if status != 202 or not isinstance(answer, dict) or "job_id" not in answer:
        raise api_http.error_of(answer, status)
    job_id = str(answer["job_id"])
    url = base + job_path(job_id)
    if not args.json:
        print(f"refine job {job_id}: {status} {answer.get('status')}; watching {url}", file=ctx.out, flush=True)
    files: dict[str, str] = {}  # image id -> its file
    try:
        view = _watch(ctx, url, session, folder, files)
    except KeyboardInterrupt:
        print(
            f"imagegen: stopped watching; job {job_id} keeps running on the deployment. "
            f"Look at it with: {ctx.program} api job {job_id} (GET {url})",
            file=ctx.err,
        )
        return OWN_CODES[INTERRUPTED]
    return _ended(ctx, view, copy_best(view, files, folder))


def _watch(ctx: Context, url: str, session: Any, folder: Path, files: dict[str, str]) -> dict[str, Any]:
    """Poll the job until it ends, printing each round once it appears and saving its image."""
    args, shown = ctx.args, NewRounds()
    while True:
        view = _get(url, session, args, ctx.env)
        for entry in view.get("rounds") or []:
            if not shown.new(entry):
                continue
            file = None
            if entry.get("url") and entry.get("image_id"):
                target = round_file(folder, view["job_id"], entry["round"], entry["url"])
                with urllib.request.urlopen(entry["url"], timeout=60) as answer:
                    target.write_bytes(answer.read())
                file = files[entry["image_id"]] = str(target)
            if not args.json:
                print("\n".join(round_lines(entry, file)), file=ctx.out, flush=True)
        if view.get("status") in ENDED:
            return view
        time.sleep(args.poll_seconds)


def _get(url: str, session: Any, args: argparse.Namespace, env: dict[str, str]) -> dict[str, Any]:
    status, answer = api_http.send("GET", url, None, session, args, env)
    if status != 200 or not isinstance(answer, dict):
        raise api_http.error_of(answer, status)
    return answer


def _ended(ctx: Context, view: dict[str, Any], best_file: str | None) -> int:
    """The summary (or the document with --json); a failed job's one line and exit code."""
    ctx.emit(summary(view, best_file), {"command": f"api {ctx.args.operation}", "job": view, "best_file": best_file})
    return exit_of(ctx, view)
