"""The offline world: the Bedrock runtime emulator, a local S3 holding one bucket, and the dev API
serving the real Lambda handlers, all on loopback. `make demo` and `imagegen serve` start it.

    with World() as world:            # every server started, the bucket created
        world.env                     # the variables that point any client at it
        ...                           # every server stopped on the way out, every port closed

The product is pointed at it by the standard variables only (`environment`): there is no offline
branch in product code.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any, NamedTuple, Self, TextIO, TypeVar

from imagegen.handlers.routes import STAGE
from imagegen.storage import make_s3_client

from .emulator.server import Emulator, Faults
from .loopback import HOST, LoopbackServer
from .site import folder
from .sqs_poller import create_queues

BUCKET = "imagegen-demo"
REGION = "us-west-2"
SECOND_JUDGE = "anthropic.claude-haiku-4-5-20251001-v1:0"  # a judge a request may name beside the default
API_URL = "IMAGEGEN_API_URL"  # what `imagegen api` reads
BATCH_QUEUE = "IMAGEGEN_BATCH_QUEUE_URL"  # the batch queue the world creates on the local S3's moto server

Server = TypeVar("Server", bound=LoopbackServer)


def environment(emulator_url: str, s3_url: str, bucket: str = BUCKET) -> dict[str, str]:
    """The standard variables that point the product at the local world (no offline branch)."""
    return {
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": emulator_url,
        "AWS_ENDPOINT_URL_BEDROCK": emulator_url,  # the control plane (imagegen models --live)
        "AWS_ENDPOINT_URL_S3": s3_url,
        "AWS_ENDPOINT_URL_SQS": s3_url,  # moto's server answers every service: the batch queue is on it too
        "AWS_ACCESS_KEY_ID": "emulated",
        "AWS_SECRET_ACCESS_KEY": "emulated",
        "AWS_SESSION_TOKEN": "emulated",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "NO_PROXY": "127.0.0.1,localhost",  # a proxy setting must not carry loopback traffic away
        "no_proxy": "127.0.0.1,localhost",
        "IMAGEGEN_BUCKET": bucket,
        "IMAGEGEN_JUDGE_MODEL": f"amazon.nova-lite-v1:0,{SECOND_JUDGE}",
    }


def world_environment(emulator_url: str, s3_url: str, api_url: str, bucket: str = BUCKET) -> dict[str, str]:
    """`environment()` and the dev API's URL: what points a client, `imagegen api` included, at the world."""
    return {**environment(emulator_url, s3_url, bucket), API_URL: api_url}


class Ports(NamedTuple):
    """Where the three servers listen; 0 is a free port the operating system picks."""

    emulator: int = 0
    s3: int = 0
    api: int = 0

    @classmethod
    def from_base(cls, base: int) -> Ports:
        return cls(base, base + 1, base + 2)

    def urls(self) -> tuple[str, str, str]:
        """The emulator's, the local S3's and the API's URL, as their servers name them."""
        return f"http://{HOST}:{self.emulator}", f"http://{HOST}:{self.s3}", f"http://{HOST}:{self.api}/{STAGE}/"


FREE = Ports()


class PortInUse(OSError):
    def __init__(self, port: int, server: str) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} is in use (wanted for the {server})")
        self.port = port


class World:
    """The three servers, started in order on entry (the bucket created before the API serves) and
    stopped in reverse on exit. While it runs, os.environ holds `environment()` (the handlers the
    dev API serves read it, as in Lambda); the earlier values come back on exit. The dev API serves
    the gallery page at its root when this checkout has it (`page`, default: web/)."""

    def __init__(
        self,
        faults: Faults | None = None,
        ports: Ports = FREE,
        bucket: str = BUCKET,
        log_stream: TextIO | None = None,
        page: Path | None = None,
    ) -> None:
        self.faults, self.ports, self.bucket, self.log_stream = faults, ports, bucket, log_stream
        self.page = page or folder()
        self._running = ExitStack()

    def __enter__(self) -> Self:
        with ExitStack() as starting:
            self.emulator = starting.enter_context(
                _bound(lambda: Emulator(self.faults, port=self.ports.emulator), self.ports.emulator, "Bedrock emulator")
            )
            # moto takes a second to import, the dev API (the handlers, the SDK) a third: only where a
            # world starts (`imagegen serve --env` only reads the variables of one that runs)
            import boto3

            from .devapi import DevApi
            from .s3local import LocalS3

            self.s3 = starting.enter_context(_bound(lambda: LocalS3(self.ports.s3), self.ports.s3, "local S3"))
            starting.callback(_restore, {name: os.environ.get(name) for name in environment("", "")})
            os.environ.update(environment(self.emulator.url, self.s3.url, self.bucket))
            make_s3_client(REGION).create_bucket(
                Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
            )
            starting.callback(_restore, {BATCH_QUEUE: os.environ.get(BATCH_QUEUE)})
            sqs = boto3.client("sqs", region_name=REGION)
            queues = create_queues(sqs)
            # Gone before the local S3 stops: the API's pollers may still be in a long poll on it, and
            # every local S3 of a process shares moto's backends, so the next world's same-named queue
            # would otherwise be theirs too (a message it took would stay invisible).
            starting.callback(_delete_queues, sqs, queues)
            os.environ[BATCH_QUEUE] = queues[0]
            api = _bound(
                lambda: DevApi(port=self.ports.api, log_stream=self.log_stream, page=self.page),
                self.ports.api,
                "dev API",
            )
            self.api = starting.enter_context(api)
            self._running = starting.pop_all()
        return self

    def __exit__(self, *exc: object) -> None:
        self._running.close()

    @property
    def env(self) -> dict[str, str]:
        """What points any client at this world while it runs."""
        return world_environment(self.emulator.url, self.s3.url, self.api.url, self.bucket)


def _delete_queues(sqs: Any, urls: tuple[str, ...]) -> None:
    """Each queue that can be deleted: a local S3 that fails on the way out must not hide why the
    world is ending, nor keep the rest of it from stopping."""
    for url in urls:
        with suppress(Exception):  # the world ends either way; a queue left is the next world's
            sqs.delete_queue(QueueUrl=url)


def _bound(server: Callable[[], Server], port: int, name: str) -> Server:
    try:
        return server()
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(port, name) from None
        raise


def _restore(saved: dict[str, str | None]) -> None:
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
