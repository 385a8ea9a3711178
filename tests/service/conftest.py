"""The pipeline and the handlers against a local S3 (moto) and a fake Bedrock client."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from imagegen.config import Settings, model_sets
from imagegen.handlers import evaluate, generate, modify
from imagegen.log import Logger
from imagegen.pipeline import Pipeline
from imagegen.runtime import Runtime
from imagegen.storage import ImageStore, make_s3_client
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.model_instances import reset_model_data
from moto.core.models import MockAWS, botocore_stubber

from imagegen_local.s3conditions import atomic_conditional_writes
from tests.fakes import FakeBedrock, FakeClock, LambdaContext, api_event

BUCKET = "imagegen-test-images"
EPOCH = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # the handlers' wall clock at FakeClock time 0

atomic_conditional_writes()  # as S3 decides them; the verdict's compare-and-set relies on it


def _urls_built_once() -> None:
    """mock_aws builds a backend's table of URL patterns (every path of the service, for every
    base) again for each request it intercepts (moto's stubber says "TODO: cache this part"):
    some 4 s of a run. The table depends on the backend's class alone, so it is built once."""
    urls = BaseBackend.urls.fget
    tables: dict[type, Any] = {}

    def once(backend: BaseBackend) -> Any:
        table = tables.get(type(backend))
        if table is None:
            table = tables[type(backend)] = urls(backend)  # type: ignore[misc]
        return table

    BaseBackend.urls = property(once)  # type: ignore[assignment,method-assign]


_urls_built_once()


class BotocoreOnly(MockAWS):
    """moto's mock_aws for botocore's clients, which is all these tests use. mock_aws also patches
    the `requests` library, adding a callback for every URL pattern of every service, seven methods
    each, on every start: some 20 ms a test. Here the backends are reset as mock_aws resets them,
    and a request made with `requests` is not intercepted (the loopback guard refuses it)."""

    def _enable_patching(self, reset: bool = True) -> None:
        botocore_stubber.enabled = True
        if reset:
            BackendDict.reset()

    def _disable_patching(self, remove_data: bool) -> None:
        botocore_stubber.enabled = False
        if remove_data:
            BackendDict.reset()
            reset_model_data()


@pytest.fixture(scope="session")
def aws_session() -> Any:
    """One boto3 session for the run. mock_aws() drops boto3's default session, and a client built
    on a fresh one loads the S3 service model again (about 0.2 s a test); a client built on this one
    does not. Each test still gets its own client (hooks it registers go with it) on moto's fresh,
    empty backends."""
    return boto3.Session()


@pytest.fixture
def s3(aws_session):
    with BotocoreOnly():
        client = make_s3_client("us-west-2", aws_session)  # the product's client, as the runtime builds it
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        yield client


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def bedrock(clock):
    return FakeBedrock(clock=clock)


def settings_for(profile: str = "current", **overrides: Any) -> Settings:
    chosen = model_sets()[profile]
    values: dict[str, Any] = {
        "bucket": BUCKET,
        "generation_models": (
            chosen["generation"],
            *(("stability.stable-image-ultra-v1:1",) if profile == "current" else ()),
        ),
        "judge_models": (chosen["judge"], "anthropic.claude-haiku-4-5-20251001-v1:0"),
        "modify_models": chosen["modify"],
        "model_set": profile,
        "allow_retired": chosen["allow_retired"],
        "evaluate_function": "imagegen-evaluate",
        "url_expiry_seconds": 900,
    }
    return Settings(**{**values, **overrides})


@dataclass
class World:
    """One deployment under test: its handlers, its storage, and what it did."""

    s3: Any
    bedrock: FakeBedrock
    clock: FakeClock
    settings: Settings
    logs: io.StringIO = field(default_factory=io.StringIO)
    scheduled: list[tuple[str, str]] = field(default_factory=list)
    schedule_error: Exception | None = None
    now: Callable[[], datetime] | None = None
    """The handlers' wall clock; by default it moves with `clock` from EPOCH, never with real time."""
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    """The pipeline's randomness (backoff jitter, seeds), seeded: unseeded, a retry's jitter could
    now and then outgrow a test's time budget, one run in a hundred."""

    def __post_init__(self) -> None:
        if self.now is None:
            self.now = lambda: EPOCH + timedelta(seconds=self.clock.now)

    def runtime(self) -> Runtime:
        log = Logger(self.logs, service="imagegen")

        def schedule(image_id: str, judge_model: str) -> None:
            if self.schedule_error:
                raise self.schedule_error
            self.scheduled.append((image_id, judge_model))

        pipeline = Pipeline(
            bedrock=self.bedrock,
            store=ImageStore(self.s3, self.settings.bucket, url_expiry_seconds=self.settings.url_expiry_seconds),
            settings=self.settings,
            schedule_evaluation=schedule if self.settings.evaluate_function else None,
            clock=self.clock,
            rng=self.rng,
            log=log,
            now=lambda: self.wall(),
        )
        return Runtime(self.settings, pipeline, log)

    def fail_s3(self, operation: str, key_suffix: str = "", times: int = 1_000) -> None:
        """Make S3 refuse `operation` (PutObject, GetObject...) on keys ending with `key_suffix`."""
        budget = [times]

        def refuse(params: dict[str, Any], **_: Any) -> None:
            if params.get("Key", "").endswith(key_suffix) and budget[0] > 0:
                budget[0] -= 1
                raise ClientError(
                    {"Error": {"Code": "InternalError", "Message": "We encountered an internal error."}}, operation
                )

        self.s3.meta.events.register(f"before-parameter-build.s3.{operation}", refuse)

    def wall(self) -> datetime:
        assert self.now is not None
        return self.now()

    def received(self, event: dict[str, Any], seconds_ago: float = 0.0) -> dict[str, Any]:
        """`event`, as API Gateway received it `seconds_ago` by the handlers' clock (api_event
        stamps real time, which a loaded machine lets drift from it)."""
        event["requestContext"]["requestTimeEpoch"] = round((self.wall().timestamp() - seconds_ago) * 1000)
        return event

    def call(self, module: Any, event: dict[str, Any], remaining_ms: int = 29_000) -> tuple[int, dict[str, Any]]:
        """Serve `event`, received just now by the handlers' clock."""
        handler = module.make_handler(self.runtime)
        response = handler(self.received(event), LambdaContext(remaining_ms=remaining_ms, clock=self.clock))
        assert response["headers"]["Content-Type"] == "application/json"
        return response["statusCode"], json.loads(response["body"])

    def generate(self, body: Any, **kw: Any) -> tuple[int, dict[str, Any]]:
        return self.call(generate, api_event("POST", "/generate-image", body), **kw)

    def modify(self, body: Any, **kw: Any) -> tuple[int, dict[str, Any]]:
        return self.call(modify, api_event("POST", "/modify-image", body), **kw)

    def evaluate(self, body: Any, **kw: Any) -> tuple[int, dict[str, Any]]:
        return self.call(evaluate, api_event("POST", "/evaluate-image", body), **kw)

    def describe(self, image_id: str) -> tuple[int, dict[str, Any]]:
        return self.call(evaluate, api_event("GET", "/images/{id}", path={"id": image_id}))

    def object(self, key: str) -> dict[str, Any]:
        return self.s3.get_object(Bucket=BUCKET, Key=key)

    def json_object(self, key: str) -> dict[str, Any]:
        return json.loads(self.object(key)["Body"].read())

    def stored_keys(self) -> list[str]:
        return sorted(o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET).get("Contents", []))

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.logs.getvalue().splitlines()]


@pytest.fixture
def world(s3, bedrock, clock):
    return World(s3=s3, bedrock=bedrock, clock=clock, settings=settings_for())


@pytest.fixture
def image_id(world):
    """A generated image's id (not judged)."""
    _, body = world.generate({"prompt": "a red fox sitting in fresh snow", "evaluate": False})
    return body["image_id"]


@pytest.fixture
def original_world(clock, aws_session):
    """A deployment of the `original` profile (Titan v2, Nova Canvas, Nova Lite) in us-east-1."""
    with BotocoreOnly():
        s3 = make_s3_client("us-east-1", aws_session)
        s3.create_bucket(Bucket=BUCKET)
        yield World(
            s3=s3,
            bedrock=FakeBedrock(region="us-east-1", clock=clock, size=(64, 64)),
            clock=clock,
            settings=settings_for("original"),
        )
