"""`imagegen`: the pipeline from a terminal, with the same core library the Lambda functions run.

Real AWS by default (the standard credential chain and region); the offline world when
AWS_ENDPOINT_URL_BEDROCK_RUNTIME and AWS_ENDPOINT_URL_S3 point at the emulator and a local S3.
Settings come from flags, then IMAGEGEN_* variables, then the profile.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import io
import json
import os
import sys
import textwrap
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ParamValidationError
from imagegen import errors
from imagegen.clock import Deadline, SystemClock
from imagegen.config import MAX_URL_EXPIRY, MODIFY_MODES, Settings, profiles
from imagegen.errors import (
    ConfigurationError,
    ContentFiltered,
    CredentialsMissing,
    ImageGenError,
    ImageNotFound,
    ImageTooLarge,
    InvalidRequest,
    ModelAccessDenied,
    ModelUnavailable,
    NoTimeLeft,
    StorageFailure,
    Throttled,
    UpstreamFailure,
)
from imagegen.handlers import requests
from imagegen.ids import checked_image_id, looks_like_image_id
from imagegen.log import Logger
from imagegen.models.registry import all_models, resolve
from imagegen.models.request import ImageRequest, Margins, Task
from imagegen.pipeline import GenerateInput, ModifyInput, Pipeline
from imagegen.storage import ImageStore, make_s3_client, s3_errors

from . import api_client
from .api_client import limit_choices

LOCAL_SECONDS = 600.0  # a terminal has no API Gateway limit; a generous deadline still bounds retries

# error class -> exit code, the first that matches (0 is success, 2 is also argparse's code for bad
# usage, and any other error is 1). An error the deployed API answers exits as its code's class
# does here. no_time_left is 4 with throttling: both mean "nothing is wrong, nothing was paid
# for, send it again later", while 8 mixes retryable and final Bedrock failures.
EXIT_CODES: tuple[tuple[type[ImageGenError], int], ...] = (
    (ContentFiltered, 3),
    (Throttled, 4),
    (NoTimeLeft, 4),
    (CredentialsMissing, 6),
    (ConfigurationError, 6),
    (ModelUnavailable, 5),
    (ModelAccessDenied, 5),
    (StorageFailure, 7),
    (UpstreamFailure, 8),
    (InvalidRequest, 2),
    (ImageNotFound, 2),
    (ImageTooLarge, 2),
)
EXIT_PARTIAL = 1


class Usage(Exception):
    """A problem with the command line itself (exit code 2); `prog` is what the line starts with
    (the subcommand's name when argparse found the problem in it), `offers_json` whether that
    command has --json (so that a --json given to it gets the error as JSON too)."""

    def __init__(self, message: str, prog: str = "imagegen", *, offers_json: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog
        self.offers_json = offers_json


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line Usage errors instead of printed and exited."""

    def error(self, message: str) -> NoReturn:
        raise Usage(message, self.prog, offers_json="--json" in self._option_string_actions)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> argparse.Namespace:
        """As argparse's, but an unrecognized option is named with the (sub)command it was given to."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            chosen: argparse.ArgumentParser = self
            for name in (getattr(parsed, "command", None), getattr(parsed, "operation", None)):
                commands = [a for a in chosen._actions if isinstance(a, argparse._SubParsersAction)]
                if name and commands:
                    chosen = commands[0].choices[name]
            chosen.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def _expiry(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_URL_EXPIRY:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_URL_EXPIRY} seconds")
    return int(text)


@dataclass
class Context:
    args: argparse.Namespace
    out: TextIO
    err: TextIO

    def emit(self, human: str, document: dict[str, Any]) -> None:
        if getattr(self.args, "json", False):
            print(json.dumps(document, indent=2, default=str), file=self.out)
        else:
            print(human, file=self.out)


# --- configuration ----------------------------------------------------------------------------


def settings_from(args: argparse.Namespace, env: dict[str, str]) -> Settings:
    """The Lambda functions' settings (IMAGEGEN_* over the profile), then the flags. A terminal
    has no IAM limits: any registry model fit for a role may be chosen; the flags pick the default."""
    for chosen, task in (
        (getattr(args, "model", None), _model_task(args)),
        (getattr(args, "judge_model", None), Task.JUDGE),
    ):
        if chosen:
            resolve(chosen).record.require(task)  # an unknown id or a wrong role is the caller's input (exit 2)
    if not (args.bucket or env.get("IMAGEGEN_BUCKET")):
        raise ConfigurationError(
            "no bucket: pass --bucket or set IMAGEGEN_BUCKET (the S3 bucket that keeps the images)"
        )
    overrides = {
        "IMAGEGEN_BUCKET": args.bucket,
        "IMAGEGEN_PROFILE": args.profile,
        "IMAGEGEN_URL_EXPIRY": args.url_expiry and str(args.url_expiry),
    }
    settings = Settings.from_env({**env, **{k: v for k, v in overrides.items() if v}})
    modify = dict(settings.modify_models)
    if getattr(args, "mode", None) and getattr(args, "model", None) and args.command == "modify":
        modify[args.mode] = args.model
    default_model = args.model if args.command == "generate" and getattr(args, "model", None) else None
    return dataclasses.replace(
        settings,
        generation_models=_first(default_model, settings.generation_models, Task.GENERATE),
        judge_models=_first(getattr(args, "judge_model", None), settings.judge_models, Task.JUDGE),
        modify_models=modify,
        allow_retired=settings.allow_retired or args.allow_retired,
    )


def _first(chosen: str | None, configured: tuple[str, ...], task: Task) -> tuple[str, ...]:
    """The chosen model (or the configured default) first, then every other registry model for the task."""
    others = [m.id for m in all_models() if m.supports(task)]
    return tuple(dict.fromkeys([*([chosen] if chosen else []), *configured, *others]))


def _model_task(args: argparse.Namespace) -> Task:
    return Task(args.mode) if getattr(args, "mode", None) and args.command == "modify" else Task.GENERATE


def region_from(args: argparse.Namespace, env: dict[str, str], session: Any, profile: str) -> str:
    """--region, AWS_REGION, the AWS configuration's region, else the profile's."""
    return args.region or env.get("AWS_REGION") or session.region_name or profiles()[profile]["region"]


def pipeline_from(args: argparse.Namespace, env: dict[str, str], err: TextIO) -> Pipeline:
    settings = settings_from(args, env)
    session = boto3.Session(profile_name=args.aws_profile) if args.aws_profile else boto3.Session()
    region = region_from(args, env, session, settings.profile)
    bedrock = session.client(
        "bedrock-runtime",
        region_name=region,
        config=Config(read_timeout=120, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    # no 29 s limit here, and perhaps a slow uplink: the Lambda functions' tight S3 timeouts would misfire
    s3 = make_s3_client(region, session, connect_timeout=5, read_timeout=60, max_attempts=3)
    log = Logger(err if args.verbose else _Discard(), service="imagegen-cli")
    check_bucket(s3, settings.bucket, "--bucket" if args.bucket else "IMAGEGEN_BUCKET", log)
    store = _KeepsUploads(s3, settings.bucket, url_expiry_seconds=settings.url_expiry_seconds)
    return Pipeline(
        bedrock=bedrock, store=store, settings=settings, log=log, image_call_seconds=120, judge_call_seconds=60
    )


def check_bucket(s3: Any, bucket: str, given_by: str, log: Logger) -> None:
    """The bucket exists, checked before any model is paid for. HEAD needs s3:ListBucket, which a
    policy granting only object access (GetObject, PutObject) lacks: its 403 lets the command go on
    (a warning in the --verbose log), and the first write says whether access is really missing.
    An answer to HEAD has no body, so its status is all there is; storage's own mapping (`s3_errors`)
    reports missing credentials and any other S3 error, as for every S3 call."""
    where = f"bucket {bucket} (from {given_by})"
    with s3_errors(f"check {where}"):
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as exc:
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404 or exc.response.get("Error", {}).get("Code") in ("NoSuchBucket", "NotFound"):
                raise ConfigurationError(f"{where} does not exist: create it or name another") from None
            if status == 400:  # S3's answer to a HEAD with an expired or malformed session token
                raise CredentialsMissing("the AWS credentials were refused (expired session token?)") from None
            if status != 403:
                raise
            log.warning(
                "bucket_not_checked",
                bucket=bucket,
                status=status,
                reason="HEAD needs s3:ListBucket; going on, the first write to the bucket tells whether it is open",
            )
        except ParamValidationError:
            raise ConfigurationError(f"{where} is not a valid bucket name") from None
        except NoCredentialsError:
            raise  # storage's message
        except BotoCoreError as exc:  # S3 unreachable: the reason, which storage keeps for the logs, belongs here
            raise StorageFailure(f"could not reach S3 to check {where}: {exc}") from None


class _KeepsUploads(ImageStore):
    """The store, holding each image it uploads until it is read once: the local copy is written
    from the bytes just sent, not downloaded again."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sent: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def save_image(self, image_id: str, data: bytes, fmt: str) -> str:
        key = super().save_image(image_id, data, fmt)
        with self._lock:
            self._sent[key] = data
        return key

    def load_image(self, key: str) -> bytes:
        with self._lock:
            data = self._sent.pop(key, None)
        return data if data is not None else super().load_image(key)


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)


def deadline() -> Deadline:
    return Deadline.after(SystemClock(), LOCAL_SECONDS)


# --- commands -----------------------------------------------------------------------------------


def image_request(args: argparse.Namespace, task: Task, prompt: str | None) -> ImageRequest:
    fields: dict[str, Any] = {"prompt": prompt}
    if getattr(args, "size", None):
        width, _, height = args.size.lower().partition("x")
        if not (width.isdigit() and height.isdigit()):
            raise Usage(f"--size must be WIDTHxHEIGHT, such as 1024x1024, not {args.size!r}")
        fields["width"], fields["height"] = int(width), int(height)
    for name in (
        "aspect_ratio",
        "seed",
        "count",
        "negative_prompt",
        "quality",
        "cfg_scale",
        "style",
        "mask_prompt",
        "strength",
        "outpaint_mode",
        "grow_mask",
        "creativity",
    ):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    if getattr(args, "mask", None):
        fields["mask_image"] = Path(args.mask).read_bytes()
    if getattr(args, "margins", None):
        fields["margins"] = parse_margins(args.margins)
    return ImageRequest(task=task, **fields)


def parse_margins(text: str) -> Margins:
    parts = text.split(",")
    if len(parts) != 4 or not all(p.strip().isdigit() for p in parts):
        raise Usage(f"--margins must be LEFT,RIGHT,UP,DOWN in pixels, such as 0,256,0,0, not {text!r}")
    left, right, up, down = (int(p) for p in parts)
    return Margins(left=left, right=right, up=up, down=down)


def save_images(pipeline: Pipeline, answer: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    """Each image of an answer, read back from S3 and saved as <image id>.<ext>."""
    saved = []
    for view in answer.get("images") or [answer]:
        target = folder / f"{view['image_id']}{Path(view['key']).suffix}"
        target.write_bytes(pipeline.store.load_image(view["key"]))
        saved.append({**_image_doc(view), "file": str(target)})
    return saved


def output_folder(path: str) -> Path:
    """The folder to save into, made now: an unusable one fails before any image is paid for."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Usage(f"cannot use {path} as the output folder: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise Usage(f"cannot write to the output folder {path}")
    return folder


def _image_doc(view: dict[str, Any]) -> dict[str, Any]:
    keys = ("image_id", "url", "url_expires_at", "model", "seed", "format", "width", "height", "evaluation")
    return {k: view.get(k) for k in keys}


def describe_images(title: str, images: list[dict[str, Any]], answer: dict[str, Any]) -> str:
    lines = [title]
    for image in images:
        lines.append(
            f"  image {image['image_id']}  {image['width']}x{image['height']} {image['format']}  "
            f"model {image['model']}  seed {image['seed']}"
        )
        lines.append(f"    saved   {image['file']}")
        lines.append(f"    url     {image['url']}")
        lines.extend(_verdict_lines(image.get("evaluation") or {}))
    for translation in answer.get("translations") or []:
        lines.append(
            f"  note: {translation['field']} {translation['given']} -> {translation['used']} ({translation['note']})"
        )
    for warning in answer.get("warnings") or []:
        lines.append(f"  warning: {warning['step']}: {warning['message']}")
    if answer.get("notice"):
        lines.append(f"  notice: {answer['notice']}")
    return "\n".join(lines)


def _verdict_lines(evaluation: dict[str, Any], indent: str = "    ") -> list[str]:
    status = evaluation.get("status")
    if status == "done":
        return [
            f"{indent}score   {evaluation['score']}/10 ({evaluation['judge_model']})",
            f"{indent}about   {evaluation['description']}",
            f"{indent}reason  {evaluation['reason']}",
            f"{indent}better  {evaluation['suggestions']}",
            f"{indent}revised {evaluation['revised_prompt']}",
        ]
    if status == "failed":
        return [f"{indent}verdict failed: {evaluation['error']['code']}: {evaluation['error']['message']}"]
    return [f"{indent}verdict {status}"] if status else []


def cmd_generate(ctx: Context, pipeline: Pipeline) -> int:
    args = ctx.args
    folder = output_folder(args.output_dir)
    answer = pipeline.generate(
        GenerateInput(
            request=image_request(args, Task.GENERATE, args.prompt),
            model=args.model,
            evaluate=not args.no_evaluate,
            judge_model=args.judge_model,
        ),
        deadline(),
    )
    images = save_images(pipeline, answer, folder)
    ctx.emit(
        describe_images(f"generated {len(images)} image(s) for {args.prompt!r}", images, answer),
        {"command": "generate", "prompt": args.prompt, "images": images, **_extras(answer)},
    )
    if args.open:
        for image in images:
            webbrowser.open(Path(image["file"]).resolve().as_uri())
    return 0


def cmd_modify(ctx: Context, pipeline: Pipeline) -> int:
    args = ctx.args
    folder = output_folder(args.output_dir)
    image_id = resolve_image(pipeline, args.image, None, ctx.err)
    answer = pipeline.modify(
        ModifyInput(
            image_id=image_id,
            request=image_request(args, Task(args.mode), args.prompt),
            model=args.model,
            evaluate=args.evaluate,
            judge_model=args.judge_model,
        ),
        deadline(),
    )
    images = save_images(pipeline, answer, folder)
    ctx.emit(
        describe_images(f"{args.mode} of {image_id}", images, answer),
        {"command": "modify", "parent_id": image_id, "mode": args.mode, "images": images, **_extras(answer)},
    )
    if args.open:
        webbrowser.open(Path(images[0]["file"]).resolve().as_uri())
    return 0


def cmd_evaluate(ctx: Context, pipeline: Pipeline) -> int:
    args = ctx.args
    image_id = resolve_image(pipeline, args.image, args.prompt, ctx.err, needs_prompt=True)
    answer = pipeline.evaluate(image_id, deadline(), args.judge_model)
    evaluation = answer["evaluation"]
    ctx.emit(
        "\n".join([f"verdict for {image_id}", *_verdict_lines(evaluation, "  ")]),
        {"command": "evaluate", "image_id": image_id, "evaluation": evaluation, **_extras(answer)},
    )
    return 0


def resolve_image(
    pipeline: Pipeline, image: str, prompt: str | None, err: TextIO, *, needs_prompt: bool = False
) -> str:
    """An image id; a file this tool saved (<image id>.<ext>, still in the bucket, its bytes
    unchanged) as that id; any other local file uploaded first, with the prompt it should show.
    A saved file edited since is uploaded as a new image (with the stored image's prompt unless
    one is given), and stderr says so."""
    path = Path(image)
    if path.is_file():
        data = path.read_bytes()
        meta = _stored_meta(pipeline, path.stem)
        if meta is not None and _same_image(pipeline, meta, data):
            return path.stem
        if meta is not None:
            prompt = prompt or meta.get("judge_prompt")
        if needs_prompt and not prompt:
            raise Usage(f"{image} is a local file: pass --prompt with what it should show")
        uploaded = str(pipeline.upload(data, prompt)["image_id"])
        if meta is not None:
            print(
                f"imagegen: {image} differs from stored image {path.stem} (edited since it was saved?): "
                f"uploaded it as new image {uploaded}",
                file=err,
            )
        return uploaded
    if path.exists():
        raise Usage(f"{image} is not an image file")
    try:
        return checked_image_id(image)
    except ImageGenError:
        raise Usage(f"{image!r} is neither a file nor an image id") from None


def _stored_meta(pipeline: Pipeline, stem: str) -> dict[str, Any] | None:
    """The metadata of the stored image a file is named after, if there is one."""
    try:
        return pipeline.store.load_meta(checked_image_id(stem))
    except ImageGenError:
        return None


def _same_image(pipeline: Pipeline, meta: dict[str, Any], data: bytes) -> bool:
    """Whether `data` is the stored image: by the metadata's sha256, else by its bytes."""
    facts = meta.get("image") or {}
    if facts.get("sha256"):
        return bool(hashlib.sha256(data).hexdigest() == facts["sha256"])
    return pipeline.store.load_image(facts["key"]) == data


def cmd_interactive(ctx: Context, pipeline: Pipeline, ask: Callable[[str], str] = input) -> int:
    """The original local flow: a prompt, an image shown and stored, then modifications. An
    empty answer (or the end of input) finishes."""
    args = ctx.args
    first, edits_folder = output_folder(args.output_dir), output_folder(args.updated_dir)

    def question(text: str) -> str:
        try:
            return ask(text).strip()
        except EOFError:
            return ""

    prompt = question("Describe the image to generate: ")
    if not prompt:
        raise Usage("no prompt given")
    answer = pipeline.generate(GenerateInput(request=ImageRequest(prompt=prompt)), deadline())
    images = save_images(pipeline, answer, first)
    print(describe_images("generated", images, answer), file=ctx.out)
    if args.open:
        webbrowser.open(Path(images[0]["file"]).resolve().as_uri())
    current = images[0]["image_id"]
    while change := question(f"Modification ({args.mode}; empty to finish): "):
        edit = pipeline.modify(
            ModifyInput(image_id=current, request=ImageRequest(task=Task(args.mode), prompt=change)), deadline()
        )
        edits = save_images(pipeline, edit, edits_folder)
        print(describe_images(f"{args.mode} of {current}", edits, edit), file=ctx.out)
        if args.open:
            webbrowser.open(Path(edits[0]["file"]).resolve().as_uri())
        current = edits[0]["image_id"]
    return 0


def cmd_batch(ctx: Context, pipeline: Pipeline) -> int:
    """Every prompt, `--concurrency` at a time; a failure is a result, not a stop. Ctrl-C cancels
    what has not started and still writes the report of what finished."""
    args = ctx.args
    if args.concurrency < 1:
        raise Usage("--concurrency must be at least 1")
    jobs = read_batch(Path(args.file))
    folder, report_path = output_folder(args.output_dir), Path(args.report)
    if not report_path.parent.is_dir():
        raise Usage(f"cannot write the report to {args.report}: no such folder")
    started = time.monotonic()
    results: list[dict[str, Any]] = []
    pool = ThreadPoolExecutor(max_workers=args.concurrency)
    interrupted = False
    try:
        futures = [pool.submit(run_job, pipeline, job, args, folder) for job in jobs]
        for done, future in enumerate(as_completed(futures), start=1):
            results.append(future.result())
            progress(ctx.err, done, len(jobs))
    except KeyboardInterrupt:
        interrupted = True
        print("\ninterrupted: cancelling the prompts not started", file=ctx.err)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    results.sort(key=lambda r: r["line"])
    failed = [r for r in results if r["status"] == "failed"]
    report = {
        "command": "batch",
        "file": args.file,
        "concurrency": args.concurrency,
        "seconds": round(time.monotonic() - started, 2),
        "succeeded": len(results) - len(failed),
        "failed": len(failed),
        "not_run": len(jobs) - len(results),
        "results": results,
    }
    report_path.write_text(json.dumps(report, indent=2))
    ctx.emit(
        summary_table(results)
        + f"\n{report['succeeded']} succeeded, {len(failed)} failed"
        + (f", {report['not_run']} not run" if interrupted else "")
        + f" in {report['seconds']} s; report: {args.report}",
        report,
    )
    if interrupted:
        return 130
    return EXIT_PARTIAL if failed else 0


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
    """One line of a batch, parsed as the API parses a POST /generate-image body."""
    body = {"evaluate": not args.no_evaluate, **job["body"]}
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
            "url": first["url"],
            "file": first["file"],
            "images": images,
        }
    except ImageGenError as exc:
        return {**result, "status": "failed", "error": {"code": exc.code, "message": exc.message}}


def progress(err: TextIO, done: int, total: int, width: int = 30) -> None:
    filled = round(width * done / total)
    end = "\n" if done == total else ""
    print(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end=end, file=err, flush=True)


def summary_table(results: list[dict[str, Any]]) -> str:
    rows = [("LINE", "IMAGE ID", "SCORE", "URL OR ERROR")]
    for r in results:
        if r["status"] == "ok":
            rows.append((str(r["line"]), r["image_id"], str(r["score"] if r["score"] is not None else "-"), r["url"]))
        else:
            rows.append((str(r["line"]), "-", "-", f"{r['error']['code']}: {r['error']['message']}"))
    return table(rows)


def cmd_models(ctx: Context) -> int:
    args = ctx.args
    records = [m for m in all_models() if not args.task or m.supports(args.task)]
    docs = [model_doc(m, args.task) for m in records]
    rows = [("MODEL", "ROLES", "STATE", "REGIONS", "PRICE (USD)")]
    for doc in docs:
        rows.append(
            (
                doc["id"] + (f"\n  use {doc['successor']}" if doc["successor"] else ""),
                ", ".join(doc["tasks"]),
                doc["state"] + (f"\nEOL {doc['eol']}" if doc["eol"] else ""),
                ", ".join(doc["regions"] + [f"{p}.*" for p in doc["profiles"]]),
                doc["price"].replace(", ", "\n"),  # one quality's price a line
            )
        )
    ctx.emit(table(rows, wrap=MODELS_WRAP), {"command": "models", "models": docs})
    return 0


# column widths that keep the models table within 120 columns (the longest id is 45 characters,
# the longest role 17, "EOL 2026-06-30" 14, a region 14, a price line 21); --json has every field whole
MODELS_WRAP = (None, 17, 14, 14, 21)


def model_doc(record: Any, task: str | None = None) -> dict[str, Any]:
    """A registry record for people; with a task, the successor is one that can do it."""
    price = record.price
    if price.per_image:
        shown = ", ".join(f"${v:g}/image" + ("" if q == "any" else f" {q}") for q, v in price.per_image.items())
    else:
        shown = f"${price.input_per_million:g}/${price.output_per_million:g} per 1M tokens in/out"
    return {
        "id": record.id,
        "name": record.name,
        "family": record.family,
        "tasks": [t.value for t in record.tasks],
        "state": record.lifecycle.state(),
        "eol": str(record.lifecycle.eol_on) if record.lifecycle.eol_on else None,
        "successor": record.successor_for(task) if record.lifecycle.state() != "active" else None,
        "regions": list(record.regions),
        "profiles": {p: list(r) for p, r in record.profiles.items()},
        "price": shown,
    }


def table(rows: Sequence[Sequence[str]], wrap: Sequence[int | None] | None = None) -> str:
    """Rows of cells in aligned columns; `wrap` gives a column's width to wrap its cells at spaces
    (None: as wide as its widest cell). A cell's newlines start lines of their own."""
    limits = wrap or [None] * len(rows[0])

    def lines(cell: str, width: int | None) -> list[str]:
        parts = cell.split("\n")
        if width is None:
            return parts
        return [
            wrapped
            for part in parts
            for wrapped in textwrap.wrap(part, width, break_long_words=False, break_on_hyphens=False) or [""]
        ]

    cells = [[lines(cell, width) for cell, width in zip(row, limits, strict=True)] for row in rows]
    widths = [max(len(line) for row in cells for line in row[i]) for i in range(len(rows[0]))]
    out = []
    for row in cells:
        for n in range(max(len(cell) for cell in row)):
            parts = [cell[n] if n < len(cell) else "" for cell in row]
            out.append("  ".join(p.ljust(w) for p, w in zip(parts, widths, strict=True)).rstrip())
    return "\n".join(out)


def _extras(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        k: answer[k] for k in ("translations", "warnings", "notice", "estimated_cost_usd", "filtered") if k in answer
    }


# --- the parser ---------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """Each command offers only the options it uses: --json where it prints a document, the AWS
    options where it calls AWS, the pipeline's options where it runs the pipeline."""
    parser = _Parser(
        prog="imagegen",
        description="Generate images on Amazon Bedrock, have a vision model judge them, modify them, and keep "
        "everything in S3 with pre-signed links. Uses your AWS credentials and region; set "
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME and AWS_ENDPOINT_URL_S3 to work against local servers.",
        epilog="Exit codes: 0 done, 1 some batch prompts failed or an unexpected error, 2 bad input, 3 content "
        "filtered, 4 throttled or out of time (send it again), 5 model not available or not granted, 6 credentials "
        "(none, or refused) or configuration (no bucket, or one that does not exist), 7 storage, 8 Bedrock failed, "
        "130 interrupted.",
    )
    output = _Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print one JSON document instead of text (see README)")
    aws = _Parser(add_help=False)
    aws.add_argument("--region", help="AWS region (default: $AWS_REGION, your AWS configuration's, else the profile's)")
    aws.add_argument("--aws-profile", help="named AWS credentials profile (default: the standard chain)")
    runs = _Parser(add_help=False, parents=[aws])  # the commands that run the pipeline
    runs.add_argument("--verbose", action="store_true", help="print the pipeline's JSON logs to stderr")
    runs.add_argument("--bucket", help="S3 bucket for images (default: $IMAGEGEN_BUCKET)")
    runs.add_argument(
        "--profile", choices=sorted(profiles()), help="model profile (default: $IMAGEGEN_PROFILE or current)"
    )
    runs.add_argument("--allow-retired", action="store_true", help="call models past their end of life")
    runs.add_argument(
        "--url-expiry", type=_expiry, help=f"pre-signed URL lifetime, 1 to {MAX_URL_EXPIRY} seconds (default: 3600)"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def image_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--seed", type=int, help="seed (default: a random one, reported)")
        p.add_argument("--negative-prompt", help="what the image should not show")
        p.add_argument(
            "--quality", type=str.lower, choices=limit_choices("qualities"), help="image quality (Titan, Canvas)"
        )
        p.add_argument("--cfg-scale", type=float, help="prompt adherence (Titan, Canvas)")
        p.add_argument("--style", help="Canvas style or Stability style preset")
        p.add_argument("--judge-model", help="judge model id (default: the profile's)")
        p.add_argument("--open", action="store_true", help="open each saved image in the default viewer")

    gen = commands.add_parser(
        "generate",
        parents=[output, runs],
        help="generate an image, save it, upload it, judge it",
        description="Generate images from PROMPT, save them locally, keep them in S3 and print "
        "their pre-signed URLs and verdicts.",
    )
    gen.add_argument("prompt", help="what the image should show")
    gen.add_argument("--model", help="generation model id (default: the profile's)")
    size = gen.add_mutually_exclusive_group()
    size.add_argument("--size", help="WIDTHxHEIGHT, such as 1024x1024 (translated for models that take ratios)")
    size.add_argument("--aspect-ratio", help="W:H, such as 16:9")
    gen.add_argument("--count", type=int, help="how many images (Titan, Canvas: up to 5)")
    gen.add_argument("--no-evaluate", action="store_true", help="skip the judge")
    gen.add_argument("--output-dir", default="generated-images", help="where to save images (default: %(default)s)")
    image_options(gen)

    mod = commands.add_parser(
        "modify",
        parents=[output, runs],
        help="modify a local image or a stored one",
        description="Apply a modify mode to IMAGE (a local file, uploaded first, or an image id) "
        "with PROMPT; save the edit locally and in S3.",
    )
    mod.add_argument("image", help="a local image file or an image id")
    mod.add_argument("prompt", nargs="?", help="the change (not needed for erase, remove-background, upscale)")
    mod.add_argument("--mode", choices=MODIFY_MODES, default="variation", help="what to do (default: %(default)s)")
    mod.add_argument("--model", help="model for this mode (default: the profile's)")
    mod.add_argument(
        "--mask-prompt", help="what to change (replace, recolor, inpaint, erase) or keep (Titan/Canvas outpaint)"
    )
    mod.add_argument("--mask", help="a PNG mask of the image's size: white = change")
    mod.add_argument("--strength", type=float, help="how far from the source, 0 (keep) to 1 (ignore it)")
    mod.add_argument("--margins", help="outpaint: LEFT,RIGHT,UP,DOWN pixels to add")
    mod.add_argument(
        "--outpaint-mode",
        type=str.upper,
        choices=limit_choices("outpaint_modes"),
        help="how strictly outpainting keeps the masked area (Titan, Canvas)",
    )
    mod.add_argument("--grow-mask", type=int, help="pixels to grow the mask (Stability)")
    mod.add_argument("--creativity", type=float, help="Stability outpaint and upscale creativity")
    mod.add_argument("--evaluate", action="store_true", help="judge the edit too")
    mod.add_argument("--output-dir", default="updated-images", help="where to save the edit (default: %(default)s)")
    image_options(mod)

    ev = commands.add_parser(
        "evaluate",
        parents=[output, runs],
        help="judge an image against its prompt",
        description="Judge IMAGE (an image id, or a local file with --prompt) and print the score, "
        "description, reason and suggestions.",
    )
    ev.add_argument("image", help="an image id or a local image file")
    ev.add_argument("--prompt", help="the prompt a local file should show (ids keep theirs)")
    ev.add_argument("--judge-model", help="judge model id (default: the profile's)")

    inter = commands.add_parser(
        "interactive",
        parents=[runs],  # no --json: it talks with a person
        help="the original flow, asking at each step",
        description="Ask for a prompt, generate, show and store the image; then ask for "
        "modifications and apply each in turn until an empty answer.",
    )
    inter.add_argument(
        "--mode", choices=MODIFY_MODES, default="variation", help="how to apply modifications (default: %(default)s)"
    )
    inter.add_argument(
        "--output-dir", default="generated-images", help="where to save the first image (default: %(default)s)"
    )
    inter.add_argument(
        "--updated-dir", default="updated-images", help="where to save each modification (default: %(default)s)"
    )
    inter.add_argument("--open", action="store_true", help="open each image in the default viewer")

    batch = commands.add_parser(
        "batch",
        parents=[output, runs],
        help="generate many prompts concurrently",
        description="Generate an image for every prompt in FILE (one per line, or a JSON object "
        "with a prompt and options per line), several at a time. A failed prompt "
        "is reported and does not stop the others.",
    )
    batch.add_argument("file", help="the prompts")
    batch.add_argument("--concurrency", type=int, default=4, help="prompts in flight at once (default: %(default)s)")
    batch.add_argument("--report", default="batch-report.json", help="the JSON report to write (default: %(default)s)")
    batch.add_argument("--no-evaluate", action="store_true", help="skip the judge")
    batch.add_argument(
        "--output-dir", default="generated-images", help="where to save the images (default: %(default)s)"
    )

    models = commands.add_parser(
        "models",
        parents=[output],  # the registry alone: no AWS call, no bucket
        help="the model registry as a table",
        description="Every model the project knows: its roles, lifecycle, regions and price.",
    )
    models.add_argument("--task", choices=[t.value for t in Task], help="only models that can do this")

    api_client.add_parser(commands, [output, aws])
    return parser


# --- entry point --------------------------------------------------------------------------------


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    ask: Callable[[str], str] = input,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    env = dict(os.environ)  # settings and boto3 both read the process environment
    parser = build_parser()
    given = list(argv if argv is not None else sys.argv[1:])
    if not given:  # no command: what there is to run
        print(parser.format_help(), end="", file=err)
        return 2
    try:
        args = parser.parse_args(given)
    except Usage as exc:
        message = exc.message
        dashed = [a for a in given if a.startswith("-") and looks_like_image_id(a)]
        if dashed and "--" not in given:
            message += f" (an image id that starts with '-' goes after '--': imagegen ... -- {dashed[0]})"
        as_json = exc.offers_json and "--json" in given
        return fail(Context(argparse.Namespace(json=as_json), out, err), "usage", message, 2, exc.prog)
    ctx = Context(args, out, err)
    try:
        if args.command == "models":
            return cmd_models(ctx)
        if args.command == "api":
            return api_client.run(ctx, env)
        pipeline = pipeline_from(args, env, err)
        if args.command == "interactive":
            return cmd_interactive(ctx, pipeline, ask)
        handlers: dict[str, Callable[[Context, Pipeline], int]] = {
            "generate": cmd_generate,
            "modify": cmd_modify,
            "evaluate": cmd_evaluate,
            "batch": cmd_batch,
        }
        return handlers[args.command](ctx, pipeline)
    except Usage as exc:
        return fail(ctx, "usage", exc.message, 2, exc.prog)
    except ImageGenError as exc:
        return fail(ctx, exc.code, exc.message, exit_code(exc))
    except BotoCoreError as exc:  # e.g. an unknown --aws-profile
        return fail(ctx, "aws_configuration", str(exc), 6)
    except (OSError, ValueError) as exc:
        return fail(ctx, "local_error", str(exc), 2)
    except KeyboardInterrupt:
        return fail(ctx, "interrupted", "interrupted", 130)


def exit_code(exc: ImageGenError) -> int:
    """By the error's class; for an error the deployed API answered, by the class its code names
    (so it exits as the same error does here), else by its HTTP status."""
    if isinstance(exc, api_client.ApiError):
        kind = API_ERRORS.get(exc.code)
        return _exit_for(kind) if kind else exc.status_exit
    return _exit_for(type(exc))


def _exit_for(kind: type[ImageGenError]) -> int:
    return next((code for cls, code in EXIT_CODES if issubclass(kind, cls)), 1)


def _error_classes(kind: type[ImageGenError]) -> list[type[ImageGenError]]:
    return [kind, *(c for sub in kind.__subclasses__() for c in _error_classes(sub))]


# the API's error codes: every code of the project's taxonomy, and the class that has it
API_ERRORS = {kind.code: kind for kind in _error_classes(ImageGenError) if kind.__module__ == errors.__name__}


def fail(ctx: Context, code: str, message: str, exit_status: int, prog: str = "imagegen") -> int:
    """One readable line on stderr, `prog: message` (and the error as JSON on stdout with --json)."""
    print(f"{prog}: {message}", file=ctx.err)
    if getattr(ctx.args, "json", False):
        print(json.dumps({"error": {"code": code, "message": message}}), file=ctx.out)
    return exit_status


if __name__ == "__main__":
    sys.exit(main())
