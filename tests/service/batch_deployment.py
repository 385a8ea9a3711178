"""A deployment's batches in this process, for the batch tests: the batches function and its worker
over moto's S3 and SQS (the queue and its dead-letter queue), the worker fed by the event source
mapping's emulation (imagegen_local.sqs_poller), and the Bedrock emulator answering a real client."""

from __future__ import annotations

import io
import itertools
import json
from typing import Any

from imagegen.batch_queue import SqsBatchQueue
from imagegen.handlers import batches as handler
from imagegen.log import Logger
from imagegen.pipeline import Pipeline
from imagegen.runtime import Runtime
from imagegen.storage import ImageStore

from imagegen_local.emulator.inprocess import in_process
from imagegen_local.emulator.server import Faults
from imagegen_local.sqs_poller import EventSourceMapping, create_queues
from tests.fakes import LambdaContext, api_event
from tests.service.conftest import BUCKET, EPOCH, settings_for

IMAGE_MODEL = "amazon.nova-canvas-v1:0"  # its smallest image (320 x 320) is the cheapest to render
REGION = "us-east-1"
SMALLEST = {"width": 320, "height": 320}


class Crash(BaseException):
    """The worker's process dying: nothing in it catches this."""


class Deployment:
    """The batches function, its worker and its queues over one moto account."""

    def __init__(self, s3: Any, session: Any, clock: Any, faults: Faults) -> None:
        self.s3, self.clock = s3, clock
        self.sqs = session.client("sqs", region_name="us-west-2")
        self.queue_url, self.dlq_url = create_queues(self.sqs, visibility_seconds=0)
        self.emulator, self.bedrock = in_process(faults, region=REGION, session=session)
        self.settings = settings_for("original", generation_models=(IMAGE_MODEL,), evaluate_function=None)
        self.logs = io.StringIO()
        self.offset = 0.0  # seconds the wall clock runs ahead of `clock` (a crashed invocation's timeout)
        self.requests = itertools.count(1)
        self.figures = 500  # lines of a batch's report drawn with their images
        self.mapping = EventSourceMapping(
            self.sqs,
            self.queue_url,
            handler.make_worker(self.runtime, longest_wait=0),
            context=lambda: LambdaContext(remaining_ms=240_000, aws_request_id=f"w{next(self.requests)}", clock=clock),
        )

    def runtime(self) -> Runtime:
        log = Logger(self.logs, service="imagegen")
        pipeline = Pipeline(
            bedrock=self.bedrock,
            store=ImageStore(self.s3, BUCKET, url_expiry_seconds=900),
            settings=self.settings,
            clock=self.clock,
            log=log,
            now=lambda: EPOCH.fromtimestamp(EPOCH.timestamp() + self.clock.now + self.offset, EPOCH.tzinfo),
            batch_queue=SqsBatchQueue(self.sqs, self.queue_url),
            batch_figures=self.figures,
        )
        return Runtime(self.settings, pipeline, log)

    def call(self, event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        response = handler.make_handler(self.runtime)(event, LambdaContext(clock=self.clock))
        return response["statusCode"], json.loads(response["body"])

    def submit(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return self.call(api_event("POST", "/batches", body))

    def show(self, batch_id: str, **query: str) -> tuple[int, dict[str, Any]]:
        event = api_event("GET", "/batches/{id}", path={"id": batch_id})
        event["queryStringParameters"] = query or None
        return self.call(event)

    def image_calls(self) -> list[dict[str, Any]]:
        return [c for c in self.emulator.calls if c.get("model") == IMAGE_MODEL and c["status"] == 200]

    def dead_letters(self) -> list[str]:
        got = self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10)
        return sorted(m["Body"] for m in got.get("Messages", []))
