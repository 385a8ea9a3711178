"""Errors in the command line's words: a refused field is named as the user typed it (`--mask`,
PROMPT), not as the API's body names it (`mask_image`), whether the core library refused it here
or a deployed API did (its answer's `field`, `value`, `allowed`, `takes` and `model_id`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from imagegen.errors import ImageGenError, InvalidParameter
from imagegen.models.fields import FIELDS

# POST /refine-image's numbers (jobs.OPTIONS), as `imagegen refine` and `imagegen api refine` spell them
REFINE_FLAGS = {"target_score": "--target", "max_rounds": "--rounds", "budget_usd": "--budget-usd"}
# fields the command line takes as arguments, or as an option named for another field
_TYPED_AS = {
    "prompt": "PROMPT",
    "image_id": "IMAGE",
    "images": "IMAGE",
    "width": "--size",
    "height": "--size",
    "style_image_id": "--style-image",
    **REFINE_FLAGS,
}
_OPTIONS = {row.name: row.option for row in FIELDS if row.option}
_ALSO = {"mask_image": "--mask-rect"}  # a field the command line also makes from another option
_BYTES = re.compile(r"^<\d+ bytes>$")  # how an error echoes an image: nothing a person typed

# `imagegen interactive` asks questions instead of taking options
_ASKED = {
    "prompt": "the prompt",
    "image_id": "the image",
    "images": "the image",
    "width": "the size",
    "height": "the size",
    "mask_image": "the mask",
    "mask_prompt": "the mask's words",
    "margins": "the margins",
    "style_image": "the style image",
    "style_image_id": "the style image",
}

Spelling = Callable[[str], str]


def typed_as(field: str) -> str:
    """How the command line spells a body field (margins.left is --margins); an unknown one as is."""
    name = field.split(".")[0]
    return _TYPED_AS.get(name) or _OPTIONS.get(name) or field


def asked_as(field: str) -> str:
    """How `imagegen interactive` names a field: by its question (margins.left is the left margin)."""
    name, _, part = field.partition(".")
    if name == "margins" and part:
        return f"the {part} margin"
    return _ASKED.get(name) or field


@dataclass(frozen=True)
class Refusal:
    """A refused field, from the core library's InvalidParameter or a deployed API's answer."""

    field: str
    shown: Any  # the error's echo of the value; None when it was not given
    rule: str
    takes: Sequence[str] | None
    model_id: str | None

    @classmethod
    def of(cls, exc: ImageGenError) -> Refusal | None:
        if isinstance(exc, InvalidParameter):
            return cls(exc.field, exc.shown, exc.rule, exc.takes, exc.model_id)
        details = exc.details
        if exc.code != InvalidParameter.code or not isinstance(details.get("field"), str):
            return None
        takes = details.get("takes")
        return cls(
            details["field"],
            details.get("value"),
            str(details.get("allowed") or ""),
            [str(name) for name in takes] if isinstance(takes, list) else None,
            str(details["model_id"]) if details.get("model_id") else None,
        )


def message(exc: ImageGenError, spell: Spelling = typed_as, given: Sequence[str] = ()) -> str:
    """The error's message, with a refused field respelled by `spell`; `given`: the options the
    user typed, which name a field made from another option (--mask-rect for mask_image)."""
    refused = Refusal.of(exc)
    if refused is None:
        return exc.message
    name = spell(refused.field)
    also = _ALSO.get(refused.field.split(".")[0]) if spell is typed_as else None
    allowed = refused.rule
    if refused.takes is not None:
        takes = dict.fromkeys(spell(f) for f in refused.takes)  # width and height are both --size
        allowed += f" (this task takes: {', '.join(takes) or 'no options'})"
    if refused.shown is None:
        model = refused.model_id or "this request"
        either = f"{name} or {also}" if also else name
        return f"{either} is not given; {model} needs it: {allowed}"
    where = f" for {refused.model_id}" if refused.model_id else ""
    if also and any(typed == also or typed.startswith(also + "=") for typed in given):
        name = also
    value = _value(refused.shown)
    return f"{name}{' ' + value if value else ''} is not allowed{where}: {allowed}"


def _value(shown: Any) -> str:
    """The value as the user typed it: margins as LEFT,RIGHT,UP,DOWN, nothing for an image's bytes."""
    if isinstance(shown, dict):
        return ",".join(str(part) for part in shown.values())
    if isinstance(shown, str):
        return "" if _BYTES.match(shown) else repr(shown)
    return str(shown)
