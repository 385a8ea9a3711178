"""`imagegen compare PROMPTS --models a,b --judges x,y`: every prompt x model x seed generated once
and judged by every judge, several at a time, into a resumable results document (results.json,
imagegen.compare.results) with its summary statistics."""

from __future__ import annotations

import difflib
import json
import math
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError
from imagegen.compare.results import FILENAME, VERSION, Cell, Config, Prompt, Results, asked
from imagegen.errors import ImageGenError
from imagegen.handlers import requests
from imagegen.models.registry import all_models, resolve
from imagegen.models.request import Task as Role
from imagegen.report.text import plural

from imagegen_local.compare import runner
from imagegen_local.report.render import REPORT, render

from .aws import deadline, pipeline_from
from .context import Context, Usage
from .exits import AWS_CONFIGURATION, INTERRUPTED, LOCAL_ERROR, OWN_CODES, PARTIAL
from .feedback import terminal
from .options import Parents
from .render import shown_path

DEFAULT_OUT = "compare-results"
FIXED = ("model", "seed", "evaluate", "judge_model")  # set by the comparison, not by a prompt's line
POOL_THREADS = "imagegen-compare"  # the names of the pool's threads


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "compare",
        parents=[parents.output, parents.runs],
        help="compare models and judges on your prompts",
        description="Generate every prompt of PROMPTS with every model and seed once, have every judge score "
        "each image, and write results.json (every cell, and a summary: mean scores with 95 %% intervals, win "
        "rates, cost, latency, judge agreement) in --out. Run it again with the same --out to finish what is "
        "left: cells done are not paid for again.",
    )
    parser.add_argument("prompts", metavar="PROMPTS", help="a prompt per line, or a JSON object per line")
    parser.add_argument("--models", required=True, help="the image models, comma-separated")
    parser.add_argument("--judges", required=True, help="the judge models, comma-separated")
    parser.add_argument("--seeds", type=int, default=1, help="seeds 1..N per prompt and model (default: 1)")
    parser.add_argument("--concurrency", type=int, default=4, help="cells in flight at once (default: %(default)s)")
    parser.add_argument("--budget-usd", type=float, help="stop before a cell would take the estimate over this")
    parser.add_argument("--out", default=DEFAULT_OUT, help="the results folder (default: %(default)s)")
    parser.add_argument(
        "--retry-failed",
        action="store_true",
        help="run again what failed: a failed cell is generated and judged again; a failed verdict asks its "
        "judge again about the image already made (without it, a rerun keeps failures as they are)",
    )
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    if args.concurrency < 1:
        raise Usage("--concurrency must be at least 1", "imagegen compare")
    if args.seeds < 1:
        raise Usage("--seeds must be at least 1", "imagegen compare")
    if args.budget_usd is not None and not (math.isfinite(args.budget_usd) and args.budget_usd >= 0):
        raise Usage("--budget-usd must be a number of dollars, 0 or more", "imagegen compare")
    models = chosen(args.models, "--models", Role.GENERATE, args.allow_retired)
    judges = chosen(args.judges, "--judges", Role.JUDGE, args.allow_retired)
    prompts = read_prompts(Path(args.prompts))
    config: Config = {
        "models": models,
        "judges": judges,
        "seeds": args.seeds,
        "prompts_file": args.prompts,
        "budget_usd": args.budget_usd,
    }
    folder = Path(args.out)
    doc = existing(folder, prompts, config) or runner.new_document(config, prompts)
    tasks = runner.todo(doc, retry_failed=args.retry_failed)
    store = runner.Store(folder, doc)
    pipeline = pipeline_from(ctx) if tasks else None
    total = len(doc["prompts"]) * len(models) * args.seeds
    already = total - len(tasks)
    screen = terminal(ctx.err)
    paid = runner.spent(doc)
    in_flight: dict[Future[Cell], float] = {}
    pool = started_pool(min(args.concurrency, len(tasks)))
    queue, over_budget, interrupted, failed = list(tasks), 0, False, 0
    crash: Exception | None = None  # a task that raised: the run ends once the cells in flight are stored
    made: list[Cell] = []  # every cell a worker finished, kept by the worker: Ctrl-C anywhere loses none

    def work(task: runner.Task) -> Cell:
        assert pipeline is not None
        cell = runner.run_task(pipeline, task, folder, deadline())
        made.append(cell)
        return cell

    try:
        with screen.bar(total) as bar:
            finished = already
            while queue or in_flight:
                while queue and len(in_flight) < args.concurrency:
                    cost = runner.estimate(queue[0])
                    if args.budget_usd is not None and paid + sum(in_flight.values()) + cost > args.budget_usd:
                        over_budget = len(queue)
                        queue.clear()
                        break
                    in_flight[pool.submit(work, queue.pop(0))] = cost
                bar.update(done=finished, failed=failed, running=len(in_flight))
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        cell = future.result()
                    except Exception as exc:  # not a cell's failure (that is a cell): an OSError, an AWS error
                        crash = crash or exc
                        queue.clear()
                        del in_flight[future]
                        continue
                    store.put(cell)
                    del in_flight[future]
                    paid = runner.spent(doc)
                    finished += 1
                    failed += cell["status"] == "failed"
            bar.update(done=finished, failed=failed, running=0)
    except KeyboardInterrupt:
        interrupted = True
        screen.say("interrupted: waiting for the cells in flight (already paid for)")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    for cell in made:  # the cells in flight at Ctrl-C or a crash, finished since: paid for
        store.put(cell, write=False)
    store.write()
    if crash is not None and not interrupted:
        return crashed(ctx, store, total, crash)
    return report(ctx, store, total, over_budget, interrupted)


def started_pool(workers: int) -> ThreadPoolExecutor:
    """A pool whose `workers` threads all run already: a thread started in a submit that Ctrl-C cut
    short would be left out of the shutdown's join, its cell lost. Each waits at a barrier once."""
    pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix=POOL_THREADS)
    ready = threading.Barrier(max(workers, 1))
    for started in [pool.submit(ready.wait) for _ in range(workers)]:
        started.result()
    return pool


def crashed(ctx: Context, store: runner.Store, total: int, exc: Exception) -> int:
    """A task raised: the cells finished are stored (results.json and the page written); one line
    and a non-zero exit, the error's own for an ImageGenError, else 1 (an unexpected error)."""
    write_page(store)
    what = exc.message if isinstance(exc, ImageGenError) else f"{exc.__class__.__name__}: {exc}"
    message = (
        f"a cell could not be finished ({what}); {len(asked(store.doc))} of {total} cells are stored in "
        f"{shown_path(str(store.path))}: a rerun pays only for the rest"
    )
    if isinstance(exc, ImageGenError):
        return ctx.fail(exc.code, message, exc.exit_code)
    if isinstance(exc, BotoCoreError):
        return ctx.fail(AWS_CONFIGURATION, message, OWN_CODES[AWS_CONFIGURATION])
    return ctx.fail(LOCAL_ERROR, message, PARTIAL)


def write_page(store: runner.Store) -> Path:
    """The page `imagegen report` renders, beside results.json."""
    page = store.path.parent / REPORT
    page.write_text(render(store.doc, store.path.parent), encoding="utf-8")
    return page


def report(ctx: Context, store: runner.Store, total: int, over_budget: int, interrupted: bool) -> int:
    doc = store.doc
    cells = asked(doc)  # the cells of this run's config; results.json keeps earlier runs' others
    failed = [c for c in cells if c["status"] == "failed"]
    verdicts_failed = sum(v["status"] == "failed" for c in cells for v in c["verdicts"].values())
    lines = [f"{'model':<40} {'n':>3} {'mean':>5}  {'95% CI':<13} {'$/image':>8}  p50 ms"]
    for model, s in doc["summary"]["models"].items():
        ci = f"[{s['ci95'][0]:.2f}, {s['ci95'][1]:.2f}]" if s["ci95"] else "-"
        mean = f"{s['mean']:.2f}" if s["mean"] is not None else "-"
        per_image = f"{s['cost_per_image']:.4f}" if s["cost_per_image"] is not None else "-"
        p50 = f"{s['latency_p50_ms']:.0f}" if s["latency_p50_ms"] is not None else "-"
        lines.append(f"{model:<40} {s['n']:>3} {mean:>5}  {ci:<13} {per_image:>8}  {p50}")
    for pair in doc["summary"]["agreement"]:
        rho, kappa = pair["spearman_rho"], pair["weighted_kappa"]
        lines.append(
            f"judges {pair['judges'][0]} / {pair['judges'][1]}: n {pair['n']}, "
            f"rho {'-' if rho is None else f'{rho:.2f}'}, kappa {'-' if kappa is None else f'{kappa:.2f}'}"
        )
    done = len(cells) - len(failed)
    lines.append(
        f"{done} of {total} cells done, {len(failed)} failed, {plural(verdicts_failed, 'verdict')} failed"
        + (f"; stopped at the budget (${doc['config']['budget_usd']}): {over_budget} not run" if over_budget else "")
        + (", interrupted" if interrupted else "")
        + f", estimated ${runner.spent(doc):.4f}"
    )
    if failed or verdicts_failed:
        lines.append("a rerun keeps what failed: --retry-failed runs it again (an image made is not paid for twice)")
    lines.append(f"results: {shown_path(str(store.path))}")
    report = write_page(store)
    lines.append(f"report:  {shown_path(str(report))}")
    ctx.emit(
        "\n".join(lines),
        {
            "command": "compare",
            "results": str(store.path),
            "report": str(report),
            "cells": total,
            "done": done,
            "failed": len(failed),
            "verdicts_failed": verdicts_failed,
            "not_run": total - len(cells),
            "stopped_at_budget": bool(over_budget),
            "estimated_cost_usd": round(runner.spent(doc), 6),
            "summary": doc["summary"],
        },
    )
    if interrupted:
        return OWN_CODES[INTERRUPTED]
    return PARTIAL if failed or verdicts_failed or over_budget else 0


def chosen(given: str, option: str, role: Role, allow_retired: bool) -> list[str]:
    """The ids of a comma-separated option, each known and fit for `role`; else one Usage line
    naming the id and the close matches among the models fit for the role."""
    ids = list(dict.fromkeys(part.strip() for part in given.split(",") if part.strip()))
    if not ids:
        raise Usage(f"{option} names no model", "imagegen compare")
    fit = [m.id for m in all_models() if m.supports(role)]
    doing = "generate images" if role is Role.GENERATE else "judge images"
    for model_id in ids:
        close = difflib.get_close_matches(model_id, fit, n=4, cutoff=0.5)
        hint = f"; did you mean {', '.join(close)}?" if close else f"; models that {doing}: {', '.join(fit)}"
        try:
            record = resolve(model_id).record
        except ImageGenError:
            raise Usage(f"{option}: unknown model id '{model_id}'{hint}", "imagegen compare") from None
        if not record.supports(role):
            raise Usage(f"{option}: {model_id} cannot {doing}{hint}", "imagegen compare")
        if not allow_retired:
            record.check_callable(task=role)
    return ids


def read_prompts(path: Path) -> list[Prompt]:
    """A prompt per line, or a JSON object per line ({"prompt": ..., other generate options});
    blank lines and # comments skipped. Each line's options are checked as generate reads them."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise Usage(f"cannot read {path}: {exc.__class__.__name__}", "imagegen compare") from None
    prompts: list[Prompt] = []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        body: Any = {"prompt": text}
        if text.startswith("{"):
            try:
                body = json.loads(text)
            except json.JSONDecodeError as exc:
                raise Usage(f"{path}:{number}: not a JSON object ({exc.msg})", "imagegen compare") from None
            if not isinstance(body, dict) or not isinstance(body.get("prompt"), str):
                raise Usage(f'{path}:{number}: a JSON line needs "prompt", a string', "imagegen compare")
        options = {k: v for k, v in body.items() if k not in ("prompt", *FIXED)}
        try:
            requests.generate_input({**options, "prompt": body["prompt"], "evaluate": False})
        except ImageGenError as exc:
            raise Usage(f"{path}:{number}: {exc.message}", "imagegen compare") from None
        prompts.append({"index": len(prompts), "prompt": body["prompt"], "options": options})
    if not prompts:
        raise Usage(f"{path} holds no prompts", "imagegen compare")
    return prompts


def existing(folder: Path, prompts: list[Prompt], config: Config) -> Results | None:
    """The results document already in `folder`, to resume, with this run's config; None when
    there is none. Results of other prompts are refused: a new comparison needs its own --out."""
    path = folder / FILENAME
    if not path.exists():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise Usage(f"{path}: cannot be resumed ({exc.__class__.__name__})", "imagegen compare") from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("cells"), list):
        raise Usage(f"{path}: not a results document of imagegen compare", "imagegen compare")
    if doc.get("prompts") != prompts:
        raise Usage(
            f"{path} holds the results of other prompts: give another --out for a new comparison", "imagegen compare"
        )
    doc["config"] = config
    resumed: Results = doc  # type: ignore[assignment]  # read back: the shape this command wrote
    return resumed
