"""The S3 layout, one prefix per image id:

    images/<id>/image.<ext>          the image, with its real content type
    images/<id>/meta.json            prompt, model, every parameter (seed included), timings, cost, lineage
    images/<id>/evaluation.json      the verdict: done, pending or failed
    images/<id>/edits/<edit-id>.json a link to each edit made from this image (edits are images too)
    images/.newest/<T>-<id>          an empty object per image: T is 9999999999999 less the time it
                                     was made in Unix milliseconds, 13 digits, so that S3's listing
                                     (ascending by name) is newest first. GET /images reads it.

The index is written before the image, and a failure to write it never stops the image being
stored (it is a warning): an entry whose image is not there (yet, or no longer) is skipped by
the listing, and an image is always found by its id. ('.' is not a character of image ids.)
An image without an entry (whose entry failed, or stored before the index existed) is still
listed: index_gaps marks it, and GET /images lists the marked images after the index.

and, apart from any image, idempotency/<hash>.json: a request's idempotency key (idempotency.py).

An image whose meta.json was never written (the write failed after the image was stored)
is still found: its metadata is then read, partial, from the image object.

Pre-signed GET URLs are SigV4, on the regional endpoint, with a configurable expiry.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FuturesTimeout
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from . import documents
from .clock import Deadline
from .documents import EditLink, Evaluation, Meta
from .errors import CredentialsMissing, ImageNotFound, StorageFailure, StorageUnavailable

PREFIX = "images"
EXTENSIONS = {"png": "png", "jpeg": "jpg", "webp": "webp", "gif": "gif"}
EDIT_READERS = 8  # edit links read at once: below the S3 client's pool of 10 connections
INDEX = f"{PREFIX}/.newest/"
_LAST_MS = 10**13 - 1  # the index's inverted times keep 13 digits until the year 2286
_INDEX_NAME = re.compile(r"[0-9]{13}-(?P<id>[A-Za-z0-9_-]{22})")
_IMAGE_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def make_s3_client(
    region: str, session: Any = None, *, connect_timeout: float = 1, read_timeout: float = 2, max_attempts: int = 2
) -> Any:
    """An S3 client whose pre-signed URLs are SigV4 on the regional virtual host
    (https://<bucket>.s3.<region>.amazonaws.com/...). boto3's defaults sign for the global host,
    which can redirect and then fail the signature. A loopback endpoint (AWS_ENDPOINT_URL_S3=
    http://127.0.0.1:...) gets path-style URLs: botocore cannot virtual-host an IP address."""
    import boto3  # here, not at import: a command of the CLI that stores nothing does not load the SDK
    from botocore.config import Config

    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "virtual", "us_east_1_regional_endpoint": "regional"},
        # An S3 call follows every model call (the image, its metadata, the verdict), when the
        # request may have little more than its 2 s margin left. In-region PUTs and GETs of a few
        # MB take 0.02-0.3 s. One attempt may take 1 s to connect and wait 2 s for an answer;
        # a second one follows a failed attempt after at most 1 s (standard mode's jitter). So
        # a transient S3 error costs about a second, one stalled attempt 3 s (inside the 27 - 24
        # = 3 s an API request keeps after its longest image call, plus the margin), and the
        # worst case of one call is 2 x (1 + 2) + 1 = 7 s, where it was 3 x (2 + 5) + 3 = 24 s.
        # (The defaults; a terminal, with no API Gateway behind it and maybe a slow uplink, asks for more.)
        retries={"mode": "standard", "total_max_attempts": max_attempts},
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )
    return (session or boto3).client("s3", region_name=region, config=config)


def image_key(image_id: str, fmt: str) -> str:
    return f"{PREFIX}/{image_id}/image.{EXTENSIONS.get(fmt, fmt)}"


def meta_key(image_id: str) -> str:
    return f"{PREFIX}/{image_id}/meta.json"


def evaluation_key(image_id: str) -> str:
    return f"{PREFIX}/{image_id}/evaluation.json"


def edit_link_key(parent_id: str, edit_id: str) -> str:
    return f"{PREFIX}/{parent_id}/edits/{edit_id}.json"


def index_key(image_id: str, created: datetime) -> str:
    """The image's entry in the index of images, newest first (see the layout above)."""
    ms = max(0, min(_LAST_MS, int(created.timestamp() * 1000)))
    return f"{INDEX}{_LAST_MS - ms:013d}-{image_id}"


@dataclass(frozen=True)
class IndexPage:
    """Entries of the index, newest first, as (name, image id); `last`: the name of the last
    entry listed (where the next page starts; `after` when there was none), and whether more
    may follow."""

    entries: list[tuple[str, str]]
    last: str
    more: bool


@dataclass(frozen=True)
class EditPage:
    """Edit links, `last`: the name of the last one the page consumed (where the next page
    starts; `after` when it consumed none), and whether more may follow."""

    links: list[EditLink]
    last: str
    more: bool


class ImageStore:
    def __init__(
        self,
        s3: Any,
        bucket: str,
        *,
        url_expiry_seconds: int = 3600,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.url_expiry_seconds = url_expiry_seconds
        self.now = now

    def save_image(self, image_id: str, data: bytes, fmt: str) -> str:
        key = image_key(image_id, fmt)
        with s3_errors("store the image"):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType=f"image/{fmt}")
        return key

    def load_image(self, key: str) -> bytes:
        try:
            with s3_errors("read the image"):
                return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except _Missing:
            raise StorageFailure("the stored image is missing although its metadata exists") from None

    def save_meta(self, image_id: str, meta: Meta) -> None:
        self._put_json(meta_key(image_id), meta, "store the image's metadata")

    def load_meta(self, image_id: str) -> Meta:
        """The image's metadata document. When there is none but the image exists (its metadata
        could not be written after it was stored), a partial one from the image object, so an
        image that was stored is never out of reach."""
        meta = self._get_json(meta_key(image_id), "read the image's metadata")
        if meta is not None:
            return cast(Meta, meta)  # one this store wrote
        with s3_errors("look for the image"):
            listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"{PREFIX}/{image_id}/image.", MaxKeys=1)
        found = listed.get("Contents") or []
        if not found:
            raise ImageNotFound(image_id)
        return partial_meta(image_id, found[0])

    def save_evaluation(self, image_id: str, evaluation: Evaluation) -> None:
        self._put_json(evaluation_key(image_id), evaluation, "store the evaluation")

    def load_evaluation(self, image_id: str) -> Evaluation | None:
        return cast("Evaluation | None", self._get_json(evaluation_key(image_id), "read the evaluation"))

    def load_evaluation_version(self, image_id: str) -> tuple[Evaluation | None, str | None]:
        """The verdict and its ETag, for `save_evaluation_if`; (None, None) when there is none."""
        doc, etag = self._get_json_version(evaluation_key(image_id), "read the evaluation")
        return cast("Evaluation | None", doc), etag

    def save_evaluation_if(self, image_id: str, evaluation: Evaluation, etag: str | None) -> str | None:
        """Store the verdict only over the version read: the object with `etag` (If-Match), or
        no object at all when `etag` is None (If-None-Match: *). The new ETag; None when another
        write came first (S3 answers 412 PreconditionFailed, 409 ConditionalRequestConflict
        while another conditional write is under way, 404 when the object read was deleted)."""
        body = json.dumps(evaluation, indent=1, sort_keys=True).encode()
        condition = {"IfMatch": etag} if etag is not None else {"IfNoneMatch": "*"}
        key = evaluation_key(image_id)
        with s3_errors("store the evaluation"):
            try:
                answer = self.s3.put_object(
                    Bucket=self.bucket, Key=key, Body=body, ContentType="application/json", **condition
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in _CONFLICTS:
                    return None
                raise
        return str(answer["ETag"])

    def link_edit(self, parent_id: str, edit_id: str, link: EditLink) -> None:
        self._put_json(edit_link_key(parent_id, edit_id), link, "link the edit to its parent")

    def edits(self, parent_id: str, limit: int, after: str = "", deadline: Deadline | None = None) -> EditPage:
        """A page of the edit links under an image, in the order of their names (S3's listing
        order, by edit id): at most `limit`, from just after the link named `after`. One listing
        and one read per link, the reads `EDIT_READERS` at a time. When `deadline` passes first,
        the page ends with the last link read in order by then (never fewer than one, so a
        caller that follows the pages always gets further) and `more` says the rest follows."""
        prefix = f"{PREFIX}/{parent_id}/edits/"
        start = {"StartAfter": prefix + after} if after else {}
        with s3_errors("list the edits"):
            listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix, MaxKeys=limit, **start)
        keys = [str(item["Key"]) for item in listed.get("Contents", [])]
        more = bool(listed.get("IsTruncated"))
        if not keys:
            return EditPage([], after, more)

        def read(key: str) -> tuple[dict[str, Any] | None, bool]:
            link = self._get_json(key, "read an edit link")
            return link, deadline is None or deadline.remaining() > 0

        links: list[EditLink] = []
        last = after
        pool = ThreadPoolExecutor(max_workers=min(EDIT_READERS, len(keys)), thread_name_prefix="edit-link")
        try:
            reads = [pool.submit(read, key) for key in keys]
            for n, (key, pending) in enumerate(zip(keys, reads, strict=True)):
                wait = None if n == 0 or deadline is None else deadline.remaining()
                try:
                    link, in_time = pending.result(timeout=wait)
                except FuturesTimeout:
                    return EditPage(links, last, True)
                if n > 0 and not in_time:
                    return EditPage(links, last, True)
                if link is not None:  # one deleted since the listing is no edit
                    links.append(cast(EditLink, link))
                last = key[len(prefix) :]
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        return EditPage(links, last, more)

    def index_image(self, image_id: str, created: datetime) -> None:
        """Enter the image in the index GET /images lists (the same key whenever it is retried)."""
        with s3_errors("index the image"):
            self.s3.put_object(Bucket=self.bucket, Key=index_key(image_id, created), Body=b"")

    def newest(self, limit: int, after: str = "") -> IndexPage:
        """A page of the index, newest first: at most `limit` image ids from just after the entry
        named `after`. One listing; a name that is not an entry this store wrote is passed over."""
        start = {"StartAfter": INDEX + after} if after else {}
        with s3_errors("list the images"):
            listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=INDEX, MaxKeys=limit, **start)
        names = [str(item["Key"])[len(INDEX) :] for item in listed.get("Contents", [])]
        entries = [(name, found.group("id")) for name in names if (found := _INDEX_NAME.fullmatch(name))]
        return IndexPage(entries, names[-1] if names else after, bool(listed.get("IsTruncated")))

    def image_ids(self, limit: int, after: str = "") -> IndexPage:
        """A page of the ids that have a prefix under images/, in id order, from just after the
        id `after`: one listing (by prefix, so an image's own objects are not listed)."""
        start = {"StartAfter": f"{PREFIX}/{after}0"} if after else {}  # '0' sorts after '/': past after's objects
        with s3_errors("list the images"):
            listed = self.s3.list_objects_v2(
                Bucket=self.bucket, Prefix=f"{PREFIX}/", Delimiter="/", MaxKeys=limit, **start
            )
        names = [str(item["Prefix"])[len(PREFIX) + 1 : -1] for item in listed.get("CommonPrefixes", [])]
        ids = [name for name in names if _IMAGE_ID.fullmatch(name)]
        return IndexPage([(i, i) for i in ids], names[-1] if names else after, bool(listed.get("IsTruncated")))

    def url(self, key: str) -> dict[str, str]:
        """A pre-signed GET URL for the key and when it expires."""
        with s3_errors("sign a URL"):
            url = self.s3.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.url_expiry_seconds
            )
        expires = self.now() + timedelta(seconds=self.url_expiry_seconds)
        return {"url": url, "url_expires_at": expires.isoformat(timespec="seconds")}

    def _put_json(self, key: str, doc: Mapping[str, object], what: str) -> None:
        body = json.dumps(doc, indent=1, sort_keys=True).encode()
        with s3_errors(what):
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")

    def _get_json(self, key: str, what: str) -> dict[str, Any] | None:
        return self._get_json_version(key, what)[0]

    def _get_json_version(self, key: str, what: str) -> tuple[dict[str, Any] | None, str | None]:
        """The document and its ETag; (None, None) when there is none."""
        try:
            with s3_errors(what):
                got = self.s3.get_object(Bucket=self.bucket, Key=key)
                body = got["Body"].read()
        except _Missing:
            return None, None
        try:
            doc = json.loads(body)
        except ValueError as exc:
            raise StorageFailure("a stored document is not valid JSON", upstream=key) from exc
        if not isinstance(doc, dict):
            raise StorageFailure("a stored document is not a JSON object", upstream=key)
        return doc, str(got["ETag"])


def partial_meta(image_id: str, listed: dict[str, Any]) -> Meta:
    """The metadata an image object's listing tells: its key, format (from the extension),
    size and time."""
    key = str(listed["Key"])
    extension = key.rsplit(".", 1)[-1]
    created = listed.get("LastModified")
    return documents.partial_meta(
        image_id,
        key,
        next((fmt for fmt, ext in EXTENSIONS.items() if ext == extension), extension),
        listed.get("Size"),
        created if isinstance(created, datetime) else None,
    )


class _Missing(Exception):
    """An object that does not exist: not a failure for a reader that can do without it."""


# S3's answers that a later try may not get (besides any 5xx status)
_TRANSIENT = ("InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "500", "503")

# S3's answers to a conditional write that another write came before
_CONFLICTS = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey")

# S3's answers to credentials it cannot accept: expired, unknown or wrongly signed
_REFUSED_CREDENTIALS = ("ExpiredToken", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken")


@contextmanager
def s3_errors(what: str) -> Iterator[None]:
    """S3 failures as the project's errors; `what` completes "could not ... in S3"."""
    try:
        yield
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404", "NotFound"):
            raise _Missing() from exc
        if code in _REFUSED_CREDENTIALS:
            raise CredentialsMissing(
                f"the AWS credentials were refused by S3 ({code}): refresh them (an expired session token?)",
                upstream=str(exc),
            ) from exc
        if code == "NoSuchBucket":
            raise StorageFailure("the image bucket does not exist: check IMAGEGEN_BUCKET", upstream=str(exc)) from exc
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        failure = StorageUnavailable if code in _TRANSIENT or status >= 500 else StorageFailure
        raise failure(f"could not {what} in S3 ({code or 'error'})", upstream=str(exc)) from exc
    except NoCredentialsError as exc:
        raise CredentialsMissing("no AWS credentials found: set AWS_PROFILE or configure credentials") from exc
    except BotoCoreError as exc:  # a timeout or a connection that failed: S3 may answer the next try
        raise StorageUnavailable(f"could not {what} in S3", upstream=str(exc)) from exc
