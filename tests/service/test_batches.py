"""Batches end to end in this process: POST /batches and GET /batches/{id} through the handler,
the queue and its dead-letter queue on moto's SQS, the worker fed by the event source mapping's
emulation (imagegen_local.sqs_poller), and the Bedrock emulator answering a real client.

The suite runs the batch at ITEMS items (moto spends some 3 ms of CPU on each S3 or SQS call, and
an item takes about eight): IMAGEGEN_BATCH_TEST_ITEMS=500 runs the issue's 500 (some 30 s of CPU)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from imagegen import batches
from imagegen.models.registry import resolve

from imagegen_local.emulator.server import Faults
from tests.service.batch_deployment import IMAGE_MODEL, SMALLEST, Crash, Deployment
from tests.service.conftest import BUCKET

ITEMS = int(os.environ.get("IMAGEGEN_BATCH_TEST_ITEMS") or 100)


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


def test_an_item_asking_for_several_images_refuses_the_batch_naming_it(deployment):
    """An item's outcome, the manifest's line and the report's figure hold one image: a count of 2
    would pay for an image that no record of the batch names."""
    status, answer = deployment.submit({"prompts": [{"prompt": "a fox", **SMALLEST}, {"prompt": "a fox", "count": 2}]})
    assert (status, answer["error"]["code"], answer["error"]["item"]) == (400, "invalid_request", 1)
    assert "count" in answer["error"]["message"] and "one image an item" in answer["error"]["message"]
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


def test_a_batch_from_an_object_of_json_lines_ends_with_its_manifest(deployment):
    lines = [{"prompt": f"a heron, study {n}", **SMALLEST} for n in range(3)]
    body = "\n".join(json.dumps(line) for line in lines) + "\n\n"
    deployment.s3.put_object(Bucket=BUCKET, Key="batch-inputs/herons.jsonl", Body=body.encode())
    status, accepted = deployment.submit({"prompts_key": "batch-inputs/herons.jsonl", "evaluate": False})
    assert (status, accepted["total"]) == (202, 3)
    deployment.mapping.drain()
    _, shown = deployment.show(accepted["batch_id"])
    assert (shown["status"], shown["counts"]["done"], shown["defaults"]) == ("done", 3, {"evaluate": False})
    manifest = deployment.s3.get_object(Bucket=BUCKET, Key=shown["links"]["manifest"]["key"])
    assert len(manifest["Body"].read().splitlines()) == 3 and shown["links"]["manifest"]["url"].startswith("https://")


def test_prompts_key_is_read_only_under_batch_inputs_and_a_missing_object_is_a_400(deployment):
    for key in ("images/x/meta.json", "batch-inputs/none.jsonl"):
        status, answer = deployment.submit({"prompts_key": key})
        assert (status, answer["error"]["field"]) == (400, "prompts_key"), key
