"""The judge's verdict, second version: what the forced tool asks for, how an answer is checked,
and the rule that derives the overall score from its parts.

The judge gives sub-scores (1 to 10, each with a one-line reason) and a checklist of the
prompt's atomic elements (present, partial or absent); it is not asked for an overall score.
The overall score is derived (`derived_score`):

    base  = the weighted mean of the sub-scores (WEIGHTS), rounded half up
    cap   = 6 if any checklist item is absent, else 8 if any is partial, else 10 (CAPS)
    score = max(1, min(base, cap))

A checklist may not be empty: every prompt has at least one element to check. Past
MAX_CHECKLIST_ITEMS, items are dropped (the cap counts only the items kept).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

from ..documents import ChecklistItem, CheckStatus, SubScore
from ..errors import JudgeAnswerInvalid

GENERATION_WEIGHTS: dict[str, int] = {"prompt_adherence": 2, "visual_quality": 1}
EDIT_WEIGHTS: dict[str, int] = {"edit_success": 2, "preservation": 1, "prompt_adherence": 1, "visual_quality": 1}
CAPS: tuple[tuple[CheckStatus, int], ...] = (("absent", 6), ("partial", 8))
"""The highest overall score a checklist allows: the first status found among its items caps it."""
MAX_SCORE = 10
STATUSES: tuple[CheckStatus, ...] = ("present", "partial", "absent")
MAX_CHECKLIST_ITEMS = 30
MAX_ELEMENT_CHARS = 200

SUB_SCORE_MEANINGS: dict[str, str] = {
    "prompt_adherence": (
        "How fully the image shows what the prompt asks for: objects, attributes, counts, relations, text."
    ),
    "visual_quality": "How well made the image is: sharpness, anatomy, artefacts, composition, lighting.",
    "edit_success": "Whether the requested change happened, and happened as asked.",
    "preservation": "Whether what the edit should not change is unchanged (no over-editing).",
}

VERDICT_FIELDS = ("description", "sub_scores", "checklist", "reason", "suggestions", "revised_prompt")


def weights(edit: bool) -> dict[str, int]:
    """The sub-scores a verdict holds, with their weights in the overall score."""
    return EDIT_WEIGHTS if edit else GENERATION_WEIGHTS


def evaluation_schema(edit: bool) -> dict[str, Any]:
    """The forced tool's input schema: an edit's verdict also scores edit success and preservation."""
    sub_score = {
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": MAX_SCORE},
            "reason": {"type": "string", "description": "Why this score, in one line."},
        },
        "required": ["score", "reason"],
    }
    names = list(weights(edit))
    return {
        "type": "object",
        "properties": {
            "description": {"type": "string", "description": "What the image shows, in one or two sentences."},
            "sub_scores": {
                "type": "object",
                "description": "Each aspect scored 1 (not at all) to 10 (perfectly), with its reason.",
                "properties": {name: {**sub_score, "description": SUB_SCORE_MEANINGS[name]} for name in names},
                "required": names,
            },
            "checklist": {
                "type": "array",
                "description": "The prompt's atomic elements (objects, attributes, counts, relations, text), "
                "each checked against the image.",
                "minItems": 1,
                "maxItems": MAX_CHECKLIST_ITEMS,
                "items": {
                    "type": "object",
                    "properties": {
                        "element": {"type": "string", "description": "One element, in the prompt's words."},
                        "status": {"type": "string", "enum": list(STATUSES)},
                        "note": {"type": "string", "description": "What the image shows of it, briefly."},
                    },
                    "required": ["element", "status", "note"],
                },
            },
            "reason": {"type": "string", "description": "The verdict's main reason, in at most 15 words."},
            "suggestions": {"type": "string", "description": "How to better meet the prompt, in at most 20 words."},
            "revised_prompt": {
                "type": "string",
                "description": "The original prompt rewritten to apply the suggestions and show what is missing.",
            },
        },
        "required": list(VERDICT_FIELDS),
    }


def derived_score(
    sub_scores: Mapping[str, SubScore], checklist: Sequence[ChecklistItem], table: Mapping[str, int]
) -> int:
    """The overall score by the module's rule, with the weights `table` (weights(edit)); half
    up: a mean of 6.5 is 7."""
    total = sum(table.values())
    weighted = sum(weight * sub_scores[name]["score"] for name, weight in table.items())
    base = (2 * weighted + total) // (2 * total)
    statuses = {item["status"] for item in checklist}
    cap = next((limit for status, limit in CAPS if status in statuses), MAX_SCORE)
    return max(1, min(base, cap))


def checked_sub_scores(value: Any, edit: bool) -> dict[str, SubScore]:
    """The sub-scores the verdict must hold, each an integer 1-10 (or "7/10") with a reason."""
    if not isinstance(value, dict):
        raise JudgeAnswerInvalid(f"sub_scores is a {type(value).__name__}, not an object", upstream=repr(value)[:2000])
    missing = [name for name in weights(edit) if name not in value]
    if missing:
        raise JudgeAnswerInvalid(f"sub_scores lacks {', '.join(missing)}", upstream=repr(value)[:2000])
    out: dict[str, SubScore] = {}
    for name in weights(edit):
        part = value[name]
        if not isinstance(part, dict) or "score" not in part:
            raise JudgeAnswerInvalid(f"sub_scores.{name} must be an object with score and reason")
        out[name] = {
            "score": score_value(part["score"], f"sub_scores.{name}.score"),
            "reason": one_line(part.get("reason"), f"sub_scores.{name}.reason"),
        }
    return out


def checked_checklist(value: Any) -> list[ChecklistItem]:
    """At least one item, each a non-empty element with a known status; the first
    MAX_CHECKLIST_ITEMS are kept."""
    if not isinstance(value, list):
        raise JudgeAnswerInvalid(f"checklist is a {type(value).__name__}, not a list", upstream=repr(value)[:2000])
    if not value:
        raise JudgeAnswerInvalid("checklist is empty: every prompt has at least one element to check")
    items: list[ChecklistItem] = []
    for index, item in enumerate(value[:MAX_CHECKLIST_ITEMS]):
        where = f"checklist[{index}]"
        if not isinstance(item, dict):
            raise JudgeAnswerInvalid(f"{where} is a {type(item).__name__}, not an object")
        status = item.get("status")
        status = status.strip().lower() if isinstance(status, str) else status
        if status not in STATUSES:
            raise JudgeAnswerInvalid(f"{where}.status {str(status)[:40]!r} is not one of {', '.join(STATUSES)}")
        note = item.get("note", "")
        if not isinstance(note, str):
            raise JudgeAnswerInvalid(f"{where}.note must be a string")
        items.append(
            {
                "element": one_line(item.get("element"), f"{where}.element")[:MAX_ELEMENT_CHARS],
                "status": cast(CheckStatus, status),
                "note": " ".join(note.split())[:MAX_ELEMENT_CHARS],
            }
        )
    return items


def score_value(value: Any, name: str = "score") -> int:
    """An integer from 1 to 10, also given as a whole float or a string such as "7" or "7/10"."""
    number: float
    if isinstance(value, bool):
        raise JudgeAnswerInvalid(f"{name} {value!r} is not a number from 1 to 10")
    if isinstance(value, (int, float)):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*\d+(\.0+)?\s*(/\s*10)?\s*", value):
        number = float(value.split("/")[0])
    else:
        raise JudgeAnswerInvalid(f"{name} {str(value)[:40]!r} is not a number from 1 to 10")
    if not 1 <= number <= MAX_SCORE or number != int(number):  # in range first: a huge int makes no float
        raise JudgeAnswerInvalid(f"{name} {value!r} is not an integer from 1 to 10")
    return int(number)


def one_line(value: Any, name: str) -> str:
    """A non-empty string, its whitespace (newlines too) collapsed to single spaces."""
    if not isinstance(value, str) or not value.strip():
        raise JudgeAnswerInvalid(f"{name} must be a non-empty string")
    return " ".join(value.split())
