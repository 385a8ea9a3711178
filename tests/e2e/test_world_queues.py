"""A world that has ended takes nothing from the next one. Every local S3 of a process shares moto's
backends, so a world's batch queue has the same name and place as the next world's; the ended
world's pollers are still in their long poll (stop() does not wait for it)."""

from __future__ import annotations

import boto3

from imagegen_local.s3local import LocalS3
from imagegen_local.sqs_poller import create_queues
from imagegen_local.world import REGION, World


def test_a_message_sent_just_after_a_world_ends_is_not_received_by_its_pollers():
    with World(bucket="imagegen-world-queues"):  # a bucket of its own: an earlier test's world made the usual one
        pass  # its pollers are in a long poll as it ends
    with LocalS3(0) as s3:  # the next world's queue, without pollers of its own
        sqs = boto3.client("sqs", region_name=REGION, endpoint_url=s3.url)
        queue_url, _ = create_queues(sqs)
        sqs.send_message(QueueUrl=queue_url, MessageBody="for the next world")
        got = sqs.receive_message(
            QueueUrl=queue_url, WaitTimeSeconds=2, AttributeNames=["ApproximateReceiveCount"]
        ).get("Messages", [])
        sqs.delete_queue(QueueUrl=queue_url)
    assert [(m["Body"], m["Attributes"]["ApproximateReceiveCount"]) for m in got] == [("for the next world", "1")]
