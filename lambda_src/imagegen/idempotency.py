"""Idempotency keys: a POST /generate-image or /modify-image sent again with the key of an earlier
one (header `Idempotency-Key` or body `client_token`) answers what that one stored, with fresh
URLs, instead of calling the model (and paying) again.

    idempotency/<sha256 of the route and key>.json   the key's record (kept apart from images/<id>/)

The first request claims the key with a conditional write (If-None-Match: *), so of two at once
exactly one calls the model; the other is told the request is in progress (409, retryable).
The record names the images once they are stored; a request that fails before that gives its
claim up, since nothing was paid for and a retry should run, except one whose images S3 would
not take: its record keeps the answer that gave them back inline, and a retry answers that. A claim left running past
`STALE_SECONDS` (its request died) may be taken over by a retry.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from botocore.exceptions import ClientError

from .documents import IdempotencyRecord, IdempotencyResult, UnstoredAnswer
from .errors import IdempotencyKeyReused, InvalidParameter, RequestInProgress
from .storage import ImageStore, s3_errors

PREFIX = "idempotency"
HEADER = "idempotency-key"  # HTTP header names are case-insensitive
FIELD = "client_token"
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")  # printable ASCII, as an HTTP header carries it
STALE_SECONDS = 120  # an API request ends by 29 s, an invocation by Lambda's timeout well before this


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    fingerprint: str  # of the request the key was first sent with


@dataclass(frozen=True)
class Claim:
    """A key this request holds: `record_key` in S3 at version `etag`."""

    record_key: str
    etag: str
    fingerprint: str
    started_at: str


def from_request(body: Mapping[str, Any], header: str | None, scope: str) -> IdempotencyKey | None:
    """The request's key (the header or the body's field; both must agree) and the body's
    fingerprint (without the key), for the route `scope`; None without a key."""
    token = body.get(FIELD)
    if header is not None and token is not None and header != token:
        raise InvalidParameter(FIELD, token, "the same key as the Idempotency-Key header, or only one of them")
    key = header if header is not None else token
    if key is None:
        return None
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidParameter(FIELD, key, "1 to 255 printable ASCII characters")
    rest = {name: value for name, value in body.items() if name != FIELD}
    canonical = json.dumps({"scope": scope, "body": rest}, sort_keys=True, separators=(",", ":"))
    return IdempotencyKey(key, hashlib.sha256(canonical.encode()).hexdigest())


def header_of(headers: Mapping[str, Any] | None) -> str | None:
    for name, value in (headers or {}).items():
        if str(name).lower() == HEADER:
            return str(value)
    return None


def record_key(scope: str, key: str) -> str:
    return f"{PREFIX}/{hashlib.sha256(f'{scope}:{key}'.encode()).hexdigest()}.json"


def claim(store: ImageStore, given: IdempotencyKey, scope: str, now: datetime) -> Claim | IdempotencyRecord:
    """Hold the key for this request (a Claim), or the record of the request that stored its
    result (to answer again). Raises RequestInProgress while another request holds the key, and
    IdempotencyKeyReused when the key came with another body."""
    key = record_key(scope, given.key)
    started = now.isoformat(timespec="seconds")
    running: IdempotencyRecord = {"state": "running", "fingerprint": given.fingerprint, "started_at": started}
    etag = _put_if(store, key, running, {"IfNoneMatch": "*"})
    if etag is not None:
        return Claim(key, etag, given.fingerprint, started)
    found, found_etag = _get(store, key)
    if found is None:  # given up between the two calls: try once more
        etag = _put_if(store, key, running, {"IfNoneMatch": "*"})
        if etag is None:
            raise RequestInProgress()
        return Claim(key, etag, given.fingerprint, started)
    if found["fingerprint"] != given.fingerprint:
        raise IdempotencyKeyReused()
    if found["state"] in ("done", "unstored"):
        return found
    if now - datetime.fromisoformat(found["started_at"]) > timedelta(seconds=STALE_SECONDS):
        etag = _put_if(store, key, running, {"IfMatch": found_etag})
        if etag is not None:
            return Claim(key, etag, given.fingerprint, started)
    raise RequestInProgress()


def finish(store: ImageStore, held: Claim, result: IdempotencyResult) -> None:
    """Record what the request stored (its images' ids and the answer's other parts)."""
    record: IdempotencyRecord = {
        "state": "done",
        "fingerprint": held.fingerprint,
        "started_at": held.started_at,
        "result": result,
    }
    _settle(store, held, record)


def keep_unstored(store: ImageStore, held: Claim, answer: UnstoredAnswer) -> None:
    """Record the answer of a request that paid for images S3 would not take, so that a retry
    gives them back again instead of paying for new ones."""
    record: IdempotencyRecord = {
        "state": "unstored",
        "fingerprint": held.fingerprint,
        "started_at": held.started_at,
        "unstored": answer,
    }
    _settle(store, held, record)


def _settle(store: ImageStore, held: Claim, record: IdempotencyRecord) -> None:
    """Replace the claim with the request's final record."""
    with s3_errors("record the idempotency key"):
        store.s3.put_object(
            Bucket=store.bucket, Key=held.record_key, Body=_body(record), ContentType="application/json"
        )


def give_up(store: ImageStore, held: Claim) -> None:
    """Free the key of a request that stored nothing, so that a retry runs."""
    with s3_errors("free the idempotency key"):
        store.s3.delete_object(Bucket=store.bucket, Key=held.record_key)


def _body(record: IdempotencyRecord) -> bytes:
    return json.dumps(record, sort_keys=True).encode()


def _put_if(store: ImageStore, key: str, record: IdempotencyRecord, condition: dict[str, str]) -> str | None:
    """The new ETag, or None when the condition failed (412), or another conditional write of the
    key was under way (409)."""
    with s3_errors("claim the idempotency key"):
        try:
            answer = store.s3.put_object(
                Bucket=store.bucket, Key=key, Body=_body(record), ContentType="application/json", **condition
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "ConditionalRequestConflict"):
                return None
            raise
    return str(answer["ETag"])


def _get(store: ImageStore, key: str) -> tuple[IdempotencyRecord | None, str]:
    with s3_errors("read the idempotency key"):
        try:
            got = store.s3.get_object(Bucket=store.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None, ""
            raise
        body = got["Body"].read()
    return cast(IdempotencyRecord, json.loads(body)), str(got["ETag"])
