"""The batch queue as the use cases see it (usecases.batch.BatchQueue), over an SQS client."""

from __future__ import annotations

from typing import Any

from .errors import UpstreamUnavailable

SEND_BATCH = 10  # SendMessageBatch's most entries


class SqsBatchQueue:
    def __init__(self, sqs: Any, queue_url: str) -> None:
        self.sqs = sqs
        self.queue_url = queue_url

    def send(self, bodies: list[str], delay: int = 0) -> None:
        """Send every body; an entry SQS refused is sent again once, then the send fails (what
        was sent stays sent: a repeat is harmless, each item is claimed once)."""
        for start in range(0, len(bodies), SEND_BATCH):
            entries = [
                {"Id": str(n), "MessageBody": body, **({"DelaySeconds": delay} if delay else {})}
                for n, body in enumerate(bodies[start : start + SEND_BATCH])
            ]
            for _ in range(2):
                failed = self.sqs.send_message_batch(QueueUrl=self.queue_url, Entries=entries).get("Failed") or []
                refused = {f["Id"] for f in failed}
                entries = [entry for entry in entries if entry["Id"] in refused]
                if not entries:
                    break
            if entries:
                raise UpstreamUnavailable(f"SQS refused {len(entries)} of the batch's messages")

    def delay(self, receipt: str, seconds: int) -> None:
        self.sqs.change_message_visibility(QueueUrl=self.queue_url, ReceiptHandle=receipt, VisibilityTimeout=seconds)
