"""The request bodies as JSON Schema (draft 4, as API Gateway models take it), made from the
field table (`models/fields.py`).

API Gateway validates bodies with these before a function runs, and the handlers read bodies
from the same table, so the two cannot drift apart. The handlers still check every value: a
schema keeps junk out early, the limits of each model are the builders' business.
"""

from __future__ import annotations

from typing import Any

from ..jobs import OPTIONS
from ..models import fields
from ..models.fields import BY_NAME, Body


def schema(body: Body) -> dict[str, Any]:
    """The body's JSON schema: a property per field, described by its help."""
    properties: dict[str, Any] = {}
    for row in body.fields():
        prop = {**row.schema, "description": row.described()}
        if row.name in body.defaults:
            prop["default"] = body.defaults[row.name]
        properties[row.name] = prop
    return {
        "title": body.title,
        "type": "object",
        "required": list(body.required),
        "additionalProperties": False,
        "properties": properties,
    }


GENERATE = schema(fields.GENERATE)
MODIFY = schema(fields.MODIFY)
EVALUATE = schema(fields.EVALUATE)


def refine_schema() -> dict[str, Any]:
    """POST /refine-image's body: a prompt, the models and the key from the field table, and the
    numbers of `jobs.OPTIONS` with their ranges."""
    properties: dict[str, Any] = {
        name: {**BY_NAME[name].schema, "description": BY_NAME[name].described()}
        for name in ("prompt", "model", "judge_model", "client_token")
    }
    for option in OPTIONS:
        default = {} if option.default is None else {"default": option.default}
        properties[option.name] = {**option.schema, "description": option.help, **default}
    return {
        "title": "RefineImageRequest",
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": properties,
    }


REFINE = refine_schema()
