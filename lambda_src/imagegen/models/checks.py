"""Limit checks shared by the builders: each failure is an InvalidParameter naming the
field, the value and what the model allows. Values reach here with the right types
(ImageRequest checks those); these checks are about a model's ranges and lists."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .. import png
from ..errors import InvalidImage, InvalidParameter
from ..imageinfo import ImageInfo, probe
from .contracts import Translation
from .registry import ModelRecord
from .request import ImageRequest


class Checker:
    """Checks one request against one model's limits and records the translations made."""

    def __init__(self, record: ModelRecord, request: ImageRequest) -> None:
        self.record = record
        self.request = request
        self.limits = record.limits
        self.translations: list[Translation] = []

    def fail(self, field: str, value: Any, allowed: str, *, takes: Sequence[str] | None = None) -> InvalidParameter:
        return InvalidParameter(field, value, allowed, model_id=self.record.id, takes=takes)

    def translate(self, field: str, given: Any, used: Any, note: str) -> None:
        if given != used:
            self.translations.append(Translation(field, given, used, note))

    def only(self, fields: Iterable[str]) -> None:
        """Reject every field the caller set that this model and task do not take."""
        allowed = set(fields)
        for name, value in self.request.fields_set().items():
            if name not in allowed:
                raise self.fail(name, value, f"not supported for '{self.request.task}'", takes=sorted(allowed))

    def text(self, field: str, *, required: bool, limit_key: str | None = None) -> str | None:
        value = getattr(self.request, field)
        low, high = self.limits[limit_key or f"{field}_chars"]
        if value is None:
            if required:
                raise self.fail(field, None, f"required, {low}-{high} characters")
            return None
        if not low <= len(value) <= high or not value.strip():
            raise self.fail(field, value, f"{low}-{high} characters, not blank (got {len(value)})")
        return value

    def number(
        self,
        field: str,
        value: Any,
        limit_key: str | None = None,
        *,
        bounds: Sequence[float] | None = None,
        integer: bool = False,
        note: str = "",
    ) -> Any:
        low, high = bounds if bounds is not None else self.limits[limit_key or field]
        kind = int if integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or not low <= value <= high:
            what = "a whole number" if integer else "a number"
            raise self.fail(field, value, f"{what} from {_number(low)} to {_number(high)}{note}")
        return value

    def optional_number(self, field: str, *, integer: bool = False) -> Any:
        value = getattr(self.request, field)
        return None if value is None else self.number(field, value, integer=integer)

    def optional_choice(
        self, field: str, value: str | None, choices: Sequence[str], normal: Callable[[str], str] = str
    ) -> str | None:
        return None if value is None else self.choice(field, value, choices, normal)

    def choice(self, field: str, value: str, choices: Sequence[str], normal: Callable[[str], str] = str) -> str:
        """The value, spelled as the model spells it (the respelling is reported), or an error."""
        used = normal(value)
        if used not in choices:
            raise self.fail(field, value, f"one of {', '.join(choices)}")
        self.translate(field, value, used, "spelled as this model expects")
        return used

    def count(self) -> int:
        return self.number("count", self.request.count, integer=True)

    def seed(self, rng: random.Random | None) -> int:
        """The caller's seed, checked, or a fresh one in range (never 0, which means random)."""
        if self.request.seed is not None:
            return self.number("seed", self.request.seed, integer=True)
        low, high = self.limits["seed"]
        return (rng or random.SystemRandom()).randint(max(low, 1), high)

    def size_fields(self) -> tuple[int, int] | str | None:
        """(width, height), an aspect ratio, or None: never both, never half a size."""
        request = self.request
        if (request.width is None) != (request.height is None):
            raise self.fail("width" if request.width is None else "height", None, "width and height together")
        if request.width is not None and request.aspect_ratio is not None:
            raise self.fail("aspect_ratio", request.aspect_ratio, "either width and height, or an aspect ratio")
        if request.width is not None and request.height is not None:
            for name, value in (("width", request.width), ("height", request.height)):
                if value <= 0:
                    raise self.fail(name, value, "a positive number of pixels")
            return request.width, request.height
        return request.aspect_ratio

    def source_images(self, *, low: int = 1, high: int = 1) -> list[tuple[bytes, ImageInfo]]:
        images = self.request.images
        if not low <= len(images) <= high:
            want = f"exactly {low}" if low == high else f"{low} to {high}"
            raise self.fail("images", f"{len(images)} images", f"{want} source image(s)")
        return [self.input_image("images", data) for data in images]

    def input_image(self, field: str, data: bytes) -> tuple[bytes, ImageInfo]:
        """An image the model takes as input, checked against its `input_image` limits (opaque,
        where the model wants that)."""
        info = self.image(field, data)
        if self.limits["input_image"].get("opaque") and self.has_transparency(field, data, info):
            raise self.fail(
                field,
                f"{info.width}x{info.height} {info.format} with transparent pixels",
                "an opaque image: no transparent or semi-transparent pixels (flatten it onto a background)",
            )
        return bytes(data), info

    def has_transparency(self, field: str, data: bytes, info: ImageInfo) -> bool:
        """Whether any pixel is less than fully opaque. An alpha channel alone does not say:
        PNG pixels are read; for WebP the header's alpha flag is all there is to go on."""
        if not info.alpha:
            return False
        if info.format != "png":
            return True
        try:
            return png.has_transparency(data)
        except InvalidImage as exc:
            raise self.fail(field, data, f"a readable image ({exc.message})") from exc

    def image(self, field: str, data: bytes) -> ImageInfo:
        """Check one input image against the model's `input_image` limits."""
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
        if "min_pixels" in spec and info.pixels < spec["min_pixels"]:
            raise self.fail(field, size, f"at least {spec['min_pixels']:,} pixels")
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


def _number(value: float) -> str:
    """A limit as people write it: 4294967294, not 4.29497e+09; 0.5, not 0.500000."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
