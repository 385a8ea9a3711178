"""GET /models: what this deployment offers, from its settings and the registry: the generation
models and judges a request may name (the first is the default), each modify mode with its
model, the body fields it takes (and needs) and the limits of what it is given, and the refine
job's options. A page builds its pickers and forms from this, and refuses an upload the model
could not take before sending it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..config import Settings
from ..jobs import OPTIONS
from ..models.fields import BY_NAME
from ..models.registry import ModelRecord, resolve
from ..models.takes import takes
from ..models.tasks import Task

LAMBDA_REQUEST_BYTES = 6_291_456  # a synchronous invocation's payload: the API's whole event
EVENT_ALLOWANCE = 200_000  # kept for the event's headers and the rest of the body
MAX_UPLOAD_BYTES = (LAMBDA_REQUEST_BYTES - EVENT_ALLOWANCE) * 3 // 4
"""The bytes of all the files one request may carry, base64 in its JSON body."""

# A body field for each request field a builder names; the source image is the stored image_id.
_BODY_NAMES = {"images": (), "width": ("size",), "height": (), "style_image": ("style_image", "style_image_id")}
_ORDER = list(BY_NAME)
_RANGES = {"margins": "margin"}  # the registry limit of a field named otherwise
_CHOICES = {"style": ("styles", "style_presets"), "aspect_ratio": ("aspect_ratios",)}


def offered(settings: Settings) -> dict[str, Any]:
    """Each model's form is asked of its builder once a container (models.takes)."""
    generation = [_model(m, Task.GENERATE, n == 0) for n, m in enumerate(settings.generation_models)]
    judges = [_named(resolve(m).record, m) | {"default": n == 0} for n, m in enumerate(settings.judge_models)]
    modify = [
        {"mode": mode, "model": _named(resolve(model).record, model), **_form(model, Task(mode))}
        for mode, model in settings.modify_models.items()
    ]
    return {
        "model_set": settings.model_set,
        "generation": generation,
        "judges": judges,
        "modify": modify,
        "refine": {
            "options": [
                {"name": o.name, "low": o.low, "high": o.high, "default": o.default, "help": o.help} for o in OPTIONS
            ]
        },
        "limits": {"max_upload_bytes": MAX_UPLOAD_BYTES, "url_expiry_seconds": settings.url_expiry_seconds},
    }


def _named(record: ModelRecord, requested: str) -> dict[str, Any]:
    return {
        "id": requested,
        "name": record.name,
        "provider": record.provider,
        "lifecycle": record.lifecycle.state(),
        "notice": record.lifecycle_warning(),
    }


def _model(model: str, task: Task, default: bool) -> dict[str, Any]:
    return {**_named(resolve(model).record, model), "default": default, **_form(model, task)}


def _form(model: str, task: Task) -> dict[str, Any]:
    record = resolve(model).record
    taken = takes(model, task)
    names = [body for name in taken.fields for body in _BODY_NAMES.get(name, (name,))]
    required = {body for name in taken.required for body in _BODY_NAMES.get(name, (name,))[:1]}
    names = sorted((n for n in names if n in BY_NAME), key=_ORDER.index)  # the field table's order: prompt first
    fields = [_field(name, name in required, record.limits) for name in names]
    limits = {k: record.limits[k] for k in ("prompt_chars", "input_image", "margin", "sizes") if k in record.limits}
    return {"fields": fields, "limits": limits}


def _field(name: str, required: bool, limits: Mapping[str, Any]) -> dict[str, Any]:
    row = BY_NAME[name]
    shown: dict[str, Any] = {"name": name, "kind": str(row.kind), "help": row.described(), "required": required}
    choices = _choices(name, row.choices, limits)
    if choices:
        shown["choices"] = list(choices)
    span = limits.get(_RANGES.get(name, name))
    if isinstance(span, list) and len(span) == 2 and all(isinstance(v, (int, float)) for v in span):
        shown["range"] = span
    else:
        bounds = [row.schema.get("minimum"), row.schema.get("maximum")]
        if bounds != [None, None]:
            shown["range"] = bounds
    return shown


def _choices(name: str, key: str | None, limits: Mapping[str, Any]) -> Sequence[str] | None:
    for candidate in (key, *_CHOICES.get(name, ())):
        if candidate and isinstance(limits.get(candidate), list):
            return [str(v) for v in limits[candidate]]
    return None
