"""Stability AI on Bedrock: text-to-image models (SD3.5 Large, Stable Image Core and Ultra)
and the Image Services (inpaint, outpaint, search and replace or recolor, erase, remove
background, upscale, control sketch and structure, style guide, style transfer). Both answer
{"seeds", "finish_reasons", "images"}.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from typing import Any

from ..errors import ContentFiltered, UpstreamFailure
from .checks import Checker
from .contracts import BuiltRequest, GeneratedImage, ImageResult, withheld_notice
from .decoding import b64, decode_image, image_list, json_object
from .registry import ModelRecord
from .request import ImageRequest, Task
from .sizing import nearest_ratio

# Stability body field -> the neutral field it is filled from
NEUTRAL_FIELD = {
    "prompt": "prompt",
    "negative_prompt": "negative_prompt",
    "image": "images",
    "mask": "mask_image",
    "search_prompt": "mask_prompt",
    "select_prompt": "mask_prompt",
    "grow_mask": "grow_mask",
    "seed": "seed",
    "output_format": "output_format",
    "style_preset": "style",
    "creativity": "creativity",
    "left": "margins",
    "right": "margins",
    "up": "margins",
    "down": "margins",
    "control_strength": "control_strength",
    "fidelity": "fidelity",
    "aspect_ratio": "aspect_ratio",
    "init_image": "images",
    "style_image": "style_image",
    "composition_fidelity": "composition_fidelity",
    "style_strength": "style_strength",
    "change_strength": "change_strength",
}
# body fields that are a number in one of the model's ranges, read from the neutral field of the same name
_NUMBERS = ("creativity", "control_strength", "fidelity", "composition_fidelity", "style_strength", "change_strength")
MARGINS = ("left", "right", "up", "down")
_FILTER_STAGES = {"prompt": "prompt", "output image": "output", "input image": "input_image"}


def build_text_to_image(record: ModelRecord, request: ImageRequest, rng: random.Random | None = None) -> BuiltRequest:
    check = Checker(record, request)
    image_to_image = request.task is Task.VARIATION
    allowed = ["prompt", "negative_prompt", "seed", "output_format"]
    allowed += ["images", "strength"] if image_to_image else ["aspect_ratio", "width", "height"]
    check.only(allowed)
    body: dict[str, Any] = {"prompt": check.text("prompt", required=True)}
    negative = check.text("negative_prompt", required=False)
    if negative:
        body["negative_prompt"] = negative
    if image_to_image:
        ((image, _),) = check.source_images()
        if record.limits["image_to_image"] == "mode":
            body["mode"] = "image-to-image"
            if request.strength is None:
                raise check.fail(
                    "strength", None, "required for image-to-image: 0.0 (keep the source) to 1.0 (ignore it)"
                )
        body["image"] = b64(image)
        if request.strength is not None:
            body["strength"] = check.number("strength", request.strength)
    else:
        body["aspect_ratio"] = _aspect_ratio(check)
    seed = check.seed(rng)
    body["seed"] = seed
    body["output_format"] = _output_format(check)
    # one rate per model; the size follows from the aspect ratio (or the source), as the model decides
    return BuiltRequest(record.id, body, seed, tuple(check.translations), quality=None, size=None)


def build_service(record: ModelRecord, request: ImageRequest, rng: random.Random | None = None) -> BuiltRequest:
    check = Checker(record, request)
    required, optional = record.fields["required"], record.fields["optional"]
    check.only({NEUTRAL_FIELD[name] for name in (*required, *optional)})
    fillers: dict[str, Callable[[], Any]] = {
        "prompt": lambda: check.text("prompt", required="prompt" in required),
        "negative_prompt": lambda: check.text("negative_prompt", required=False),
        "image": lambda: b64(check.source_images()[0][0]),
        "init_image": lambda: b64(check.source_images()[0][0]),
        "style_image": lambda: _style_image(check),
        "mask": lambda: _mask(check),
        "search_prompt": lambda: check.text("mask_prompt", required=True, limit_key="prompt_chars"),
        "select_prompt": lambda: check.text("mask_prompt", required=True, limit_key="prompt_chars"),
        "grow_mask": lambda: check.optional_number("grow_mask", integer=True),
        **{name: functools.partial(check.optional_number, name) for name in _NUMBERS},
        "style_preset": lambda: check.optional_choice(
            "style", request.style, record.limits["style_presets"], _kebab_case
        ),
        "aspect_ratio": lambda: check.optional_choice(
            "aspect_ratio", request.aspect_ratio, record.limits["aspect_ratios"], lambda v: v.replace(" ", "")
        ),
        "output_format": lambda: _output_format(check),
        "seed": lambda: check.seed(rng),
    }
    body: dict[str, Any] = {}
    for name in (*required, *optional):
        if name in MARGINS:
            continue
        value = fillers[name]()
        if value is None and name in required:
            raise check.fail(NEUTRAL_FIELD[name], None, "required")
        if value is not None:
            body[name] = value
    if any(m in optional or m in required for m in MARGINS):
        body.update(_margins(check))
    return BuiltRequest(record.id, body, body.get("seed"), tuple(check.translations), quality=None, size=None)


def parse(record: ModelRecord, payload: Any, built: BuiltRequest) -> ImageResult:
    """Keep the images whose finish reason is null (or SUCCESS); a response with none left is
    content filtered (a "Filter reason") or an upstream failure (anything else)."""
    doc = json_object(payload, record.id)
    images = image_list(doc, record.id)
    reasons, seeds = doc.get("finish_reasons"), doc.get("seeds")
    reasons = reasons if isinstance(reasons, list) else []
    seeds = seeds if isinstance(seeds, list) else []
    good: list[GeneratedImage] = []
    failures: list[str] = []
    for i in range(max(len(images), len(reasons))):
        reason = reasons[i] if i < len(reasons) else None
        if reason not in (None, "SUCCESS"):
            failures.append(str(reason))
        elif i < len(images):
            seed = (
                seeds[i]
                if i < len(seeds) and isinstance(seeds[i], int) and not isinstance(seeds[i], bool)
                else built.seed
            )
            good.append(decode_image(images[i], record.id, seed))
    if good:
        notice = withheld_notice(len(failures), len(good) + len(failures)) if failures else None
        return ImageResult(tuple(good), filtered=len(failures), notice=notice, upstream="; ".join(failures) or None)
    filtered = [f for f in failures if f.lower().startswith("filter reason")]
    if filtered:
        stage = _FILTER_STAGES.get(filtered[0].split(":", 1)[-1].strip().lower(), "output")
        raise ContentFiltered.at(stage, upstream=filtered[0])
    raise UpstreamFailure(f"{record.id} returned no image", upstream="; ".join(failures) or str(doc)[:2000])


def _aspect_ratio(check: Checker) -> str:
    ratios = check.limits["aspect_ratios"]
    given = check.size_fields()
    if given is None:
        return check.limits["default_aspect_ratio"]
    if isinstance(given, str):
        return check.choice("aspect_ratio", given, ratios, lambda v: v.replace(" ", ""))
    ratio = nearest_ratio(*given, ratios)
    note = "this model takes an aspect ratio, not a size: the nearest is used; the real size is read from the image"
    check.translate("width", f"{given[0]}x{given[1]}", ratio, note)
    return ratio


def _output_format(check: Checker) -> str:
    given = check.request.output_format or "png"
    return check.choice("output_format", given, check.limits["output_formats"], _format_name)


def _format_name(value: str) -> str:
    lowered = value.strip().lower()
    return "jpeg" if lowered == "jpg" else lowered


def _mask(check: Checker) -> str | None:
    """The mask, white where to change; without one, Stability changes the source's transparent
    pixels, so an alpha channel that is opaque everywhere marks nothing."""
    mask = check.request.mask_image
    if mask is not None:
        check.image("mask_image", mask)
        return b64(bytes(mask))
    data, info = check.source_images()[0]
    if not check.has_transparency("images", data, info):
        why = "its alpha channel is fully opaque" if info.alpha else "it has no alpha channel"
        raise check.fail(
            "mask_image", None, f"required, unless transparent pixels in the source image mark the area ({why})"
        )
    return None


def _style_image(check: Checker) -> str:
    """Style transfer's second image, the style to apply, held to the same rules as the source."""
    style = check.request.style_image
    if style is None:
        raise check.fail(
            "style_image", None, "required for style-transfer: the image whose style to apply, sent or stored"
        )
    return b64(check.input_image("style_image", style)[0])


def _margins(check: Checker) -> dict[str, int]:
    margins = check.request.margins
    values = margins.as_dict() if margins else {}
    low, high = check.limits["margin"]
    for side, value in values.items():
        check.number(f"margins.{side}", value, bounds=(low, high), integer=True)
    if not any(values.values()):
        raise check.fail("margins", values or None, f"at least one of left, right, up, down above 0 (at most {high})")
    return {side: value for side, value in values.items() if value}


def _kebab_case(value: str) -> str:
    return value.strip().lower().replace("_", "-").replace(" ", "-")
