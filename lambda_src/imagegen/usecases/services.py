"""What every use case is given, and the rules they share: a step that follows a stored image
never fails the request, and a caller's model is one this deployment allows."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict

from ..clock import Clock
from ..config import Settings
from ..errors import ImageGenError, InvalidParameter
from ..log import Logger, error_fields
from ..models.registry import resolve
from ..models.request import Task
from ..report.batch import FIGURES
from ..storage import ImageStore

ScheduleEvaluation = Callable[[str, str], None]
"""Start the evaluation of an image id with a judge model in the background."""
StartRefine = Callable[[str], None]
"""Start the worker of a refine job (its id) in the background."""


class StepWarning(TypedDict):
    """A step after the image was stored that did not complete, as the answer reports it."""

    step: str
    code: str
    message: str


Warnings = list[StepWarning]


@dataclass(frozen=True, kw_only=True)
class Services:
    """`image_call_seconds` and `judge_call_seconds` are the longest one call can take (the
    clients' read timeouts): no call, first or retried, starts unless that much time is left."""

    bedrock: Any
    judge_bedrock: Any
    store: ImageStore
    settings: Settings
    schedule_evaluation: ScheduleEvaluation | None
    image_call_seconds: float
    judge_call_seconds: float
    clock: Clock
    rng: random.Random
    log: Logger
    now: Callable[[], datetime]
    new_id: Callable[[], str]
    start_refine: StartRefine | None = None
    batch_queue: Any = None  # usecases.batch.BatchQueue: the queue the batch worker is fed from
    batch_figures: int = FIGURES  # lines of a batch's report drawn with their images (usecases.batch_report)

    def keep(self, step: str, warnings: Warnings, action: Callable[[], object]) -> bool:
        """Run a step that follows a stored image; its failure becomes a warning, not an error."""
        try:
            action()
            return True
        except ImageGenError as exc:
            self.log.error("step_failed", step=step, **error_fields(exc))
            warnings.append({"step": step, "code": exc.code, "message": exc.message})
            return False


def pick(field: str, given: str | None, allowed: Sequence[str], task: Task) -> str:
    """The caller's model if this deployment allows it for the task (an ARN becomes its id),
    else the default."""
    if given is None:
        return allowed[0]
    resolved = resolve(given)
    if resolved.requested_id in allowed or resolved.record.id in allowed:
        resolved.record.require(task)
        return resolved.requested_id
    raise InvalidParameter(field, given, f"one of the models this deployment allows for {task}: {', '.join(allowed)}")


def pick_judge(services: Services, given: str | None) -> str:
    return pick("judge_model", given, services.settings.judge_models, Task.JUDGE)
