"""The request bodies as JSON Schema (draft 4, as API Gateway models take it), made from the
field table (`models/fields.py`).

API Gateway validates bodies with these before a function runs, and the handlers read bodies
from the same table, so the two cannot drift apart. The handlers still check every value: a
schema keeps junk out early, the limits of each model are the builders' business.
"""

from __future__ import annotations

from typing import Any

from ..batches import MAX_INLINE, MAX_LINES
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


def batch_schema() -> dict[str, Any]:
    """POST /batches' body: the items inline (each a POST /generate-image body) or an object's key,
    the items' defaults and the batch's idempotency key."""
    properties: dict[str, Any] = {
        name: {**BY_NAME[name].schema, "description": f"the items' default: {BY_NAME[name].described()}"}
        for name in ("model", "judge_model", "evaluate")
    }
    properties["client_token"] = {**BY_NAME["client_token"].schema, "description": BY_NAME["client_token"].described()}
    properties["prompts"] = {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_INLINE,
        "items": {**GENERATE, "required": []},
        "description": f"1 to {MAX_INLINE:,} POST /generate-image bodies",
    }
    properties["prompts_key"] = {
        "type": "string",
        "minLength": 1,
        "description": f"the key of an object under batch-inputs/ in the image bucket: up to {MAX_LINES:,} "
        "JSON lines, each a POST /generate-image body",
    }
    return {"title": "BatchRequest", "type": "object", "additionalProperties": False, "properties": properties}


BATCH = batch_schema()
