"""The API's request models (the JSON schemas API Gateway validates bodies with), applied before
`imagegen api` sends a body: a value the deployment would refuse with API Gateway's bare
"Invalid request body" is named here, in the command line's words, and nothing is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from imagegen.handlers import schemas
from imagegen.models.fields import Body

from .context import Usage
from .wording import typed_as

if TYPE_CHECKING:
    from jsonschema import ValidationError

# what each JSON-schema rule means for a value, in words (the value is not echoed: it may be a prompt)
_RULES = {
    "minimum": "at least {}",
    "maximum": "at most {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} values",
    "maxItems": "at most {} values",
    "pattern": "of the form {}",
    "enum": "one of {}",
    "type": "a {}",
}


def check(body: dict[str, Any], spec: Body) -> None:
    """Nothing when the request model takes `body`, else Usage naming the first field it refuses."""
    from jsonschema import Draft4Validator  # loaded by `imagegen api` when it sends a body, not at start

    refused = sorted(Draft4Validator(schemas.schema(spec)).iter_errors(body), key=lambda e: list(map(str, e.path)))
    if refused:
        raise Usage(_said(refused[0]))


def _said(error: ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    name = typed_as(".".join(path)) if path else "the request"
    rule = _RULES.get(str(error.validator))
    if rule is None:
        return f"{name}: the API's request model refuses it ({error.validator})"
    value = error.instance if isinstance(error.instance, (int, float)) and not isinstance(error.instance, bool) else ""
    shown = f" {value}" if value != "" else ""
    said = rule.format(error.validator_value)
    if error.validator_value == 1:
        said = said.removesuffix("s")  # at least 1 character
    return f"{name}{shown} is not allowed: the API takes {said}"
