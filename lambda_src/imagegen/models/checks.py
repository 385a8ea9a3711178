"""Limit checks shared by the builders: each failure is an InvalidParameter naming the
field, the value and what the model allows."""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..errors import InvalidImage, InvalidParameter
from ..imageinfo import ImageInfo, probe
from .registry import ModelRecord
from .request import ImageRequest


class Checker:
    """Checks one request against one model's limits."""

    def __init__(self, record: ModelRecord, request: ImageRequest) -> None:
        self.record = record
        self.request = request
        self.limits = record.limits

    def fail(self, field: str, value: Any, allowed: str) -> InvalidParameter:
        return InvalidParameter(field, value, allowed, model_id=self.record.id)

    def only(self, fields: Iterable[str]) -> None:
        """Reject every field the caller set that this model and task do not take."""
        allowed = set(fields)
        for name, value in self.request.fields_set().items():
            if name not in allowed:
                raise self.fail(
                    name,
                    value,
                    f"not supported for '{self.request.task}'"
                    f" (this task takes: {', '.join(sorted(allowed)) or 'no options'})",
                )

    def text(self, field: str, *, required: bool, limit_key: str | None = None) -> str | None:
        value = getattr(self.request, field)
        low, high = self.limits[limit_key or f"{field}_chars"]
        if value is None:
            if required:
                raise self.fail(field, None, f"required, {low}-{high} characters")
            return None
        if not isinstance(value, str) or not low <= len(value) <= high or not value.strip():
            raise self.fail(
                field, value, f"{low}-{high} characters (got {len(value) if isinstance(value, str) else 'no text'})"
            )
        return value

    def number(self, field: str, value: Any, limit_key: str, *, integer: bool = False) -> Any:
        low, high = self.limits[limit_key]
        kind = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            what = "an integer" if integer else "a number"
            raise self.fail(field, value, f"{what} from {low} to {high}")
        return value

    def choice(self, field: str, value: Any, choices: Sequence[Any]) -> Any:
        if value not in choices:
            raise self.fail(field, value, f"one of {', '.join(map(str, choices))}")
        return value

    def count(self) -> int:
        return self.number("count", self.request.count, "count", integer=True)

    def seed(self, rng: random.Random | None) -> int:
        """The caller's seed, checked, or a fresh one in range (never 0, which means random)."""
        if self.request.seed is not None:
            return self.number("seed", self.request.seed, "seed", integer=True)
        low, high = self.limits["seed"]
        return (rng or random.SystemRandom()).randint(max(low, 1), high)

    def source_images(self, *, low: int = 1, high: int = 1) -> list[tuple[bytes, ImageInfo]]:
        images = self.request.images
        if not low <= len(images) <= high:
            want = f"exactly {low}" if low == high else f"{low} to {high}"
            raise self.fail("images", f"{len(images)} images", f"{want} source image(s)")
        return [(data, self.image("images", data)) for data in images]

    def image(self, field: str, data: Any) -> ImageInfo:
        """Check one input image against the model's `input_image` limits."""
        if not isinstance(data, (bytes, bytearray)):
            raise self.fail(field, type(data).__name__, "image bytes")
        spec: Mapping[str, Any] = self.limits["input_image"]
        try:
            info = probe(bytes(data))
        except InvalidImage as exc:
            raise self.fail(field, data, f"a readable image ({exc.message})") from exc
        size = f"{info.width}x{info.height} {info.format}"
        if info.format not in spec["formats"]:
            raise self.fail(field, size, f"formats {', '.join(spec['formats'])}")
        if "max_bytes" in spec and len(data) > spec["max_bytes"]:
            raise self.fail(field, f"{len(data):,} bytes", f"at most {spec['max_bytes']:,} bytes")
        if "min_side" in spec and min(info.width, info.height) < spec["min_side"]:
            raise self.fail(field, size, f"each side at least {spec['min_side']} px")
        if "max_side" in spec and max(info.width, info.height) > spec["max_side"]:
            raise self.fail(field, size, f"each side at most {spec['max_side']} px")
        if "max_pixels" in spec and info.pixels > spec["max_pixels"]:
            raise self.fail(field, size, f"at most {spec['max_pixels']:,} pixels")
        if "aspect" in spec:
            low, high = spec["aspect"]
            if not low <= info.width / info.height <= high:
                raise self.fail(field, size, f"an aspect ratio (width/height) from {low} to {high}")
        return info

    def exactly_one_mask(self) -> str:
        """'mask_prompt' or 'mask_image', whichever the caller gave; both or neither is an error."""
        given = [f for f in ("mask_prompt", "mask_image") if getattr(self.request, f) is not None]
        if len(given) != 1:
            raise self.fail("mask_prompt", self.request.mask_prompt, "exactly one of mask_prompt or mask_image")
        return given[0]
