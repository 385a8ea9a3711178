"""Request bodies to pipeline inputs. Field names are the neutral ones (snake_case); an
unknown field, or a value of the wrong kind, is a 400 that names it."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..config import MODIFY_MODES
from ..errors import InvalidParameter
from ..ids import checked_image_id
from ..models.request import ImageRequest, Task
from ..pipeline import GenerateInput, ModifyInput
from . import schemas

GENERATE_FIELDS = tuple(schemas.GENERATE["properties"])
MODIFY_FIELDS = tuple(schemas.MODIFY["properties"])
EVALUATE_FIELDS = tuple(schemas.EVALUATE["properties"])
_NOT_IMAGE_FIELDS = {"model", "size", "evaluate", "judge_model", "image_id", "mode", "mask_image"}  # handled here
_SIZE = re.compile(r"^\s*(\d{2,5})\s*[xX]\s*(\d{2,5})\s*$")


def generate_input(body: Mapping[str, Any]) -> GenerateInput:
    _only(body, GENERATE_FIELDS)
    if not isinstance(body.get("prompt"), str) or not body["prompt"].strip():
        raise InvalidParameter("prompt", body.get("prompt"), "required: a description of the image to generate")
    fields = _request_fields(body, GENERATE_FIELDS)
    if "size" in body:
        if "width" in body or "height" in body:
            raise InvalidParameter("size", body["size"], "either size, or width and height")
        fields["width"], fields["height"] = _size(body["size"])
    return GenerateInput(
        request=ImageRequest(task=Task.GENERATE, **fields),
        model=_optional_text(body, "model"),
        evaluate=_flag(body, "evaluate", default=True),
        judge_model=_optional_text(body, "judge_model"),
    )


def modify_input(body: Mapping[str, Any]) -> ModifyInput:
    _only(body, MODIFY_FIELDS)
    mode = body.get("mode")
    if mode not in MODIFY_MODES:
        raise InvalidParameter("mode", mode, f"required: one of {', '.join(MODIFY_MODES)}")
    fields = _request_fields(body, MODIFY_FIELDS)
    if "mask_image" in body:
        fields["mask_image"] = _base64_image(body["mask_image"], "mask_image")
    return ModifyInput(
        image_id=checked_image_id(body.get("image_id")),
        request=ImageRequest(task=Task(mode), **fields),
        model=_optional_text(body, "model"),
        evaluate=_flag(body, "evaluate", default=False),
        judge_model=_optional_text(body, "judge_model"),
    )


def evaluate_input(body: Mapping[str, Any]) -> tuple[str, str | None]:
    _only(body, EVALUATE_FIELDS)
    return checked_image_id(body.get("image_id")), _optional_text(body, "judge_model")


def _only(body: Mapping[str, Any], accepted: Iterable[str]) -> None:
    accepted = tuple(accepted)
    for name in body:
        if name not in accepted:
            raise InvalidParameter(
                str(name), body[name], f"not a field of this request; fields: {', '.join(sorted(accepted))}"
            )


def _request_fields(body: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    """The body's values for the ImageRequest fields among `names`."""
    return {n: body[n] for n in names if n not in _NOT_IMAGE_FIELDS and n in body and body[n] is not None}


def _size(value: Any) -> tuple[int, int]:
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match:
        raise InvalidParameter("size", value, "WIDTHxHEIGHT in pixels, such as 1024x1024")
    return int(match.group(1)), int(match.group(2))


def _flag(body: Mapping[str, Any], name: str, *, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise InvalidParameter(name, value, "true or false")
    return value


def _optional_text(body: Mapping[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidParameter(name, value, "a model id")
    return value


def _base64_image(value: Any, name: str) -> bytes:
    shown = f"<{len(value)} characters>" if isinstance(value, str) else value  # never echo image data
    if not isinstance(value, str):
        raise InvalidParameter(name, shown, "a base64-encoded PNG")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(name, shown, "a base64-encoded PNG") from None
