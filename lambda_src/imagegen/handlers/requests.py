"""Request bodies to pipeline inputs, read through the field table (`models/fields.py`): the one
translation of a request, for the handlers and for the command line alike. An unknown field, or
a value of the wrong kind, is a 400 that names it."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .. import batches, idempotency
from ..errors import InvalidParameter
from ..ids import checked_image_id
from ..jobs import OPTIONS
from ..models import fields
from ..models.fields import BY_NAME, Body, Kind
from ..models.request import ImageRequest, Task
from ..models.sizing import parse_size
from ..models.tasks import MODIFY_TASKS
from ..pipeline import BatchInput, GenerateInput, ModifyInput, RefineInput

_MODES = ", ".join(MODIFY_TASKS)


def generate_input(body: Mapping[str, Any], idempotency_key: str | None = None) -> GenerateInput:
    """`idempotency_key`: the request's Idempotency-Key header, if any (the body's client_token
    is the same key; both must agree)."""
    values = read(body, fields.GENERATE)
    return GenerateInput(
        request=ImageRequest(task=Task.GENERATE, **_request_fields(values)),
        model=values.get("model"),
        evaluate=values["evaluate"],
        judge_model=values.get("judge_model"),
        idempotency=idempotency.from_request(body, idempotency_key, "generate"),
    )


def modify_input(body: Mapping[str, Any], idempotency_key: str | None = None) -> ModifyInput:
    values = read(body, fields.MODIFY)
    return ModifyInput(
        image_id=values["image_id"],
        request=ImageRequest(task=Task(values["mode"]), **_request_fields(values)),
        model=values.get("model"),
        evaluate=values["evaluate"],
        judge_model=values.get("judge_model"),
        idempotency=idempotency.from_request(body, idempotency_key, "modify"),
        style_image_id=values.get("style_image_id"),
    )


REFINE_FIELDS = ("prompt", "model", "judge_model", "client_token")
"""POST /refine-image's fields from the field table; its numbers are `jobs.OPTIONS`."""


def refine_input(body: Mapping[str, Any], idempotency_key: str | None = None) -> RefineInput:
    names = [*REFINE_FIELDS, *(option.name for option in OPTIONS)]
    _only_fields(body, names)
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise InvalidParameter("prompt", prompt, "required: a description of the image to refine")
    numbers = {o.name: o.read(body[o.name]) if body.get(o.name) is not None else o.default for o in OPTIONS}
    models = {name: _model(name, body[name]) for name in ("model", "judge_model") if body.get(name) is not None}
    return RefineInput(
        prompt=prompt,
        target_score=int(numbers["target_score"] or 0),
        max_rounds=int(numbers["max_rounds"] or 0),
        budget_usd=numbers["budget_usd"],
        model=models.get("model"),
        judge_model=models.get("judge_model"),
        idempotency=idempotency.from_request(body, idempotency_key, "refine"),
    )


BATCH_DEFAULTS = ("model", "judge_model", "evaluate")
"""POST /batches' defaults for its items, from the field table."""


def batch_input(body: Mapping[str, Any], idempotency_key: str | None = None) -> BatchInput:
    """The items inline (`prompts`, each a POST /generate-image body) or an object's key
    (`prompts_key`), one of the two; each item is checked when the batch is submitted."""
    _only_fields(body, ["prompts", "prompts_key", *BATCH_DEFAULTS, "client_token"])
    prompts, key = body.get("prompts"), body.get("prompts_key")
    if (prompts is None) == (key is None):
        raise InvalidParameter("prompts", prompts, "either prompts or prompts_key, one of them")
    if prompts is not None and (
        not isinstance(prompts, list)
        or not 1 <= len(prompts) <= batches.MAX_INLINE
        or not all(isinstance(p, dict) for p in prompts)
    ):
        raise InvalidParameter("prompts", prompts, f"a list of 1 to {batches.MAX_INLINE:,} POST /generate-image bodies")
    if key is not None and (not isinstance(key, str) or not key):
        raise InvalidParameter("prompts_key", key, "the key of an object of JSON lines in the image bucket")
    defaults = {name: body[name] for name in BATCH_DEFAULTS if body.get(name) is not None}
    for name in ("model", "judge_model"):
        if name in defaults:
            _model(name, defaults[name])
    if "evaluate" in defaults:
        _flag("evaluate", defaults["evaluate"])
    return BatchInput(
        prompts=prompts,
        prompts_key=key,
        defaults=defaults,
        idempotency=idempotency.from_request(body, idempotency_key, "batches"),
    )


def _only_fields(body: Mapping[str, Any], names: list[str]) -> None:
    """A name not among the request's fields, or text holding a lone surrogate: a 400 naming it."""
    for name in body:
        if name not in names:
            raise InvalidParameter(
                str(name), body[name], f"not a field of this request; fields: {', '.join(sorted(names))}"
            )
    for name, value in body.items():
        _refuse_lone_surrogates(str(name), value)


def evaluate_input(body: Mapping[str, Any]) -> tuple[str, str | None]:
    values = read(body, fields.EVALUATE)
    return values["image_id"], values.get("judge_model")


def read(body: Mapping[str, Any], spec: Body) -> dict[str, Any]:
    """The body's values, each read by its field's kind, over the body's defaults; `size`
    becomes width and height."""
    names = [row.name for row in spec.fields()]
    _only_fields(body, names)
    for name, wanted in spec.required.items():
        value = body.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            raise InvalidParameter(name, value, f"required: {wanted}")
    values = dict(spec.defaults)
    for name, value in body.items():
        if value is not None:
            values[name] = _READERS[BY_NAME[name].kind](name, value)
    if "size" in values:
        if "width" in values or "height" in values:
            raise InvalidParameter("size", body["size"], "either size, or width and height")
        values["width"], values["height"] = values.pop("size")
    return values


def _refuse_lone_surrogates(name: str, value: Any) -> None:
    """Text is Unicode characters: half of a UTF-16 surrogate pair (a JSON "\\ud800" escape
    without its other half, or an undecodable byte on a command line) is no character, and no
    model can take it."""
    for text in _strings(value):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            lone = f"\\u{ord(text[exc.start]):04x}"
            raise InvalidParameter(
                name,
                _escaped(value),
                f"Unicode text; {lone} at character {exc.start + 1} is a lone surrogate (half of a UTF-16 pair)",
            ) from None


def _strings(value: Any) -> Iterator[str]:
    """Every string in a JSON value, keys too; without recursion, as a body may nest as deep as
    the JSON parser allows."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item)
            pending.extend(item.values())


def _escaped(value: Any, depth: int = 4) -> Any:
    """`value` with each surrogate written as a \\uXXXX escape, so that the error's echo is UTF-8
    text (a command line prints it); nesting past `depth` is not shown."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if not isinstance(value, (list, dict)):
        return value
    if depth == 0:
        return f"<{type(value).__name__}>"
    if isinstance(value, list):
        return [_escaped(item, depth - 1) for item in value]
    return {_escaped(key, 0): _escaped(item, depth - 1) for key, item in value.items()}


def _request_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in values.items() if BY_NAME[name].request}


def _as_is(name: str, value: Any) -> Any:
    """ImageRequest checks the type (and a missing value is the builder's to report)."""
    return value


def _colors(name: str, value: Any) -> Any:
    """A list (ImageRequest checks each colour); an empty one is refused, not read as "none"."""
    if not isinstance(value, list) or not value:
        raise InvalidParameter(name, value, "a list of one or more #RRGGBB colours")
    return value


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidParameter(name, value, "true or false")
    return value


def _model(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameter(name, value, "a model id")
    return value


def _mode(name: str, value: Any) -> str:
    if value not in MODIFY_TASKS:
        raise InvalidParameter(name, value, f"one of {_MODES}")
    return str(value)


def _image(name: str, value: Any) -> bytes:
    shown = f"<{len(value)} characters>" if isinstance(value, str) else value  # never echo image data
    if not isinstance(value, str):
        raise InvalidParameter(name, shown, "a base64-encoded image")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(name, shown, "a base64-encoded image") from None


_READERS: dict[Kind, Callable[[str, Any], Any]] = {
    Kind.TEXT: _as_is,
    Kind.INTEGER: _as_is,
    Kind.NUMBER: _as_is,
    Kind.COLORS: _colors,
    Kind.MARGINS: _as_is,
    Kind.FLAG: _flag,
    Kind.MODEL: _model,
    Kind.MODE: _mode,
    Kind.IMAGE: _image,
    Kind.IMAGE_ID: lambda name, value: checked_image_id(value, name),
    Kind.SIZE: lambda name, value: parse_size(value, name),
}
