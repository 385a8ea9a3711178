"""Errors in the command line's words: a refused field is named as the user typed it (`--mask`,
PROMPT), not as the API's body names it (`mask_image`)."""

from __future__ import annotations

from imagegen.errors import ImageGenError, InvalidParameter
from imagegen.models.fields import FIELDS

# fields the command line takes as arguments, or as an option named for another field
_TYPED_AS = {"prompt": "PROMPT", "image_id": "IMAGE", "images": "IMAGE", "width": "--size", "height": "--size"}
_OPTIONS = {row.name: row.option for row in FIELDS if row.option}


def typed_as(field: str) -> str:
    """How the command line spells a body field (margins.left is --margins); an unknown one as is."""
    name = field.split(".")[0]
    return _TYPED_AS.get(name) or _OPTIONS.get(name) or field


def message(exc: ImageGenError) -> str:
    """The error's message, with an InvalidParameter's fields respelled as options or arguments."""
    if not isinstance(exc, InvalidParameter):
        return exc.message
    name = typed_as(exc.field)
    allowed = exc.rule
    if exc.takes is not None:
        takes = dict.fromkeys(typed_as(f) for f in exc.takes)  # width and height are both --size
        allowed += f" (this task takes: {', '.join(takes) or 'no options'})"
    if exc.value is None:
        model = exc.model_id or "this request"
        return f"{name} is not given; {model} needs it: {allowed}"
    where = f" for {exc.model_id}" if exc.model_id else ""
    return f"{name} {exc.shown!r} is not allowed{where}: {allowed}"
