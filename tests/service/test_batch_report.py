"""A finished batch's HTML report: GET /batches/{id} asks for it once and answers pending, the batch
worker builds it from the bucket (every line in the summary, figures for the first lines with
their thumbnails inline), and a report message delivered twice, or after a crash, leaves one page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from imagegen import batches
from imagegen.batch_queue import SqsBatchQueue
from imagegen.handlers import batches as handler
from imagegen.usecases import batch_report

from imagegen_local.emulator.server import Faults
from tests.fakes import LambdaContext
from tests.service.batch_deployment import SMALLEST, Crash, Deployment
from tests.service.conftest import BUCKET

FIGURES = 3
PROMPTS = [f"a heron in the reeds, study {n}" for n in range(4)] + ["a heron [blocked]"]  # the last is filtered


@pytest.fixture
def deployment(s3, aws_session, clock):
    deployed = Deployment(s3, aws_session, clock, Faults(serve_retired=True, seed=7))
    deployed.figures = FIGURES
    return deployed


def finished(deployment: Deployment) -> str:
    """A batch of PROMPTS, judged, run to its end; its id."""
    _, accepted = deployment.submit({"prompts": [{"prompt": p, **SMALLEST} for p in PROMPTS], "evaluate": True})
    deployment.mapping.drain()
    return str(accepted["batch_id"])


def report_messages(deployment: Deployment) -> list[dict[str, Any]]:
    """The messages waiting in the batch queue (taken off it)."""
    got = deployment.sqs.receive_message(QueueUrl=deployment.queue_url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def page_of(deployment: Deployment, batch_id: str) -> str:
    return str(deployment.s3.get_object(Bucket=BUCKET, Key=batch_report.report_key(batch_id))["Body"].read().decode())


def test_a_finished_batch_answers_pending_then_links_a_page_of_every_line_with_the_first_lines_figures(deployment):
    batch_id = finished(deployment)
    _, shown = deployment.show(batch_id)
    assert shown["status"] == "done" and shown["links"]["report"] == {"status": "pending"}
    assert "warnings" not in shown
    assert deployment.mapping.drain() == 1  # the report message, in one invocation

    _, shown = deployment.show(batch_id)
    link = shown["links"]["report"]
    assert link["key"] == f"batches/{batch_id}/report.html" and link["url"].startswith("https://")
    stored = deployment.s3.get_object(Bucket=BUCKET, Key=link["key"])
    assert stored["ContentType"] == "text/html; charset=utf-8"
    html = stored["Body"].read().decode()
    assert html.startswith("<!doctype html>") and "Batch " + batch_id in html
    assert [p for p in PROMPTS if f"<p class=prompt-text>{p}</p>" in html] == PROMPTS[:FIGURES]
    assert "Figures for the first 3 of 5 lines; the manifest lists all." in html
    thumbnails = re.findall(r'<img src="data:image/jpeg;base64,[A-Za-z0-9+/=]+"', html)
    assert len(thumbnails) == FIGURES and "<figure>" in html
    assert html.count("<span class=score>") == FIGURES  # each figure's verdict, with its sub-scores
    assert "prompt adherence" in html and "checklist:" in html
    models = html.split('id="model-summary"')[1].split("</table>")[0]
    rows = {
        cells[0]: cells[-3:] for cells in (re.findall(r">([^<]*)</td>", row) for row in models.split("<tr>")) if cells
    }
    assert rows["amazon.nova-canvas-v1:0"] == ["4", "4", "0"]  # every line counted: images, judged, failed
    assert rows["failed lines"] == ["0", "0", "1"]


def test_a_second_get_queues_no_second_report_message(deployment):
    batch_id = finished(deployment)
    for _ in range(2):
        assert deployment.show(batch_id)[1]["links"]["report"] == {"status": "pending"}
    assert report_messages(deployment) == [{"batch_id": batch_id, "report": True}]


def test_a_report_message_delivered_twice_and_a_crash_while_storing_the_page_leave_one_complete_page(deployment):
    batch_id = finished(deployment)
    deployment.show(batch_id)  # queues the report
    deployment.sqs.send_message(QueueUrl=deployment.queue_url, MessageBody=batch_report.message(batch_id))
    crashed: list[str] = []

    def crash_once(params: dict[str, Any], **_: Any) -> None:
        """The worker dies after recording the batch's items, as it stores the page."""
        if params.get("Key", "").endswith("/report.html") and not crashed:
            crashed.append(params["Key"])
            raise Crash()

    deployment.s3.meta.events.register("before-parameter-build.s3.PutObject", crash_once)
    reads: list[str] = []
    deployment.s3.meta.events.register(
        "before-parameter-build.s3.GetObject", lambda params, **_: reads.append(params.get("Key", ""))
    )
    deployment.mapping.drain()
    assert crashed and deployment.mapping.failed_invocations == 1
    html = page_of(deployment, batch_id)
    assert len(re.findall(r'<img src="data:image/jpeg;base64,', html)) == FIGURES
    assert "Figures for the first 3 of 5 lines" in html
    # the delivery after the crash read the recorded chunk, not the items' images again
    assert sum(1 for key in reads if key.endswith("/meta.json")) == len(PROMPTS) - 1
    assert deployment.show(batch_id)[1]["links"]["report"]["key"] == batch_report.report_key(batch_id)
    assert deployment.dead_letters() == []


def test_a_report_delivery_short_of_time_records_nothing_and_is_delivered_again(deployment, clock):
    batch_id = finished(deployment)
    deployment.show(batch_id)
    (body,) = [m["Body"] for m in deployment.sqs.receive_message(QueueUrl=deployment.queue_url)["Messages"]]
    record = {"messageId": "m1", "body": body, "receiptHandle": "r1", "attributes": {"ApproximateReceiveCount": "1"}}
    short = LambdaContext(remaining_ms=(batch_report.CHUNK_SECONDS - 10) * 1000, aws_request_id="w-short", clock=clock)
    answer = handler.make_worker(deployment.runtime, longest_wait=0)({"Records": [record]}, short)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    listed = deployment.s3.list_objects_v2(Bucket=BUCKET, Prefix=f"batches/{batch_id}/report")["Contents"]
    assert [entry["Key"] for entry in listed] == [batch_report.requested_key(batch_id)]


def test_a_report_the_worker_fails_on_every_time_is_asked_for_again_by_the_next_get(deployment):
    batch_id = finished(deployment)
    deployment.show(batch_id)  # queues the report
    failing = [True]

    def refuse(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key", "").endswith("/report.html") and failing[0]:
            raise ConnectionError("S3 refuses the page")  # a failure the worker survives

    deployment.s3.meta.events.register("before-parameter-build.s3.PutObject", refuse)
    deployment.mapping.drain()
    assert len(deployment.dead_letters()) == 1  # every delivery failed: on to the dead-letter queue
    failing[0] = False
    assert deployment.show(batch_id)[1]["links"]["report"] == {"status": "pending"}
    assert report_messages(deployment) == [{"batch_id": batch_id, "report": True}]  # asked for anew


def test_a_read_s3_slows_down_on_is_not_recorded_as_missing_the_next_delivery_reads_it(deployment):
    batch_id = finished(deployment)
    deployment.show(batch_id)  # queues the report
    slowed: list[str] = []

    def slow_down_once(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key", "").endswith("/evaluation.json") and not slowed:
            slowed.append(params["Key"])
            raise ClientError(
                {"Error": {"Code": "SlowDown", "Message": "Please reduce your request rate."}}, "GetObject"
            )

    deployment.s3.meta.events.register("before-parameter-build.s3.GetObject", slow_down_once)
    deployment.mapping.drain()
    html = page_of(deployment, batch_id)
    assert slowed and len(re.findall(r"<span class=score>\d+/10</span>", html)) == FIGURES  # every figure judged
    assert deployment.dead_letters() == []


def test_a_report_message_before_the_batch_is_finished_withdraws_the_request(deployment):
    _, accepted = deployment.submit({"prompts": [{"prompt": p, **SMALLEST} for p in PROMPTS], "evaluate": True})
    batch_id = str(accepted["batch_id"])
    store = batches.Batches(deployment.runtime().pipeline.services.store)
    assert store.mark(batch_report.requested_key(batch_id))
    deployment.sqs.send_message(QueueUrl=deployment.queue_url, MessageBody=batch_report.message(batch_id))
    deployment.mapping.drain()  # the report message may come before the items' outcomes
    shown = deployment.show(batch_id)[1]
    assert shown["status"] == "done" and shown["links"]["report"] == {"status": "pending"}
    assert {"batch_id": batch_id, "report": True} in report_messages(deployment)  # asked for again


def test_a_queue_out_of_reach_leaves_the_answer_whole_and_the_report_asked_for_by_the_next_get(deployment, monkeypatch):
    batch_id = finished(deployment)

    def unreachable(self: SqsBatchQueue, bodies: list[str], delay: int = 0) -> None:
        raise EndpointConnectionError(endpoint_url="https://sqs.us-west-2.amazonaws.com/")

    sending = SqsBatchQueue.send
    monkeypatch.setattr(SqsBatchQueue, "send", unreachable)
    status, shown = deployment.show(batch_id)
    assert status == 200 and shown["links"]["manifest"]["url"]  # the counts and the manifest still answered
    assert shown["links"]["report"] == {"status": "pending"}
    assert [w["step"] for w in shown["warnings"]] == ["queue the batch's report"]
    monkeypatch.setattr(SqsBatchQueue, "send", sending)
    deployment.show(batch_id)
    assert report_messages(deployment) == [{"batch_id": batch_id, "report": True}]


def test_a_report_whose_worker_is_killed_every_time_is_asked_for_again_once_its_request_is_stale(deployment):
    batch_id = finished(deployment)
    deployment.show(batch_id)  # queues the report

    def killed(params: dict[str, Any], **_: Any) -> None:
        if params.get("Key", "").endswith("/report.html"):
            raise Crash()  # the function's timeout: nothing of the worker runs after it

    deployment.s3.meta.events.register("before-parameter-build.s3.PutObject", killed)
    deployment.mapping.drain()
    deployment.s3.meta.events.unregister("before-parameter-build.s3.PutObject", killed)
    assert len(deployment.dead_letters()) == 1
    deployment.show(batch_id)
    assert report_messages(deployment) == []  # the request may still be on its way: not asked twice
    deployment.offset += batch_report.REQUEST_LEASE_SECONDS + 1
    assert deployment.show(batch_id)[1]["links"]["report"] == {"status": "pending"}
    assert report_messages(deployment) == [{"batch_id": batch_id, "report": True}]  # asked for anew
