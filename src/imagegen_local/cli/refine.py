"""`imagegen refine PROMPT`: a refine job run here, in this process, on the core library (the same
settings, bucket and endpoints as `imagegen generate`): generate, judge, revise the prompt, again,
until the target score, the round limit or the budget stops it. Each round is printed and saved as
it finishes (<output-dir>/refine-<job id>/round-<n>.png), the best is copied to <output-dir>/ as
`generate` saves an image (<image id>.png), and a summary table ends it.

The options are POST /refine-image's body (`jobs.OPTIONS` and the field table's models), read by
the handler's own `requests.refine_input`: a bad one exits 2 before anything is paid for."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from imagegen.clock import Deadline, SystemClock
from imagegen.handlers import requests
from imagegen.jobs import OPTIONS, RefineJob, Round
from imagegen.models import fields
from imagegen.usecases.refine import RefineInput

from .aws import pipeline_from
from .body import body_from
from .context import Context
from .images import output_folder
from .options import Parents, add_fields
from .refine_view import failure, round_file, round_lines, summary
from .wording import REFINE_FLAGS

REFINE_SECONDS = 3600.0  # a terminal has no Lambda limit: room for six slow rounds
OWNER = "local"  # the worker's name in the job's lease


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "refine",
        parents=[parents.output, parents.runs],
        help="refine a prompt over rounds until an image reaches a target score",
        description="Run a refine job here: each round generates an image from the prompt, has it judged, and "
        "revises the prompt from what the judge found missing, until a round reaches --target, --rounds have run "
        "or the next round would pass --budget-usd. Each round is printed and saved as it finishes "
        "(OUTPUT-DIR/refine-<job id>/round-<n>.png); the best is copied to OUTPUT-DIR.",
    )
    add_options(parser)
    parser.add_argument("--output-dir", default="generated-images", help="where to save images (default: %(default)s)")
    parser.set_defaults(run=run)


def add_options(parser: argparse.ArgumentParser) -> None:
    """PROMPT, the job's numbers (from `jobs.OPTIONS`) and the models: local and `api refine` alike."""
    parser.add_argument("prompt", help="what the image should show")
    for option in OPTIONS:
        default = "" if option.default is None else f" (default: {option.default:g})"
        parser.add_argument(
            REFINE_FLAGS[option.name],
            dest=option.name,
            type=option.kind,
            metavar="N" if option.kind is int else "USD",
            help=option.help + default,
        )
    add_fields(parser, fields.GENERATE, only=("model", "judge_model"))
    parser.add_argument("--judge", dest="judge_model", help=argparse.SUPPRESS)  # --judge-model's short name


def body_of(args: argparse.Namespace) -> dict[str, Any]:
    """POST /refine-image's body from the arguments."""
    body = body_from(args, fields.GENERATE)
    body = {name: body[name] for name in ("prompt", "model", "judge_model") if name in body}
    body.update({o.name: getattr(args, o.name) for o in OPTIONS if getattr(args, o.name, None) is not None})
    return body


def checked(body: dict[str, Any]) -> RefineInput:
    """The body as the handler reads it: an out-of-range number is refused here, naming its option."""
    return requests.refine_input(body)


def run(ctx: Context) -> int:
    args = ctx.args
    given = checked(body_of(args))
    folder = output_folder(args.output_dir)
    pipeline = pipeline_from(ctx, start_refine=lambda job_id: None)  # this process is the worker
    job_id = str(pipeline.start_refine(given)["job_id"])
    rounds_dir = round_file(folder, job_id, 0, None).parent
    files: dict[str, str] = {}  # image id -> its file

    def on_round(job: RefineJob, entry: Round) -> None:
        key, image_id = entry["image_key"], entry["image_id"]
        file = None
        if key is not None and image_id is not None:
            target = round_file(folder, job_id, entry["round"], key)
            target.write_bytes(pipeline.store.load_image(key))
            file = files[image_id] = str(target)
        if not args.json:
            print("\n".join(round_lines(entry, file)), file=ctx.out, flush=True)

    if not args.json:
        print(f"refine job {job_id}: {given.prompt!r}, up to {given.max_rounds} round(s)", file=ctx.out, flush=True)
    deadline = Deadline.after(SystemClock(), REFINE_SECONDS)
    pipeline.run_refine(job_id, owner=OWNER, deadline=deadline, on_round=on_round)
    view = pipeline.show_job(job_id)
    best_file = copy_best(view, files, folder)
    ctx.emit(
        summary(view, best_file),
        {"command": "refine", "job": view, "rounds_dir": str(rounds_dir), "files": files, "best_file": best_file},
    )
    return exit_of(ctx, view)


def exit_of(ctx: Context, view: dict[str, Any]) -> int:
    """0 for a job that did not fail; else its one line on stderr and its error code's exit code."""
    failed = failure(view)
    if failed is None:
        return 0
    line, code = failed
    print(f"imagegen: {line}", file=ctx.err)
    return code


def copy_best(view: dict[str, Any], files: dict[str, str], folder: Path) -> str | None:
    """The best round's image, copied to the folder `generate` saves to, named as it names one."""
    best = view.get("best")
    if not best or best["image_id"] not in files:
        return None
    source = Path(files[best["image_id"]])
    target = folder / f"{best['image_id']}{source.suffix}"
    target.write_bytes(source.read_bytes())
    return str(target)
