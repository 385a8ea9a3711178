"""The shapes of a verdict: what evaluation.json holds (Evaluation) and what an answer shows
(ShownEvaluation). documents.py builds them and re-exports them: import them from there."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict


class VerdictError(TypedDict):
    code: str
    message: str


class FailedVerdict(TypedDict):
    status: Literal["failed"]
    judge_model: str
    error: VerdictError
    failed_at: str


CheckStatus = Literal["present", "partial", "absent"]


class SubScore(TypedDict):
    """One aspect of a verdict, 1 to 10, with its reason in one line."""

    score: int
    reason: str


class ChecklistItem(TypedDict):
    """One atomic element of the prompt (an object, attribute, count, relation or text) and
    whether the image shows it."""

    element: str
    status: CheckStatus
    note: str


class DoneVerdict(TypedDict):
    status: Literal["done"]
    judge_model: str
    description: str
    score: int  # the overall score; in a second-version verdict derived from the parts below
    reason: str
    suggestions: str
    revised_prompt: str
    # The second version (absent from verdicts stored before it): prompt_adherence and
    # visual_quality; for an edit also edit_success and preservation.
    sub_scores: NotRequired[dict[str, SubScore]]
    checklist: NotRequired[list[ChecklistItem]]
    answered_with: str
    input_tokens: int | None
    output_tokens: int | None
    estimated_cost_usd: float | None
    evaluated_at: str
    duration_ms: int
    last_attempt: NotRequired[FailedVerdict]  # a later judging that failed: this verdict is kept


class PendingVerdict(TypedDict):
    status: Literal["pending"]
    judge_model: str
    requested_at: str
    why: str


class LostVerdict(TypedDict):
    """A pending verdict older than any background run: shown as failed, never stored."""

    status: Literal["failed"]
    judge_model: str
    requested_at: str
    why: str
    error: VerdictError


class UnstoredVerdict(TypedDict):
    """A judging asked for when the image was made whose verdict was never stored (S3 refused
    the write): shown as failed, never stored."""

    status: Literal["failed"]
    judge_model: str
    error: VerdictError


class NotRequested(TypedDict):
    status: Literal["not_requested"]


class EvaluationData(TypedDict):
    """The original API's evaluation_data, with an integer score."""

    description: str
    score: int
    reason: str
    suggestions: str


Evaluation = DoneVerdict | FailedVerdict | PendingVerdict
"""What evaluation.json holds."""

ShownEvaluation = Evaluation | LostVerdict | UnstoredVerdict | NotRequested
"""A verdict as an answer shows it."""
