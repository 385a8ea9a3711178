"""The neutral request: what a caller wants, before any vendor's field names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Task(StrEnum):
    GENERATE = "generate"
    VARIATION = "variation"
    INPAINT = "inpaint"
    OUTPAINT = "outpaint"
    REMOVE_BACKGROUND = "remove-background"
    REPLACE = "replace"
    RECOLOR = "recolor"
    ERASE = "erase"
    UPSCALE = "upscale"
    JUDGE = "judge"


MODIFY_TASKS = tuple(t for t in Task if t not in (Task.GENERATE, Task.JUDGE))


@dataclass(frozen=True)
class Margins:
    """Pixels to add on each side when outpainting."""

    left: int = 0
    right: int = 0
    up: int = 0
    down: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"left": self.left, "right": self.right, "up": self.up, "down": self.down}


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
