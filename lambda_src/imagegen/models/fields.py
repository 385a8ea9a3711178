"""The request's fields, once: a row for every field of the API's request bodies.

A row says what a field holds (its kind and JSON-schema fragment), what it is for (the help,
which is also its description in the API's request models; `{name}` in it names another field,
as each surface spells it) and which tasks it applies to. From
this table come ImageRequest's type checks, the JSON schemas API Gateway validates bodies with,
the handlers' reading of a body, and the command line's options (local commands and `imagegen
api`). A new option is a row here plus the builder code that uses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .sizing import SIZE_PATTERN
from .tasks import MODIFY_TASKS, Task


class Kind(StrEnum):
    """What a value is, in a JSON body (and so in an ImageRequest or a call's options)."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    FLAG = "flag"  # true or false
    SIZE = "size"  # WIDTHxHEIGHT text, read into width and height
    COLORS = "colors"  # a list of #RRGGBB
    IMAGE = "image"  # base64 in a body, bytes in a request, a file on the command line
    MARGINS = "margins"  # {"left", "right", "up", "down"} in pixels
    MODEL = "model"  # a model id
    IMAGE_ID = "image_id"  # an image id, as generate and modify answer it
    MODE = "mode"  # a modify task


@dataclass(frozen=True)
class Field:
    name: str  # the body's key; for a request field, the ImageRequest attribute too
    kind: Kind
    schema: Mapping[str, Any]  # the JSON-schema fragment (draft 4), without its description
    help: str
    tasks: frozenset[Task]
    request: bool = True  # an ImageRequest field; False: an option of the call (model, evaluate...)
    flag: str | None = ""  # the command line's option: "" is --the-name, None is none (a positional, or API only)
    choices: str | None = None  # the registry limit whose values it takes ("qualities"), for the command line
    spelling: str | None = None  # "lower" or "upper": how the command line respells a choice
    group: str | None = None  # options of one group exclude each other on the command line
    stored: str | None = None  # an image's other field, for a stored image's id: the option takes a file or an id

    @property
    def option(self) -> str | None:
        if self.flag == "":
            return "--" + self.name.replace("_", "-")
        return self.flag

    def described(self, spell: Callable[[str], str] = lambda name: name) -> str:
        """The help with each `{field}` it names spelled by `spell` (the body's name by default)."""
        return _NAMED.sub(lambda found: spell(found.group(1)), self.help)


_NAMED = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class Body:
    """One request body: the fields of the tasks it serves, the required ones (with what to ask
    for when one is missing), and the defaults of the others."""

    title: str
    tasks: frozenset[Task]
    required: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)

    def fields(self) -> tuple[Field, ...]:
        return tuple(row for row in FIELDS if row.tasks & self.tasks)

    def default(self, name: str) -> Any:
        return self.defaults.get(name)


_G = frozenset({Task.GENERATE})
_MODIFY = frozenset(MODIFY_TASKS)
_IMAGE_TASKS = _G | _MODIFY
_AMAZON_TASKS = _G | {Task.VARIATION, Task.INPAINT, Task.OUTPAINT, Task.REPLACE, Task.ERASE}  # imageGenerationConfig
_SIZED = _G | {Task.VARIATION}  # Titan and Canvas variations take width and height as generation does
_MASKED = frozenset({Task.INPAINT, Task.OUTPAINT, Task.REPLACE, Task.RECOLOR, Task.ERASE})
_CONTROL = frozenset({Task.CONTROL_SKETCH, Task.CONTROL_STRUCTURE})
_GUIDED = _CONTROL | {Task.STYLE_GUIDE}  # a prompt drawn after the source's lines, structure or style
_TRANSFER = frozenset({Task.STYLE_TRANSFER})
_PROMPTED = (
    _G | _GUIDED | _TRANSFER | {Task.VARIATION, Task.INPAINT, Task.OUTPAINT, Task.REPLACE, Task.RECOLOR, Task.UPSCALE}
)
_UNIT: Mapping[str, Any] = {"type": "number", "minimum": 0, "maximum": 1}
_IMAGE_ID: Mapping[str, Any] = {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"}
_MODEL_ID: Mapping[str, Any] = {"type": "string", "minLength": 1, "maxLength": 200}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 10000}

FIELDS: tuple[Field, ...] = (
    Field(
        "prompt",
        Kind.TEXT,
        _TEXT,
        "what the image should show; for a modification, the change (not needed for erase, remove-background, "
        "fast upscale, style-transfer)",
        _PROMPTED,
        flag=None,
    ),
    Field(
        "negative_prompt",
        Kind.TEXT,
        {"type": "string", "maxLength": 10000},
        "what the image should not show",
        _PROMPTED - _TRANSFER,
    ),
    Field(
        "model", Kind.MODEL, _MODEL_ID, "the model for the task (default: the model set's)", _IMAGE_TASKS, request=False
    ),
    Field(
        "image_id",
        Kind.IMAGE_ID,
        _IMAGE_ID,
        "the stored image's id, as generate or modify answered it",
        _MODIFY | {Task.JUDGE},
        request=False,
        flag=None,
    ),
    Field(
        "mode",
        Kind.MODE,
        {"type": "string", "enum": [t.value for t in MODIFY_TASKS]},
        "what to do to the image",
        _MODIFY,
        request=False,
    ),
    Field(
        "size",
        Kind.SIZE,
        {"type": "string", "pattern": SIZE_PATTERN},
        "WIDTHxHEIGHT, such as 1024x1024 (translated for models that take ratios; a variation with Titan or "
        "Canvas: the output's size, else the source's)",
        _G | {Task.VARIATION},
        request=False,
        group="size",
    ),
    Field("width", Kind.INTEGER, {"type": "integer", "minimum": 1}, "width in pixels, with height", _SIZED, flag=None),
    Field("height", Kind.INTEGER, {"type": "integer", "minimum": 1}, "height in pixels, with width", _SIZED, flag=None),
    Field(
        "aspect_ratio",
        Kind.TEXT,
        {"type": "string", "maxLength": 10},
        "W:H, such as 16:9 (generate, style-guide)",
        _G | {Task.STYLE_GUIDE},
        group="size",
    ),
    Field(
        "count",
        Kind.INTEGER,
        {"type": "integer", "minimum": 1, "maximum": 5},
        "how many images (Titan, Canvas: up to 5)",
        _AMAZON_TASKS,
    ),
    Field(
        "seed",
        Kind.INTEGER,
        {"type": "integer", "minimum": 0},
        "seed (default: a random one, reported)",
        _IMAGE_TASKS - {Task.REMOVE_BACKGROUND, Task.STYLE_TRANSFER},
    ),
    Field(
        "quality",
        Kind.TEXT,
        {"type": "string", "maxLength": 20},
        "image quality (Titan, Canvas)",
        _AMAZON_TASKS,
        choices="qualities",
        spelling="lower",
    ),
    Field("cfg_scale", Kind.NUMBER, {"type": "number"}, "prompt adherence (Titan, Canvas)", _AMAZON_TASKS),
    Field(
        "style",
        Kind.TEXT,
        {"type": "string", "maxLength": 50},
        "Canvas style or Stability style preset",
        _G | _GUIDED | {Task.INPAINT, Task.OUTPAINT, Task.REPLACE, Task.RECOLOR, Task.UPSCALE},
    ),
    Field(
        "output_format",
        Kind.TEXT,
        {"type": "string", "maxLength": 10},
        "the image's format (Stability; Titan and Canvas answer PNG)",
        _IMAGE_TASKS - _TRANSFER,
        choices="output_formats",
        spelling="lower",
    ),
    Field(
        "colors",
        Kind.COLORS,
        {
            "type": "array",
            "items": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "minItems": 1,
            "maxItems": 10,
        },
        "colour-guided generation: the palette, #RRGGBB each (Titan v2, Canvas)",
        _G,
    ),
    Field(
        "reference_image",
        Kind.IMAGE,
        {"type": "string", "minLength": 1},
        "with {colors}: an image whose look guides the result (a PNG or JPEG)",
        _G,
    ),
    Field(
        "mask_prompt",
        Kind.TEXT,
        _TEXT,
        "words naming the area: what to replace and recolor (every model); for inpaint and erase with Titan or "
        "Canvas, what to change; for outpaint with Titan or Canvas, what to keep. Stability's inpaint and erase take "
        "a mask image instead ({mask_image})",
        _MASKED,
    ),
    Field(
        "mask_image",
        Kind.IMAGE,
        {"type": "string", "minLength": 1},
        "a PNG mask of the image's size, pure black and white, white where the image should change: inpaint and "
        "erase with Stability (needed unless transparent pixels in the source mark the area); inpaint, outpaint "
        "and erase with Titan or Canvas (or words: {mask_prompt})",
        frozenset({Task.INPAINT, Task.OUTPAINT, Task.ERASE}),
        flag="--mask",
    ),
    Field(
        "strength",
        Kind.NUMBER,
        {"type": "number", "minimum": 0, "maximum": 1},
        "how far from the source, 0 (keep) to 1 (ignore it)",
        frozenset({Task.VARIATION}),
    ),
    Field(
        "margins",
        Kind.MARGINS,
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {side: {"type": "integer", "minimum": 0} for side in ("left", "right", "up", "down")},
        },
        "outpaint: pixels to add on each side",
        frozenset({Task.OUTPAINT}),
    ),
    Field(
        "outpaint_mode",
        Kind.TEXT,
        {"type": "string", "maxLength": 20},
        "how strictly outpainting keeps the masked area (Titan, Canvas)",
        frozenset({Task.OUTPAINT}),
        choices="outpaint_modes",
        spelling="upper",
    ),
    Field(
        "grow_mask",
        Kind.INTEGER,
        {"type": "integer", "minimum": 0},
        "pixels to grow the mask (Stability)",
        frozenset({Task.INPAINT, Task.REPLACE, Task.RECOLOR, Task.ERASE}),
    ),
    Field(
        "creativity",
        Kind.NUMBER,
        {"type": "number", "minimum": 0, "maximum": 1},
        "Stability outpaint and upscale creativity",
        frozenset({Task.OUTPAINT, Task.UPSCALE}),
    ),
    Field(
        "control_strength",
        Kind.NUMBER,
        _UNIT,
        "control-sketch and control-structure: how much the source's lines or structure steer the result, "
        "0 (little) to 1 (closely)",
        _CONTROL,
    ),
    Field(
        "fidelity",
        Kind.NUMBER,
        _UNIT,
        "style-guide: how closely the result keeps the source image's style, 0 to 1",
        frozenset({Task.STYLE_GUIDE}),
    ),
    Field(
        "style_image",
        Kind.IMAGE,
        {"type": "string", "minLength": 1},
        "style-transfer: the image whose style the source takes on (a PNG, JPEG or WebP), or a stored one: "
        "{style_image_id}",
        _TRANSFER,
        stored="style_image_id",
    ),
    Field(
        "style_image_id",
        Kind.IMAGE_ID,
        _IMAGE_ID,
        "style-transfer: the id of a stored image whose style the source takes on (instead of {style_image})",
        _TRANSFER,
        request=False,
        flag=None,
    ),
    Field(
        "composition_fidelity",
        Kind.NUMBER,
        _UNIT,
        "style-transfer: how closely the result keeps the source's composition, 0 to 1",
        _TRANSFER,
    ),
    Field(
        "style_strength",
        Kind.NUMBER,
        _UNIT,
        "style-transfer: how strongly the style image's style is applied, 0 to 1",
        _TRANSFER,
    ),
    Field(
        "change_strength",
        Kind.NUMBER,
        _UNIT,
        "style-transfer: how much the source may change (Stability: 0.1 to 1)",
        _TRANSFER,
    ),
    Field("evaluate", Kind.FLAG, {"type": "boolean"}, "judge the result", _IMAGE_TASKS, request=False),
    Field(
        "judge_model",
        Kind.MODEL,
        _MODEL_ID,
        "judge model id (default: the model set's)",
        _IMAGE_TASKS | {Task.JUDGE},
        request=False,
    ),
    Field(
        "client_token",
        Kind.TEXT,
        {"type": "string", "pattern": "^[\\x20-\\x7E]{1,255}$"},
        "an idempotency key (or the Idempotency-Key header): the same request sent again with it answers what "
        "the first one stored, without paying again (imagegen api sends a new one per command by default)",
        _IMAGE_TASKS,
        request=False,
    ),
)

BY_NAME: Mapping[str, Field] = {row.name: row for row in FIELDS}

_AN_IMAGE_ID = "the id of a stored image, as generate or modify answered it"
GENERATE = Body(
    "GenerateImageRequest",
    _G,
    required={"prompt": "a description of the image to generate"},
    defaults={"evaluate": True},
)
MODIFY = Body(
    "ModifyImageRequest",
    _MODIFY,
    required={"image_id": _AN_IMAGE_ID, "mode": "one of " + ", ".join(MODIFY_TASKS)},
    defaults={"evaluate": False},
)
EVALUATE = Body("EvaluateImageRequest", frozenset({Task.JUDGE}), required={"image_id": _AN_IMAGE_ID})
