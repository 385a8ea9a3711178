"""The request bodies as JSON Schema (draft 4, as API Gateway models take it).

API Gateway validates bodies with these before a function runs, and the handlers accept
exactly these fields, so the two cannot drift apart. The handlers still check every value:
a schema keeps junk out early, the limits of each model are the builders' business.
"""

from __future__ import annotations

from typing import Any

from ..config import MODIFY_MODES

_MODEL = {"type": "string", "minLength": 1, "maxLength": 200}
_IMAGE_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"}
_IMAGE_OPTIONS: dict[str, Any] = {
    "negative_prompt": {"type": "string", "maxLength": 10000},
    "seed": {"type": "integer", "minimum": 0},
    "quality": {"type": "string", "maxLength": 20},
    "cfg_scale": {"type": "number"},
    "style": {"type": "string", "maxLength": 50},
    "output_format": {"type": "string", "maxLength": 10},
    "count": {"type": "integer", "minimum": 1, "maximum": 5},
    "evaluate": {"type": "boolean"},
    "judge_model": _MODEL,
}

GENERATE: dict[str, Any] = {
    "title": "GenerateImageRequest",
    "type": "object",
    "required": ["prompt"],
    "additionalProperties": False,
    "properties": {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 10000},
        "model": _MODEL,
        "size": {"type": "string", "pattern": "^\\s*[0-9]{2,5}\\s*[xX]\\s*[0-9]{2,5}\\s*$"},
        "width": {"type": "integer", "minimum": 1},
        "height": {"type": "integer", "minimum": 1},
        "aspect_ratio": {"type": "string", "maxLength": 10},
        **_IMAGE_OPTIONS,
    },
}

MODIFY: dict[str, Any] = {
    "title": "ModifyImageRequest",
    "type": "object",
    "required": ["image_id", "mode"],
    "additionalProperties": False,
    "properties": {
        "image_id": _IMAGE_ID,
        "mode": {"type": "string", "enum": list(MODIFY_MODES)},
        "prompt": {"type": "string", "minLength": 1, "maxLength": 10000},
        "model": _MODEL,
        "mask_prompt": {"type": "string", "minLength": 1, "maxLength": 10000},
        "mask_image": {"type": "string", "minLength": 1},
        "strength": {"type": "number", "minimum": 0, "maximum": 1},
        "margins": {
            "type": "object",
            "additionalProperties": False,
            "properties": {side: {"type": "integer", "minimum": 0} for side in ("left", "right", "up", "down")},
        },
        "outpaint_mode": {"type": "string", "maxLength": 20},
        "grow_mask": {"type": "integer", "minimum": 0},
        "creativity": {"type": "number", "minimum": 0, "maximum": 1},
        **_IMAGE_OPTIONS,
    },
}

EVALUATE: dict[str, Any] = {
    "title": "EvaluateImageRequest",
    "type": "object",
    "required": ["image_id"],
    "additionalProperties": False,
    "properties": {"image_id": _IMAGE_ID, "judge_model": _MODEL},
}
