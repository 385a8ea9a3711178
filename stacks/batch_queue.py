"""The batch queue: what POST /batches hands its items to, the batch worker's event source, and its
dead-letter queue, which keeps a message every delivery of which failed (a poison message) for an
operator to look at and redrive."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from imagegen import batches

from .logical_ids import Unit


class BatchQueue(Unit):
    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "BatchDeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
        cdk.Validations.of(self.dead_letters).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-SQS3",
                reason="This queue is itself the batch queue's dead-letter queue, which nothing consumes "
                "but an operator redriving it.",
            )
        )
        # Visibility: six times the worker's timeout, as AWS advises for a queue feeding a function.
        self.queue = sqs.Queue(
            self,
            "BatchQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=cdk.Duration.seconds(batches.VISIBILITY_SECONDS),
            retention_period=cdk.Duration.days(14),
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=batches.MAX_RECEIVES, queue=self.dead_letters),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )
