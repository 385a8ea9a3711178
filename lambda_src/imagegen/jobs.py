"""Refine jobs: one document per job, jobs/<job_id>.json, kept apart from images/<id>/.

    RefineJob   what was asked (the request, with the models picked for it), every round as it
                completed, what was spent, and how the job ended (status, stop reason, error)

Every write is conditional: the first with If-None-Match: * (of two POSTs with one key, one
creates the job), each later one with If-Match on the ETag read, so a write that another came
before fails instead of losing it. A worker holds the job's lease while it runs: a second worker
(another invocation of the same job) finds the lease live and exits; Lambda's retry of the same
asynchronous event (which keeps its request id) takes its own lease over at once, and any other
owner once the lease has expired (`LEASE_SECONDS` after its last write).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NotRequired, TypedDict, cast

from botocore.exceptions import ClientError

from .documents import CheckStatus, SubScore, timestamp
from .errors import InvalidParameter, JobNotFound
from .ids import new_image_id
from .storage import ImageStore, s3_errors

PREFIX = "jobs"
DEFAULT_CONCURRENCY = 2  # refine jobs running at once: the worker's reserved concurrency, the dev API's threads
LEASE_SECONDS = 300  # one round (an image call, two judge calls, the writes) takes well under this
WORKER_SECONDS = 900  # the worker's Lambda timeout: six rounds of an image call and two judge calls each
WORKER_RETRIES = 2  # Lambda's retries of a worker's event that failed, as the stack configures them
WORKER_EVENT_AGE = timedelta(hours=1)
"""How long Lambda keeps trying to run a worker's event (its retries included), as the stack
configures it; after that the event goes to the failed-refine-runs queue."""
LOST_AFTER = WORKER_EVENT_AGE + timedelta(seconds=WORKER_SECONDS)
"""A job queued or running that no worker has written for this long has no worker left: lost."""
_CONFLICTS = ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey")  # NoSuchKey: deleted since read

Status = Literal["queued", "running", "done", "failed"]
StopReason = Literal["target_reached", "round_limit", "budget"]


@dataclass(frozen=True)
class Option:
    """A number of POST /refine-image's body: its range and default, for the handler and the
    API's request model alike."""

    name: str
    kind: type[int] | type[float]
    low: float
    high: float | None
    default: float | None
    help: str

    @property
    def schema(self) -> dict[str, object]:
        fragment: dict[str, object] = {"type": "integer" if self.kind is int else "number", "minimum": self.low}
        if self.high is not None:
            fragment["maximum"] = self.high
        return fragment

    def read(self, value: object) -> float:
        """The value, checked: its kind and its range, else a 400 that names the field."""
        span = f"from {self.low:g} to {self.high:g}" if self.high is not None else f"{self.low:g} or more"
        wanted = f"{'an integer' if self.kind is int else 'a number'} {span}"
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise InvalidParameter(self.name, value, wanted)
        if isinstance(value, float) and not (math.isfinite(value) and (self.kind is float or value.is_integer())):
            raise InvalidParameter(self.name, value, wanted)
        if value < self.low or (self.high is not None and value > self.high):
            raise InvalidParameter(self.name, value, wanted)
        try:
            return self.kind(value)
        except OverflowError:  # a JSON integer too large for a float
            raise InvalidParameter(self.name, value, wanted) from None


OPTIONS: tuple[Option, ...] = (
    Option("target_score", int, 1, 10, 8, "stop once a round's overall score reaches this, 1 to 10"),
    Option("max_rounds", int, 1, 6, 3, "the most rounds to run, 1 to 6"),
    Option(
        "budget_usd",
        float,
        0,
        None,
        None,
        "stop before a round that would take the estimated spend past this many US dollars (default: no limit)",
    ),
)


class JobError(TypedDict):
    code: str
    message: str


class CheckSummary(TypedDict):
    element: str
    status: CheckStatus


class Round(TypedDict):
    """One round as it completed: failed when its image could not be made (`image_id` None) or
    when its judging failed (`judge_attempts` says how often it was tried)."""

    round: int
    status: Literal["done", "failed"]
    prompt: str
    changed: list[str]  # what this round's prompt added to the previous one's ([] for the first)
    image_id: str | None
    image_key: str | None
    score: int | None
    sub_scores: dict[str, SubScore]
    checklist: list[CheckSummary]
    suggestions: str
    revised_prompt: str
    image_cost_usd: float
    judge_cost_usd: float
    cost_usd: float
    judge_attempts: int
    finished_at: str
    error: NotRequired[JobError]


class Lease(TypedDict):
    owner: str  # the worker's invocation (its Lambda request id)
    until: str


class Asked(TypedDict):
    """The request, with the models picked for it."""

    prompt: str
    target_score: int
    max_rounds: int
    budget_usd: float | None
    model: str
    judge_model: str


class RefineJob(TypedDict):
    job_id: str
    status: Status
    created_at: str
    updated_at: str
    asked: Asked
    fingerprint: str | None  # of the request body its idempotency key came with
    rounds: list[Round]
    spent_usd: float
    stop_reason: StopReason | None
    error: JobError | None
    lease: Lease | None


def job_key(job_id: str) -> str:
    return f"{PREFIX}/{job_id}.json"


def job_id_for(key: str | None) -> str:
    """A new random id; with an idempotency key, the id that key names (so that a repeat finds
    the job its first request created)."""
    if key is None:
        return new_image_id()
    digest = hashlib.sha256(f"refine:{key}".encode()).digest()
    return "j" + base64.urlsafe_b64encode(digest).decode()[:21]


def new_job(job_id: str, asked: Asked, fingerprint: str | None, now: datetime) -> RefineJob:
    at = timestamp(now)
    return {
        "job_id": job_id,
        "status": "queued",
        "created_at": at,
        "updated_at": at,
        "asked": asked,
        "fingerprint": fingerprint,
        "rounds": [],
        "spent_usd": 0.0,
        "stop_reason": None,
        "error": None,
        "lease": None,
    }


class Jobs:
    """The job documents in the image bucket."""

    def __init__(self, store: ImageStore) -> None:
        self.s3 = store.s3
        self.bucket = store.bucket

    def create(self, job: RefineJob) -> str | None:
        """Store a new job; its ETag, or None when a job with its id exists already."""
        return self._put(job, {"IfNoneMatch": "*"}, "create the job")

    def save(self, job: RefineJob, etag: str, now: datetime) -> str | None:
        """Store the job over the version `etag`; the new ETag, or None when another write came first."""
        job["updated_at"] = timestamp(now)
        return self._put(job, {"IfMatch": etag}, "record the job")

    def load(self, job_id: str) -> tuple[RefineJob, str]:
        """The job and its ETag; JobNotFound (404) when there is none."""
        with s3_errors("read the job"):
            try:
                got = self.s3.get_object(Bucket=self.bucket, Key=job_key(job_id))
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                    raise JobNotFound(job_id) from None
                raise
            body = got["Body"].read()
        return cast(RefineJob, json.loads(body)), str(got["ETag"])

    def delete(self, job_id: str) -> None:
        """Forget a job no worker was started for (nothing was paid for), so that a retry starts it."""
        with s3_errors("forget the job"):
            self.s3.delete_object(Bucket=self.bucket, Key=job_key(job_id))

    def acquire(self, job_id: str, owner: str, now: datetime) -> tuple[RefineJob, str] | None:
        """Take the job's lease for `owner`: the job (now running) and its ETag, or None when there
        is nothing to do for it (the job has ended, or another worker's lease is live)."""
        for _ in range(3):  # a conflict is another worker's write: read and decide again
            job, etag = self.load(job_id)
            if job["status"] in ("done", "failed"):
                return None
            lease = job["lease"]
            if lease and lease["owner"] != owner and datetime.fromisoformat(lease["until"]) > now:
                return None
            job["status"] = "running"
            job["lease"] = lease_for(owner, now)
            new_etag = self.save(job, etag, now)
            if new_etag is not None:
                return job, new_etag
        return None

    def _put(self, job: RefineJob, condition: dict[str, str], what: str) -> str | None:
        body = json.dumps(job, indent=1, sort_keys=True).encode()
        with s3_errors(what):
            try:
                answer = self.s3.put_object(
                    Bucket=self.bucket,
                    Key=job_key(job["job_id"]),
                    Body=body,
                    ContentType="application/json",
                    **condition,
                )
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") in _CONFLICTS:
                    return None
                raise
        return str(answer["ETag"])


def lost(job: RefineJob, now: datetime) -> RefineJob:
    """The job as GET /jobs shows it: one queued or running that no worker has written for
    LOST_AFTER reads as failed, job_lost, its rounds kept (the stored document is left as it is)."""
    if job["status"] not in ("queued", "running"):
        return job
    since = datetime.fromisoformat(job["updated_at"])
    if now - since <= LOST_AFTER:
        return job
    message = (
        f"no worker has written this job since {job['updated_at']}: its run was lost (its event is in the "
        "failed-refine-runs queue); the rounds done are kept, a new job goes on from its best prompt"
    )
    return {**job, "status": "failed", "lease": None, "error": {"code": "job_lost", "message": message}}


def lease_for(owner: str, now: datetime) -> Lease:
    return {"owner": owner, "until": (now + timedelta(seconds=LEASE_SECONDS)).isoformat(timespec="seconds")}
