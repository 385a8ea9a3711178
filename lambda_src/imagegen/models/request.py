"""The neutral request: what a caller wants, before any vendor's field names."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from ..errors import InvalidParameter
from .fields import BY_NAME, Kind
from .tasks import Task

__all__ = ["ImageRequest", "Margins", "Task"]


@dataclass(frozen=True)
class Margins:
    """Pixels to add on each side when outpainting."""

    left: int = 0
    right: int = 0
    up: int = 0
    down: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"left": self.left, "right": self.right, "up": self.up, "down": self.down}

    def __post_init__(self) -> None:
        for side, value in self.as_dict().items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidParameter(f"margins.{side}", value, "a whole number of pixels")


@dataclass(frozen=True)
class ImageRequest:
    """One image task in the project's own words.

    Conventions that every builder translates to its vendor:
    - `strength` is how much the result may differ from the source image, 0.0 (keep it)
      to 1.0 (ignore it), as Stability defines it; Titan and Canvas get 1 - strength as
      similarityStrength.
    - `mask_image` is a PNG of the source's size where white marks the area to change and
      black the area to keep; Titan and Canvas receive it inverted, as they expect.
    - `mask_prompt` names what to change (Titan/Canvas maskPrompt, Stability search or
      select prompt); for outpainting on Titan/Canvas it names what to keep.
    - `seed` None means "pick one": the builder draws a seed in the model's range and
      reports it, so every result can be reproduced.
    - `images` are the source images of an edit (the pipeline reads them from storage);
      `reference_image` guides colour-guided generation; `style_image` is the style a
      style transfer applies to the source (the pipeline reads a stored one from storage).

    Every field but `task` and `images` is a row of `fields.FIELDS`, which gives its kind.
    """

    task: Task = Task.GENERATE
    prompt: str | None = None
    negative_prompt: str | None = None
    width: int | None = None
    height: int | None = None
    aspect_ratio: str | None = None
    count: int = 1
    seed: int | None = None
    quality: str | None = None
    cfg_scale: float | None = None
    style: str | None = None
    images: tuple[bytes, ...] = ()
    mask_prompt: str | None = None
    mask_image: bytes | None = None
    strength: float | None = None
    margins: Margins | None = None
    outpaint_mode: str | None = None
    grow_mask: int | None = None
    creativity: float | None = None
    output_format: str | None = None
    colors: tuple[str, ...] = ()
    reference_image: bytes | None = None
    control_strength: float | None = None
    fidelity: float | None = None
    style_image: bytes | None = None
    composition_fidelity: float | None = None
    style_strength: float | None = None
    change_strength: float | None = None

    def __post_init__(self) -> None:
        """Normalise forgiving inputs (a task name, lists, a margins mapping) and reject wrong
        types, so builders only have to check values against a model's limits."""
        if not isinstance(self.task, Task):
            try:
                object.__setattr__(self, "task", Task(self.task))
            except ValueError:
                raise InvalidParameter("task", self.task, f"one of {', '.join(Task)}") from None
        if isinstance(self.margins, Mapping):
            unknown = set(self.margins) - {"left", "right", "up", "down"}
            if unknown:
                raise InvalidParameter("margins", dict(self.margins), "only left, right, up and down")
            object.__setattr__(self, "margins", Margins(**self.margins))
        for name in ("images", "colors"):
            value = getattr(self, name)
            if value is None or isinstance(value, list):
                object.__setattr__(self, name, tuple(value or ()))
        for spec in fields(self):
            _check_type(spec.name, getattr(self, spec.name))

    def fields_set(self) -> dict[str, Any]:
        """The fields the caller gave a value (not None, not empty), task excluded."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            if name == "task":
                continue
            value = getattr(self, name)
            if name == "count" and value == 1:
                continue
            if value is None or value == ():
                continue
            out[name] = value
        return out


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _image(value: Any) -> bool:
    return isinstance(value, (bytes, bytearray))


# a field's kind -> the check its value must pass, and what to ask for when it does not
_TYPES: dict[Kind, tuple[Callable[[Any], bool], str]] = {
    Kind.TEXT: (lambda v: isinstance(v, str), "text"),
    Kind.INTEGER: (_whole, "a whole number"),
    Kind.NUMBER: (_number, "a number"),
    Kind.IMAGE: (_image, "image bytes"),
    Kind.COLORS: (lambda v: isinstance(v, tuple) and all(isinstance(c, str) for c in v), "a list of #RRGGBB colours"),
    Kind.MARGINS: (lambda v: isinstance(v, Margins), "left, right, up and down in pixels"),
}
_SOURCES = (lambda v: isinstance(v, tuple) and all(_image(i) for i in v), "a list of image bytes")


def _check_type(name: str, value: Any) -> None:
    if name == "count" and value is None:
        raise InvalidParameter(name, value, "a whole number")
    if value is None or name == "task":
        return
    check, want = _SOURCES if name == "images" else _TYPES[BY_NAME[name].kind]
    if not check(value):
        raise InvalidParameter(name, value, want)
