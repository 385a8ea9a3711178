"""Batches: many POST /generate-image bodies handed to an SQS queue and worked by a function the
queue feeds (its event source mapping bounds how many run at once). One prefix per batch:

    batches/<id>/batch.json                      what was asked: the count, the defaults, the key's fingerprint
    batches/<id>/items/<chunk>.jsonl             the items' bodies, the defaults merged in, `CHUNK` a file
    batches/<id>/claims/<n>.json                 an item's claim: the worker generating it, and until when
    batches/<id>/results/<n>.<status>.<micro-USD>.<image id or error code>.json
                                                 an item's outcome (done or failed), its document inside
    batches/<id>/results.jsonl                   the manifest, once every item has an outcome
    batches/<id>/report.requested                the first GET that found the batch finished queued its report
    batches/<id>/report-parts/<chunk>.json       what the report shows of a chunk's items, as the worker read them
    batches/<id>/report.html                     the report (usecases.batch_report)

An item's outcome is told by its result's key, so a listing of results/ (1,000 a call) gives the
counts, the estimated cost and the manifest without reading an object.

SQS delivers a message at least once: the item's claim, written with If-None-Match: *, decides
which delivery generates it; a later one finds the claim (or its outcome) and does nothing. A
claim whose worker died (past its lease, the worker's timeout) is taken over with If-Match, and
the generation's idempotency key (<batch id>:<n>) replays what that worker had paid for.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, NotRequired, TypedDict, cast

from botocore.exceptions import ClientError

from .documents import timestamp
from .errors import BatchNotFound
from .ids import new_image_id
from .storage import ImageStore, s3_errors

PREFIX = "batches"
MAX_INLINE = 1_000  # items in the body's `prompts`
MAX_LINES = 100_000  # lines of the object `prompts_key` names
CHUNK = 1_000
"""Items one expand message queues (and one object of the batch's items holds); it queues the next
chunk's expand message with them, so the queue holds about one chunk of items ahead of the workers,
whatever the batch's size, and submitting 100,000 items writes 100 objects."""
BATCH_SIZE = 10  # messages one worker invocation is given, in turn (the event source mapping's BatchSize; SQS's most)
ITEM_SECONDS = 60  # one item: an image call with its retries, a judge call, the writes
WORKER_SECONDS = BATCH_SIZE * ITEM_SECONDS  # the worker's Lambda timeout; an item's lease
VISIBILITY_SECONDS = 6 * WORKER_SECONDS  # the queue's visibility timeout: six times the timeout, as AWS advises
MAX_RECEIVES = 5  # deliveries of one message before SQS moves it to the dead-letter queue
DEFAULT_CONCURRENCY = 4
"""Worker invocations at once (ScalingConfig.MaximumConcurrency; context batchConcurrency; SQS
allows 2 to 1,000), so at most this many image calls at once. Bedrock's default on-demand quotas
for image models are small (they are per model and per account, and new accounts get less):
four calls of some 5 to 20 s each stay well inside them, and a throttled item waits in the queue
instead of failing. Raise it with the quota."""
RETRY_BASE_SECONDS = 30  # a throttled item's first wait in the queue; doubled each delivery
RETRY_CAP_SECONDS = 900

Status = Literal["done", "failed"]
_RESULT = re.compile(r"(?P<index>\d{6,})\.(?P<status>done|failed)\.(?P<micro>\d+)\.(?P<tag>[A-Za-z0-9_-]+)\.json")
_CONFLICTS = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey")


class ItemError(TypedDict):
    code: str
    message: str


class Batch(TypedDict):
    batch_id: str
    created_at: str
    total: int
    defaults: dict[str, Any]  # model, judge_model, evaluate: what an item does not say
    source: str  # "inline", or the key of the object the prompts came from
    fingerprint: str | None  # of the request body its idempotency key came with


class Claim(TypedDict):
    owner: str  # the worker's invocation (its Lambda request id)
    until: str


class Result(TypedDict):
    """An item's outcome, as the manifest lists it."""

    index: int
    status: Status
    image_id: str | None
    image_key: NotRequired[str]
    cost_usd: float
    error: NotRequired[ItemError]
    finished_at: NotRequired[str]


@dataclass(frozen=True)
class Listed:
    """An outcome as a listing of results/ tells it."""

    index: int
    status: Status
    cost_usd: float
    tag: str  # the image id (done) or the error code (failed)
    key: str


def batch_id_for(key: str | None) -> str:
    """A new random id; with an idempotency key, the id that key names."""
    if key is None:
        return new_image_id()
    digest = hashlib.sha256(f"batch:{key}".encode()).digest()
    return "b" + base64.urlsafe_b64encode(digest).decode()[:21]


def retry_seconds(receives: int) -> int:
    """How long a throttled item waits in the queue before its next delivery."""
    return min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(0, receives - 1))


def result_key(batch_id: str, result: Result) -> str:
    tag = result["image_id"] if result["status"] == "done" else result.get("error", {}).get("code", "failed")
    micro = round(result["cost_usd"] * 1_000_000)
    return f"{PREFIX}/{batch_id}/results/{result['index']:06d}.{result['status']}.{micro}.{tag}.json"


def manifest_key(batch_id: str) -> str:
    return f"{PREFIX}/{batch_id}/results.jsonl"


def chunk_key(batch_id: str, start: int) -> str:
    return f"{PREFIX}/{batch_id}/items/{start // CHUNK:06d}.jsonl"


class Batches:
    """The batch documents in the image bucket."""

    def __init__(self, store: ImageStore) -> None:
        self.s3 = store.s3
        self.bucket = store.bucket

    def create(self, batch: Batch, items: list[dict[str, Any]]) -> bool:
        """Store a new batch and its items; False when a batch with its id exists already."""
        for start in range(0, len(items), CHUNK):
            lines = "".join(json.dumps(item, sort_keys=True) + "\n" for item in items[start : start + CHUNK])
            key = chunk_key(batch["batch_id"], start)
            self._put(key, lines.encode(), {}, "store the batch's items", "application/x-ndjson")
        return self._put(self._batch_key(batch["batch_id"]), _json(batch), {"IfNoneMatch": "*"}, "create the batch")

    def forget(self, batch_id: str) -> None:
        """Delete a batch none of whose items reached the queue, so that a retry starts it."""
        with s3_errors("forget the batch"):
            self.s3.delete_object(Bucket=self.bucket, Key=self._batch_key(batch_id))

    def load(self, batch_id: str) -> Batch:
        found = self._get(self._batch_key(batch_id), "read the batch")
        if found is None:
            raise BatchNotFound(batch_id)
        return cast(Batch, found[0])

    def read_input(self, key: str, most: int) -> bytes | None:
        """The object a batch's prompts come from; None when there is none, or it holds more than `most` bytes."""
        with s3_errors("read the batch's prompts"):
            try:
                if int(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"]) > most:
                    return None
                return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise

    def chunk(self, batch_id: str, start: int) -> list[dict[str, Any]]:
        """The items of the chunk that starts at item `start`."""
        with s3_errors("read the batch's items"):
            body = self.s3.get_object(Bucket=self.bucket, Key=chunk_key(batch_id, start))["Body"].read()
        return [json.loads(line) for line in body.decode().splitlines()]

    def claim(
        self, batch_id: str, index: int, owner: str, now: datetime
    ) -> Literal["fresh", "taken", "finished"] | float:
        """Hold the item for `owner`: "fresh" (no delivery had it), "taken" (a dead worker's claim, or
        this worker's own, taken over), "finished" (it has its outcome), or the seconds another
        worker's live claim still runs."""
        key = self._item_key(batch_id, index)
        mine: Claim = {"owner": owner, "until": _until(now)}
        if self._put(key, _json(mine), {"IfNoneMatch": "*"}, "claim the item"):
            return "fresh"
        if self.outcome_of(batch_id, index):
            return "finished"
        found = self._get(key, "read the item's claim")
        if found is None:
            return 0.0  # written and gone between the two calls: deliver it again
        claim, etag = cast(Claim, found[0]), found[1]
        left = (datetime.fromisoformat(claim["until"]) - now).total_seconds()
        if claim["owner"] != owner and left > 0:
            return left
        return "taken" if self._put(key, _json(mine), {"IfMatch": etag}, "claim the item") else 0.0

    def release(self, batch_id: str, index: int, owner: str, now: datetime) -> None:
        """Let the next delivery take the item at once (nothing was paid for)."""
        claim: Claim = {"owner": owner, "until": timestamp(now)}
        self._put(self._item_key(batch_id, index), _json(claim), {}, "release the item")

    def finish(self, batch_id: str, result: Result, recheck: bool) -> None:
        """Record the item's outcome, once: with `recheck` (a claim taken over), none is written
        when an earlier worker recorded one."""
        if not (recheck and self.outcome_of(batch_id, result["index"])):
            self._put(result_key(batch_id, result), _json(result), {"IfNoneMatch": "*"}, "record the item")

    def outcome_of(self, batch_id: str, index: int) -> list[str]:
        prefix = f"{PREFIX}/{batch_id}/results/{index:06d}."
        with s3_errors("list the item's outcome"):
            listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=1)
        return [str(o["Key"]) for o in listed.get("Contents", [])]

    def outcomes(self, batch_id: str) -> list[Listed]:
        """Every item's outcome so far, in index order, from the listing alone (one outcome an item)."""
        prefix = f"{PREFIX}/{batch_id}/results/"
        found: dict[int, Listed] = {}
        token: dict[str, str] = {}
        while True:
            with s3_errors("list the batch's results"):
                page = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **token)
            for entry in page.get("Contents", []):
                match = _RESULT.fullmatch(str(entry["Key"])[len(prefix) :])
                if match:
                    index = int(match["index"])
                    status = cast(Status, match["status"])
                    cost = int(match["micro"]) / 1_000_000
                    found.setdefault(index, Listed(index, status, cost, match["tag"], str(entry["Key"])))
            if not page.get("IsTruncated"):
                return [found[i] for i in sorted(found)]
            token = {"ContinuationToken": str(page["NextContinuationToken"])}

    def result(self, key: str) -> Result | None:
        found = self._get(key, "read the item's result")
        return cast(Result, found[0]) if found else None

    def write_manifest(self, batch_id: str, lines: list[dict[str, Any]]) -> str:
        """The manifest, JSON lines in index order (first writer wins; it is the same for all)."""
        body = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()
        key = manifest_key(batch_id)
        self._put(key, body, {"IfNoneMatch": "*"}, "write the manifest", "application/x-ndjson")
        return key

    def exists(self, key: str) -> bool:
        with s3_errors("look for a batch's document"):
            listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        return any(entry["Key"] == key for entry in listed.get("Contents", []))

    def put(self, key: str, body: bytes, content_type: str) -> bool:
        """Write a document once: False when it exists already."""
        return self._put(key, body, {"IfNoneMatch": "*"}, "write a batch's document", content_type)

    def mark(self, key: str, doc: Any = None) -> bool:
        """Write a marker (empty, or `doc`) once: True for the one caller that wrote it."""
        body, kind = (b"", "text/plain") if doc is None else (_json(doc), "application/json")
        return self._put(key, body, {"IfNoneMatch": "*"}, "mark a batch's step", kind)

    def unmark(self, key: str) -> None:
        with s3_errors("unmark a batch's step"):
            self.s3.delete_object(Bucket=self.bucket, Key=key)

    def keys(self, prefix: str) -> set[str]:
        """Every key under `prefix`."""
        found: set[str] = set()
        token: dict[str, str] = {}
        while True:
            with s3_errors("list a batch's documents"):
                page = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **token)
            found.update(str(entry["Key"]) for entry in page.get("Contents", []))
            if not page.get("IsTruncated"):
                return found
            token = {"ContinuationToken": str(page["NextContinuationToken"])}

    def read_doc(self, key: str) -> dict[str, Any] | None:
        found = self._get(key, "read a batch's document")
        return found[0] if found else None

    def write_doc(self, key: str, doc: Any) -> None:
        """Write (or write over) a document."""
        self._put(key, _json(doc), {}, "write a batch's document")

    def _batch_key(self, batch_id: str) -> str:
        return f"{PREFIX}/{batch_id}/batch.json"

    def _item_key(self, batch_id: str, index: int) -> str:
        return f"{PREFIX}/{batch_id}/claims/{index:06d}.json"

    def _put(
        self, key: str, body: bytes, condition: dict[str, str], what: str, content_type: str = "application/json"
    ) -> bool:
        with s3_errors(what):
            try:
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type, **condition)
            except ClientError as exc:
                if condition and exc.response.get("Error", {}).get("Code") in _CONFLICTS:
                    return False
                raise
        return True

    def _get(self, key: str, what: str) -> tuple[dict[str, Any], str] | None:
        with s3_errors(what):
            try:
                got = self.s3.get_object(Bucket=self.bucket, Key=key)
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    return None
                raise
            return json.loads(got["Body"].read()), str(got["ETag"])


def _json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True).encode()


def _until(now: datetime) -> str:
    return (now + timedelta(seconds=WORKER_SECONDS)).isoformat(timespec="seconds")
