"""`imagegen batch FILE`: a prompt (or a POST /generate-image body) per line, several at a time."""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from imagegen.errors import ImageGenError
from imagegen.handlers import requests
from imagegen.models import fields
from imagegen.pipeline import Pipeline

from imagegen_local.report import render
from imagegen_local.report.render import html_path

from . import batch_remote
from .aws import deadline, pipeline_from
from .context import Context, Usage
from .exits import INTERRUPTED, OWN_CODES, PARTIAL
from .feedback import terminal
from .images import output_folder, save_images
from .options import Parents, add_fields
from .render import shown_path, summary_table

REPORT_NAME = "batch-report.json"  # in the output folder, which git ignores: never in the working directory


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "batch",
        parents=[parents.output, parents.runs],
        help="generate many prompts concurrently",
        description="Generate an image for every prompt in FILE (one per line, or a JSON object "
        "with a prompt and options per line), several at a time. A failed prompt "
        "is reported and does not stop the others.",
    )
    parser.add_argument("file", help="the prompts")
    parser.add_argument("--concurrency", type=int, default=4, help="prompts in flight at once (default: %(default)s)")
    parser.add_argument(
        "--report",
        help=f"the JSON report to write (default: {REPORT_NAME} in OUTPUT_DIR); its page, one HTML file "
        "with every image and verdict, goes beside it (batch-report.html)",
    )
    add_fields(parser, fields.GENERATE, only=("evaluate",))
    parser.add_argument(
        "--output-dir", default="generated-images", help="where to save the images (default: %(default)s)"
    )
    batch_remote.add_options(parser)
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """Every prompt, `--concurrency` at a time; a failure is a result, not a stop. Ctrl-C cancels
    what has not started, waits for what is in flight (it is paid for) and writes the report of
    everything that finished."""
    args = ctx.args
    if args.concurrency < 1:
        raise Usage("--concurrency must be at least 1")
    jobs = read_batch(Path(args.file))
    if args.remote:
        return batch_remote.run(ctx, jobs)
    report_path = Path(args.report) if args.report else Path(args.output_dir) / REPORT_NAME
    if args.report and not (report_path.parent.is_dir() or report_path.parent == Path(args.output_dir)):
        raise Usage(f"cannot write the report to {args.report}: no such folder")
    pipeline = pipeline_from(ctx)
    folder = output_folder(args.output_dir)
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    futures: list[Future[dict[str, Any]]] = []
    collected: set[Future[dict[str, Any]]] = set()
    pool = ThreadPoolExecutor(max_workers=args.concurrency)
    interrupted = False
    screen = terminal(ctx.err)
    try:
        with screen.bar(len(jobs)) as bar:
            futures.extend(pool.submit(run_job, pipeline, job, args, folder) for job in jobs)
            failures = 0
            bar.update(done=0, failed=0, running=min(args.concurrency, len(jobs)))
            for future in as_completed(futures):
                collected.add(future)
                results.append(future.result())
                failures += results[-1]["status"] == "failed"
                left = len(jobs) - len(results)
                bar.update(done=len(results), failed=failures, running=min(args.concurrency, left))
    except KeyboardInterrupt:
        interrupted = True
        running = sum(f.running() for f in futures)
        waiting = f"; waiting for the {running} in flight (already paid for)" if running else ""
        screen.say(f"interrupted: cancelling the prompts not started{waiting}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    if interrupted:  # what was in flight has finished now: it was paid for, so it is reported
        results.extend(finished_late(futures, collected))
    results.sort(key=lambda r: r["line"])
    failed = [r for r in results if r["status"] == "failed"]
    page = html_path(report_path)
    report = {
        "command": "batch",
        "file": args.file,
        "concurrency": args.concurrency,
        "seconds": round(time.monotonic() - started, 2),
        "succeeded": len(results) - len(failed),
        "failed": len(failed),
        "not_run": len(jobs) - len(results),
        "estimated_cost_usd": round(sum(r.get("estimated_cost_usd") or 0 for r in results), 6),
        "results": results,
    }
    report_path.write_text(json.dumps(report, indent=2))
    page.write_text(render(report, report_path.parent), encoding="utf-8")  # the page `imagegen report` renders
    ctx.emit(
        summary_table(results)
        + f"\n{report['succeeded']} succeeded, {len(failed)} failed"
        + (f", {report['not_run']} not run" if interrupted else "")
        + f" in {report['seconds']} s"
        + (f", estimated ${report['estimated_cost_usd']:.4f}" if report["estimated_cost_usd"] else "")
        + f"\nreport: {shown_path(str(report_path))}"
        + f"\npage:   {shown_path(str(page))}",
        {**report, "report": str(report_path), "page": str(page)},  # the report file, and where both went
    )
    if interrupted:
        return OWN_CODES[INTERRUPTED]
    return PARTIAL if failed else 0


def finished_late(
    futures: list[Future[dict[str, Any]]], collected: set[Future[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """The results of the jobs that finished after Ctrl-C stopped the collecting: those in flight
    then. A cancelled job, or one that was itself interrupted, did not run."""
    return [
        f.result() for f in futures if f not in collected and f.done() and not f.cancelled() and f.exception() is None
    ]


def read_batch(path: Path) -> list[dict[str, Any]]:
    """One prompt per line, or a JSON object per line with the fields of POST /generate-image; # comments."""
    jobs = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise Usage(f"cannot read {path}: {exc}") from None
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("{"):
            try:
                body = json.loads(text)
            except ValueError:
                raise Usage(f"{path}:{number}: not a JSON object") from None
        else:
            body = {"prompt": text}
        jobs.append({"line": number, "body": body})
    if not jobs:
        raise Usage(f"{path} holds no prompts")
    return jobs


def run_job(pipeline: Pipeline, job: dict[str, Any], args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """One line of a batch, read as the API reads a POST /generate-image body."""
    body = {**({} if args.evaluate is None else {"evaluate": args.evaluate}), **job["body"]}
    result: dict[str, Any] = {"line": job["line"], "prompt": body.get("prompt")}
    try:
        answer = pipeline.generate(requests.generate_input(body), deadline())
        images = save_images(pipeline, answer, folder)
        first = images[0]
        return {
            **result,
            "status": "ok",
            "image_id": first["image_id"],
            "score": (first["evaluation"] or {}).get("score"),
            "estimated_cost_usd": answer.get("estimated_cost_usd"),
            "url": first["url"],
            "file": first["file"],
            "images": images,
        }
    except ImageGenError as exc:
        return {**result, "status": "failed", "error": {"code": exc.code, "message": exc.message}}
