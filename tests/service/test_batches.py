"""Batches end to end in this process: POST /batches and GET /batches/{id} through the handler,
the queue and its dead-letter queue on moto's SQS, the worker fed by the event source mapping's
emulation (imagegen_local.sqs_poller), and the Bedrock emulator answering a real client.

The suite runs the batch at ITEMS items (moto spends some 3 ms of CPU on each S3 or SQS call, and
an item takes about eight): IMAGEGEN_BATCH_TEST_ITEMS=500 runs the issue's 500 (some 30 s of CPU)."""

from __future__ import annotations

import io
import itertools
import json
import os
from typing import Any

import pytest
from imagegen import batches
from imagegen.batch_queue import SqsBatchQueue
from imagegen.handlers import batches as handler
from imagegen.log import Logger
from imagegen.models.registry import resolve
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
ITEMS = int(os.environ.get("IMAGEGEN_BATCH_TEST_ITEMS") or 100)


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
        self.report: Any = None  # the deployment's report of a finished batch, if it makes one
        self.mapping = EventSourceMapping(
            self.sqs,
            self.queue_url,
            handler.make_worker(self.runtime, longest_wait=0),
            context=lambda: LambdaContext(remaining_ms=240_000, aws_request_id=f"w{next(self.requests)}", clock=clock),
        )

    def runtime(self) -> Runtime:
        log = Logger(self.logs, service="imagegen")
        report = self.report
        pipeline = Pipeline(
            bedrock=self.bedrock,
            store=ImageStore(self.s3, BUCKET, url_expiry_seconds=900),
            settings=self.settings,
            clock=self.clock,
            log=log,
            now=lambda: EPOCH.fromtimestamp(EPOCH.timestamp() + self.clock.now + self.offset, EPOCH.tzinfo),
            batch_queue=SqsBatchQueue(self.sqs, self.queue_url),
            batch_report=report,
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


@pytest.fixture
def deployment(s3, aws_session, clock):
    return Deployment(s3, aws_session, clock, Faults(throttle_rate=0.5, serve_retired=True, seed=7))


def test_a_batch_with_throttling_a_crash_duplicates_and_poison_pays_for_each_item_once(deployment):
    status, accepted = deployment.submit(
        {"prompts": [{"prompt": f"a lighthouse, study {n}", **SMALLEST} for n in range(ITEMS)], "evaluate": False}
    )
    assert status == 202 and accepted["total"] == ITEMS
    batch_id = accepted["batch_id"]
    poison = ["not json at all", json.dumps({"hello": "world"})]
    for body in poison:
        deployment.sqs.send_message(QueueUrl=deployment.queue_url, MessageBody=body)
    crashed: list[str] = []

    def crash_once(params: dict[str, Any], **_: Any) -> None:
        """The worker dies after the middle item's image is stored and paid for, before its outcome
        is recorded; the invocation's timeout passes before SQS hands its messages out again."""
        if f"/results/{ITEMS // 2:06d}." in params.get("Key", "") and not crashed:
            crashed.append(params["Key"])
            deployment.offset += batches.WORKER_SECONDS + 1
            raise Crash()

    deployment.s3.meta.events.register("before-parameter-build.s3.PutObject", crash_once)
    deployment.mapping.poll()  # the expand message: the first chunk of item messages is queued
    for n in (3, ITEMS // 2, ITEMS - 1):  # SQS delivering some messages twice
        item = {
            "batch_id": batch_id,
            "index": n,
            "item": {"prompt": f"a lighthouse, study {n}", **SMALLEST, "evaluate": False},
        }
        deployment.sqs.send_message(QueueUrl=deployment.queue_url, MessageBody=json.dumps(item))
    assert deployment.mapping.drain(most=400) < 400  # the queue empties

    assert crashed and deployment.mapping.failed_invocations == 1
    throttled = [c for c in deployment.emulator.calls if c.get("error") == "ThrottlingException"]
    assert len(throttled) > ITEMS / 4  # the throttling was real, and some items went back to the queue
    assert '"event": "batch_item_later"' in deployment.logs.getvalue()
    assert len(deployment.image_calls()) == ITEMS  # none paid for twice
    assert deployment.dead_letters() == sorted(poison)  # only the poison went to the dead-letter queue

    status, shown = deployment.show(batch_id, limit="40")
    assert status == 200
    assert (shown["status"], shown["counts"]) == ("done", {"queued": 0, "done": ITEMS, "failed": 0})
    assert shown["estimated_cost_usd"] == pytest.approx(
        ITEMS * resolve(IMAGE_MODEL).record.price.image_cost(1, "standard")
    )
    assert [r["index"] for r in shown["results"]] == list(range(40)) and shown["next_cursor"] == "39"
    assert shown["results"][0]["url"].startswith("https://")
    manifest_key = shown["links"]["manifest"]["key"]
    lines = [
        json.loads(line)
        for line in deployment.s3.get_object(Bucket=BUCKET, Key=manifest_key)["Body"].read().splitlines()
    ]
    assert [line["index"] for line in lines] == list(range(ITEMS))
    assert len({line["image_id"] for line in lines}) == ITEMS  # none lost, each its own image
    _, following = deployment.show(batch_id, limit="40", cursor="39")
    assert following["results"][0]["index"] == 40


def test_an_item_the_model_would_refuse_refuses_the_batch_naming_it_and_queues_nothing(deployment):
    status, answer = deployment.submit({"prompts": [{"prompt": "a fox", **SMALLEST}, {"prompt": "x" * 2000}]})
    assert (status, answer["error"]["code"], answer["error"]["item"]) == (400, "invalid_request", 1)
    assert answer["error"]["message"].startswith("item 1: prompt=")
    assert deployment.mapping.poll() == 0


def test_the_same_key_and_body_answer_the_same_batch_queued_once_another_body_is_refused(deployment):
    body = {"prompts": [{"prompt": "a fox", **SMALLEST}], "client_token": "nightly-2026-12-03"}
    first, again = deployment.submit(body)[1], deployment.submit(body)[1]
    assert again == {**first, "replayed": True}
    deployment.mapping.drain()
    assert len(deployment.image_calls()) == 1  # queued once: one expand message, one item
    status, answer = deployment.submit({**body, "prompts": [{"prompt": "a cat"}]})
    assert (status, answer["error"]["code"]) == (422, "idempotency_key_reused")


def test_an_unknown_batch_is_a_404_and_a_bad_page_a_400(deployment):
    assert deployment.show("b" * 22)[1]["error"]["code"] == "batch_not_found"
    assert deployment.show("b" * 22, limit="0")[0] == 400
    assert deployment.show("not-an-id")[0] == 400


def test_a_batch_from_an_object_of_json_lines_ends_with_its_manifest_and_the_report_the_hook_makes(deployment):
    lines = [{"prompt": f"a heron, study {n}", **SMALLEST} for n in range(3)]
    body = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    deployment.s3.put_object(Bucket=BUCKET, Key="batch-inputs/herons.jsonl", Body=body.encode())
    deployment.report = lambda batch, manifest: f"<p>{batch['total']} items, {len(manifest)} lines</p>".encode()
    status, accepted = deployment.submit({"prompts_key": "batch-inputs/herons.jsonl", "evaluate": False})
    assert (status, accepted["total"]) == (202, 3)
    deployment.mapping.drain()
    _, shown = deployment.show(accepted["batch_id"])
    assert (shown["status"], shown["counts"]["done"], shown["defaults"]) == ("done", 3, {"evaluate": False})
    report = deployment.s3.get_object(Bucket=BUCKET, Key=shown["links"]["report"]["key"])
    assert report["Body"].read() == b"<p>3 items, 3 lines</p>" and report["ContentType"].startswith("text/html")
    assert shown["links"]["manifest"]["url"].startswith("https://")


def test_prompts_key_is_read_only_under_batch_inputs_and_a_missing_object_is_a_400(deployment):
    for key in ("images/x/meta.json", "batch-inputs/none.jsonl"):
        status, answer = deployment.submit({"prompts_key": key})
        assert (status, answer["error"]["field"]) == (400, "prompts_key"), key
