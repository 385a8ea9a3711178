"""The product's use cases, behind one object the handlers and the CLI call: generate,
modify, evaluate, finish a deferred evaluation, describe, upload (each in `usecases/`).

Clients come in from outside (handlers, the CLI, tests). An image is stored before anything
else happens to it; once it is, no later failure (metadata, verdict, edit link, judge, URL)
fails the request: the answer carries the image's id (and URL), and a warning for each step
that did not complete. A judge failure never replaces a done verdict (one it can read).
"""

from __future__ import annotations

import copy
import dataclasses
import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from . import pages
from .clock import Clock, Deadline, SystemClock
from .config import Settings
from .ids import new_image_id
from .jobs import RefineJob
from .log import Logger
from .report.batch import FIGURES
from .storage import ImageStore
from .usecases import batch, batch_view, evaluation, gallery, generation, listing, offered, refine
from .usecases.batch import BatchInput, BatchQueue, Later, Parse
from .usecases.generation import GenerateInput, ModifyInput
from .usecases.refine import OnRound, RefineInput
from .usecases.services import ScheduleEvaluation, Services, StartRefine

__all__ = [
    "BatchInput",
    "BatchQueue",
    "GenerateInput",
    "Later",
    "ModifyInput",
    "Pipeline",
    "RefineInput",
    "ScheduleEvaluation",
    "StartRefine",
]


class Pipeline:
    def __init__(
        self,
        *,
        bedrock: Any,
        store: ImageStore,
        settings: Settings,
        judge_bedrock: Any = None,
        schedule_evaluation: ScheduleEvaluation | None = None,
        start_refine: StartRefine | None = None,
        batch_queue: BatchQueue | None = None,
        batch_figures: int = FIGURES,
        image_call_seconds: float = 25.0,
        judge_call_seconds: float | None = None,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        log: Logger | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        new_id: Callable[[], str] | None = None,
    ) -> None:
        """`image_call_seconds` and `judge_call_seconds` are the longest one call can take (the
        clients' read timeouts): no call, first or retried, starts unless that much time is left.
        `batch_figures`: the lines of a batch's report drawn with their images. `new_id` draws
        image ids (default: `new_image_id` as this module holds it when the pipeline is made)."""
        self.services = Services(
            bedrock=bedrock,
            judge_bedrock=judge_bedrock or bedrock,
            store=store,
            settings=settings,
            schedule_evaluation=schedule_evaluation,
            image_call_seconds=image_call_seconds,
            judge_call_seconds=judge_call_seconds or settings.judge_seconds,
            clock=clock or SystemClock(),
            rng=rng or random.Random(),
            log=log or Logger(),
            now=now,
            new_id=new_id or new_image_id,
            start_refine=start_refine,
            batch_queue=batch_queue,
            batch_figures=batch_figures,
        )

    def with_log(self, log: Logger) -> Pipeline:
        """The same pipeline, logging through `log` (a logger bound to one request)."""
        twin = copy.copy(self)
        twin.services = dataclasses.replace(self.services, log=log)
        return twin

    # --- use cases -------------------------------------------------------------------------

    def generate(self, given: GenerateInput, deadline: Deadline) -> dict[str, Any]:
        """Generate, store every image, then judge each (or defer the judging) as time allows."""
        return generation.generate(self.services, given, deadline)

    def modify(self, given: ModifyInput, deadline: Deadline) -> dict[str, Any]:
        """Apply a modify task to a stored image and store the result as an edit linked to it."""
        return generation.modify(self.services, given, deadline)

    def evaluate(self, image_id: str, deadline: Deadline, judge_model: str | None = None) -> dict[str, Any]:
        """Judge a stored image against its prompt and store the verdict. A failed judge is
        raised, and stored as failed unless the image has a done verdict: that one is kept, with
        the failure as its `last_attempt`."""
        answer, error = evaluation.evaluate(self.services, image_id, deadline, judge_model)
        if error:
            raise error
        return answer

    def finish_deferred(self, image_id: str, judge_model: str | None, deadline: Deadline) -> dict[str, Any]:
        """The background half of a deferred evaluation: the stored verdict stops being pending.
        The verdict it leaves, as JSON."""
        return dict(evaluation.finish_deferred(self.services, image_id, judge_model, deadline))

    def describe(
        self,
        image_id: str,
        *,
        limit: int = pages.DEFAULT_LIMIT,
        cursor: str | None = None,
        deadline: Deadline | None = None,
    ) -> dict[str, Any]:
        """Everything known about an image, with fresh URLs for it and for a page of its edits
        (`limit` from `cursor`, read while `deadline` leaves time; `next_cursor` continues)."""
        return gallery.describe(self.services, image_id, limit=limit, cursor=cursor, deadline=deadline)

    def list_images(
        self, *, limit: int = listing.DEFAULT_LIMIT, cursor: str | None = None, deadline: Deadline | None = None
    ) -> dict[str, Any]:
        """Stored images, newest first: a page of `limit` from `cursor`, each with a fresh URL,
        its prompt and score, read while `deadline` leaves time (`next_cursor` continues)."""
        return listing.newest(self.services, limit=limit, cursor=cursor, deadline=deadline)

    def offered(self) -> dict[str, Any]:
        """The models, judges and modify modes this deployment offers, with each one's fields and limits."""
        return offered.offered(self.settings)

    def upload(self, data: bytes, prompt: str | None = None) -> dict[str, Any]:
        """Store an image made elsewhere (a local file), so it can be modified or judged; `prompt`
        is what it should show, for the judge."""
        return gallery.upload(self.services, data, prompt)

    def start_refine(self, given: RefineInput) -> dict[str, Any]:
        """Record a refine job and start its worker: {job_id, status, links}."""
        return refine.start(self.services, given)

    def run_refine(
        self, job_id: str, owner: str, deadline: Deadline, on_round: OnRound | None = None
    ) -> RefineJob | None:
        """Run a refine job's remaining rounds as worker `owner`; `on_round` is told of each
        round once it is recorded. None when another worker holds the job, or it has ended."""
        return refine.run(self.services, job_id, owner, deadline, on_round)

    def show_job(self, job_id: str) -> dict[str, Any]:
        """A refine job with fresh URLs for its rounds' images and its best image."""
        return refine.show(self.services, job_id)

    def submit_batch(self, given: BatchInput, parse: Parse) -> dict[str, Any]:
        """Check every item of a batch, record it and queue it: {batch_id, status, total, links}."""
        return batch.submit(self.services, given, parse)

    def work_batch(self, body: str, owner: str, receives: int, deadline: Deadline, parse: Parse) -> Later | None:
        """The batch worker's part for one SQS message (its body, and how often it was received)."""
        return batch.work(self.services, body, owner, receives, deadline, parse)

    def give_up_batch_item(self, body: str, error: BaseException) -> None:
        """Record as failed an item whose message's last delivery failed too."""
        batch.give_up(self.services, body, error)

    def show_batch(self, batch_id: str, limit: int, after: int) -> dict[str, Any]:
        """A batch's counts, cost so far, a page of results and, once finished, its manifest."""
        return batch_view.show(self.services, batch_id, limit, after)

    # --- what the handlers and the CLI read (the rest is in `services`) ------------------------

    @property
    def store(self) -> ImageStore:
        return self.services.store

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def clock(self) -> Clock:
        return self.services.clock

    @property
    def now(self) -> Callable[[], datetime]:
        return self.services.now
