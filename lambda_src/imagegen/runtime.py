"""What a Lambda function needs, built once per container from its environment."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

import boto3
from botocore.config import Config

from .batch_queue import SqsBatchQueue
from .config import Settings
from .errors import ConfigurationError
from .log import Logger
from .metrics import Metrics
from .pipeline import Pipeline, ScheduleEvaluation, StartRefine
from .storage import ImageStore, make_s3_client

IMAGE_CALL_SECONDS = 22.0  # read timeout of one image call: it must end inside API Gateway's 29 s
CONNECT_SECONDS = 2.0
# botocore fixes a client's timeouts when the client is built: a call cannot be given "the time
# left". So the pipeline starts no call, first or retried, unless its whole budget (connect +
# read timeout) fits before the deadline, and a client's read timeout is what bounds the call.
# An API request has at best 29 s less the 2 s margin = 27 s: an image call (22 + 2 s) still
# starts when up to 3 s went before it (a cold start, the reads of a modify); with less time
# left it fails fast (no_time_left, 503) before anything is paid for. A judge call (12 + 2 s by
# default, 20 + 2 s in the evaluate function) that does not fit is deferred to the background.
SCHEDULE_CONFIG = Config(
    # An Event invocation is answered in tens of milliseconds; it starts when a request is
    # nearly out of time, so it gets at most 1 + 2 s, and one attempt: a retry after a lost
    # answer could start, and pay for, the same evaluation twice.
    connect_timeout=1,
    read_timeout=2,
    retries={"mode": "standard", "total_max_attempts": 1},
)

SQS_CONFIG = Config(connect_timeout=1, read_timeout=5, retries={"mode": "standard", "total_max_attempts": 3})


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    pipeline: Pipeline
    log: Logger

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        judge_timeout: float | None = None,
        schedule_evaluation: ScheduleEvaluation | None = None,
        start_refine: StartRefine | None = None,
        log_stream: TextIO | None = None,
    ) -> Runtime:
        """Clients for the function's region. Bedrock clients do not retry on their own: the
        pipeline retries throttling itself, inside the time the request has left. The judge's
        read timeout defaults to the time kept for it, so a slow judge cannot outlive the request."""
        env = os.environ if env is None else env
        settings = Settings.from_env(env)
        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if not region:
            raise ConfigurationError("no AWS region configured: set AWS_REGION")
        log = function_log(log_stream, env.get("AWS_LAMBDA_FUNCTION_NAME"))
        judge_seconds = judge_timeout or settings.judge_seconds
        pipeline = Pipeline(
            bedrock=_bedrock(region, read_timeout=IMAGE_CALL_SECONDS),
            judge_bedrock=_bedrock(region, read_timeout=judge_seconds),
            image_call_seconds=IMAGE_CALL_SECONDS + CONNECT_SECONDS,
            judge_call_seconds=judge_seconds + CONNECT_SECONDS,
            store=ImageStore(make_s3_client(region), settings.bucket, url_expiry_seconds=settings.url_expiry_seconds),
            settings=settings,
            schedule_evaluation=schedule_evaluation
            or (
                evaluation_scheduler(
                    boto3.client("lambda", region_name=region, config=SCHEDULE_CONFIG),
                    settings.evaluate_function,
                )
                if settings.evaluate_function
                else None
            ),
            start_refine=start_refine
            or (
                refine_starter(
                    boto3.client("lambda", region_name=region, config=SCHEDULE_CONFIG), settings.refine_function
                )
                if settings.refine_function
                else None
            ),
            batch_queue=SqsBatchQueue(
                boto3.client("sqs", region_name=region, config=SQS_CONFIG), settings.batch_queue_url
            )
            if settings.batch_queue_url
            else None,
            log=log,
        )
        return cls(settings, pipeline, log)


def function_log(stream: TextIO | None, function: str | None) -> Logger:
    """A function's logger: JSON lines, and the metrics its events count as EMF lines beside them."""
    return Logger(stream, service="imagegen", function=function, listeners=(Metrics(stream).on_event,))


def cached(factory: Callable[[], Runtime]) -> Callable[[], Runtime]:
    """Build on first use and keep it for the container's life; a failure is not kept, so a
    fixed configuration takes effect without a cold start."""
    holder: list[Runtime] = []

    def get() -> Runtime:
        if not holder:
            holder.append(factory())
        return holder[0]

    return get


def built_at_init(factory: Callable[[], Runtime], env: Mapping[str, str] | None = None) -> Callable[[], Runtime]:
    """`cached(factory)`, built at once when `env` (default: os.environ) is a function's: a
    handler module's import is Lambda's init phase, which runs before the first request is
    timed. Building needs credentials in the environment, as Lambda gives them: elsewhere
    (a profile, SSO, instance metadata) a client would look them up at import, so the build
    waits for the first use. A build that fails here is tried again, and answered, by the
    first request."""
    get = cached(factory)
    env = os.environ if env is None else env
    if env.get("AWS_ACCESS_KEY_ID") and env.get("AWS_SECRET_ACCESS_KEY"):
        with contextlib.suppress(Exception):
            get()
    return get


def _bedrock(region: str, *, read_timeout: float) -> Any:
    config = Config(
        connect_timeout=CONNECT_SECONDS,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": 1},
    )
    return boto3.client("bedrock-runtime", region_name=region, config=config)


def evaluation_scheduler(lambda_client: Any, function: str) -> ScheduleEvaluation:
    """Start the evaluate function asynchronously (an Event invocation) for one image."""

    def schedule(image_id: str, judge_model: str) -> None:
        payload = json.dumps({"image_id": image_id, "judge_model": judge_model}).encode()
        lambda_client.invoke(FunctionName=function, InvocationType="Event", Payload=payload)

    return schedule


def _refine_starter(region: str, function: str | None) -> StartRefine | None:
    if not function:
        return None
    return refine_starter(boto3.client("lambda", region_name=region, config=SCHEDULE_CONFIG), function)


def refine_starter(lambda_client: Any, function: str) -> StartRefine:
    """Start the refine worker asynchronously (an Event invocation) for one job."""

    def start(job_id: str) -> None:
        payload = json.dumps({"job_id": job_id}).encode()
        lambda_client.invoke(FunctionName=function, InvocationType="Event", Payload=payload)

    return start
