"""The pipeline a command runs: settings (flags over IMAGEGEN_* over the profile), AWS clients for
a terminal, and the bucket checked before any model is paid for."""

from __future__ import annotations

import dataclasses
import io
import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ParamValidationError
from imagegen.clock import Deadline, SystemClock
from imagegen.config import MODEL_SET, RENAMED, Settings, deprecations, model_sets
from imagegen.errors import ConfigurationError, CredentialsMissing, StorageFailure
from imagegen.log import Logger
from imagegen.models.registry import all_models, resolve
from imagegen.models.request import Task
from imagegen.pipeline import Pipeline, StartRefine
from imagegen.storage import ImageStore, make_s3_client, s3_errors

from .context import Context, Usage
from .feedback import terminal

LOCAL_SECONDS = 600.0  # a terminal has no API Gateway limit; a generous deadline still bounds retries


def deadline() -> Deadline:
    return Deadline.after(SystemClock(), LOCAL_SECONDS)


def session_from(args: Any) -> Any:
    """The AWS SDK is loaded here, when a command first calls AWS: `imagegen --help`, `models` and
    `serve --env` start without it (it takes longer to load than they take to run)."""
    import boto3

    return boto3.Session(profile_name=args.aws_profile) if args.aws_profile else boto3.Session()


def settings_from(ctx: Context) -> Settings:
    """The Lambda functions' settings (IMAGEGEN_* over the profile), then the flags. A terminal
    has no IAM limits: any registry model fit for a role may be chosen; the flags pick the default."""
    args, env = ctx.args, ctx.env
    model, judge_model = getattr(args, "model", None), getattr(args, "judge_model", None)
    mode = getattr(args, "mode", None) if args.command == "modify" else None
    for chosen, task in ((model, Task(mode) if mode else Task.GENERATE), (judge_model, Task.JUDGE)):
        if chosen:
            resolve(chosen).record.require(task)  # an unknown id or a wrong role is the caller's input (exit 2)
    if not (args.bucket or env.get("IMAGEGEN_BUCKET")):
        raise ConfigurationError(
            "no bucket: pass --bucket or set IMAGEGEN_BUCKET (the S3 bucket that keeps the images)"
        )
    overrides = {
        "IMAGEGEN_BUCKET": args.bucket,
        MODEL_SET: _model_set(ctx),
        "IMAGEGEN_URL_EXPIRY": args.url_expiry and str(args.url_expiry),
    }
    if overrides[MODEL_SET]:  # the flag over the variables, old name or new
        env = {k: v for k, v in env.items() if k not in (MODEL_SET, *RENAMED)}
    for line in deprecations(env):
        print(f"imagegen: {line}", file=ctx.err)
    settings = Settings.from_env({**env, **{k: v for k, v in overrides.items() if v}})
    modify = dict(settings.modify_models)
    if mode and model:
        modify[mode] = model
    default_model = model if args.command in ("generate", "refine") else None
    chosen = dataclasses.replace(
        settings,
        generation_models=_first(default_model, settings.generation_models, Task.GENERATE),
        judge_models=_first(judge_model, settings.judge_models, Task.JUDGE),
        modify_models=modify,
        allow_retired=settings.allow_retired or args.allow_retired,
    )
    for line in lifecycle_warnings(chosen, args.command, mode, judging=getattr(args, "evaluate", None) is not False):
        print(f"imagegen: warning: {line}", file=ctx.err)
    return chosen


def lifecycle_warnings(settings: Settings, command: str, mode: str | None, *, judging: bool) -> list[str]:
    """A line for each model the command will call that is Legacy (its dates, what to use instead)
    or turns Legacy soon, on clock.today()."""
    used: list[tuple[str, Task]] = []
    if command in ("generate", "batch", "refine"):
        used.append((settings.generation_models[0], Task.GENERATE))
    if command == "modify" and mode is not None and mode in settings.modify_models:
        used.append((settings.modify_model(mode), Task(mode)))
    if command == "evaluate" or command == "refine" or (judging and command in ("generate", "batch", "modify")):
        used.append((settings.judge_models[0], Task.JUDGE))
    lines = (resolve(model_id).record.lifecycle_warning(task) for model_id, task in used)
    return [line for line in lines if line]


def _model_set(ctx: Context) -> str | None:
    """--model-set, or its old name --profile (with a deprecation line)."""
    new, old = ctx.args.model_set, ctx.args.old_profile
    if old is None:
        return str(new) if new else None
    if new is not None and new != old:
        raise Usage(f"--model-set {new} and --profile {old} disagree; give --model-set only")
    print(
        f"imagegen: --profile is deprecated: use --model-set {old} (AWS's tools use --profile for credentials; "
        "here that is --aws-profile)",
        file=ctx.err,
    )
    return str(old)


def _first(chosen: str | None, configured: tuple[str, ...], task: Task) -> tuple[str, ...]:
    """The chosen model (or the configured default) first, then every other registry model for the task."""
    others = [m.id for m in all_models() if m.supports(task)]
    return tuple(dict.fromkeys([*([chosen] if chosen else []), *configured, *others]))


def region_from(args: Any, env: dict[str, str], session: Any, model_set: str) -> str:
    """--region, AWS_REGION, the AWS configuration's region, else the model set's."""
    return str(args.region or env.get("AWS_REGION") or session.region_name or model_sets()[model_set]["region"])


def pipeline_from(ctx: Context, start_refine: StartRefine | None = None) -> Pipeline:
    """The pipeline for a command; `start_refine` starts a refine job's worker (`imagegen refine`
    runs it itself, in the calling thread)."""
    args = ctx.args
    settings = settings_from(ctx)
    session = session_from(args)
    from botocore.config import Config

    region = region_from(args, ctx.env, session, settings.model_set)
    bedrock = session.client(
        "bedrock-runtime",
        region_name=region,
        config=Config(read_timeout=120, retries={"mode": "standard", "total_max_attempts": 1}),
    )
    # no 29 s limit here, and perhaps a slow uplink: the Lambda functions' tight S3 timeouts would misfire
    s3 = make_s3_client(region, session, connect_timeout=5, read_timeout=60, max_attempts=3)
    listeners = (terminal(ctx.err).on_event,)  # a terminal is told of long backoffs (feedback.py)
    log = Logger(ctx.err if args.verbose else _Discard(), service="imagegen-cli", listeners=listeners)
    check_bucket(s3, settings.bucket, "--bucket" if args.bucket else "IMAGEGEN_BUCKET", log)
    store = KeepsUploads(s3, settings.bucket, url_expiry_seconds=settings.url_expiry_seconds)
    return Pipeline(
        bedrock=bedrock,
        store=store,
        settings=settings,
        log=log,
        image_call_seconds=120,
        judge_call_seconds=60,
        start_refine=start_refine,
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


class KeepsUploads(ImageStore):
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


class _Discard(io.StringIO):
    """A log stream that keeps nothing."""

    def write(self, text: str) -> int:
        return len(text)
