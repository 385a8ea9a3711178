"""Titan Image Generator (v1, v2) and Nova Canvas: the "taskType" envelope.

    {"taskType": T, "<params key>": {...}, "imageGenerationConfig": {...}}

The two families share the body; their limits (sizes, seed range, styles, ...) come from
the registry.
"""

from __future__ import annotations

import random
import re
from typing import Any

from .. import masks
from ..errors import ContentFiltered, InvalidImage, UpstreamFailure
from .checks import Checker
from .contracts import BuiltRequest, ImageResult, Translation, withheld_notice
from .decoding import b64, decode_image, image_list, json_object
from .registry import ModelRecord
from .request import ImageRequest, Task
from .sizing import nearest_size, parse_ratio, size_for_ratio

# task -> (taskType, params key); generate with colours becomes COLOR_GUIDED_GENERATION
TASK_TYPES: dict[Task, tuple[str, str]] = {
    Task.GENERATE: ("TEXT_IMAGE", "textToImageParams"),
    Task.VARIATION: ("IMAGE_VARIATION", "imageVariationParams"),
    Task.INPAINT: ("INPAINTING", "inPaintingParams"),
    Task.REPLACE: ("INPAINTING", "inPaintingParams"),
    Task.ERASE: ("INPAINTING", "inPaintingParams"),
    Task.OUTPAINT: ("OUTPAINTING", "outPaintingParams"),
    Task.REMOVE_BACKGROUND: ("BACKGROUND_REMOVAL", "backgroundRemovalParams"),
}
COLOR_GUIDED = ("COLOR_GUIDED_GENERATION", "colorGuidedGenerationParams")

_CONFIG_FIELDS = ("count", "seed", "quality", "cfg_scale")
_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def build(record: ModelRecord, request: ImageRequest, rng: random.Random | None = None) -> BuiltRequest:
    check = Checker(record, request)
    task = request.task

    if task is Task.REMOVE_BACKGROUND:
        check.only(["images"])
        ((image, _),) = check.source_images()
        body: dict[str, Any] = {"taskType": "BACKGROUND_REMOVAL", "backgroundRemovalParams": {"image": b64(image)}}
        # no quality to choose (the standard rate); the cut-out keeps the source's size
        return BuiltRequest(record.id, body, None, quality=None, size=None)

    if task is Task.GENERATE:
        task_type, key, params = _generate_params(check)
        size = _size(check)
    else:
        task_type, key = TASK_TYPES[task]
        params, size = _edit_params(check), _variation_size(check) if task is Task.VARIATION else {}

    seed = check.seed(rng)
    cfg_scale = request.cfg_scale if request.cfg_scale is not None else record.limits["default_cfg_scale"]
    quality = check.choice("quality", request.quality or "standard", record.limits["qualities"], str.lower)
    config = {
        "numberOfImages": check.count(),
        "quality": quality,
        "cfgScale": check.number("cfg_scale", cfg_scale),
        "seed": seed,
        **size,
    }
    body = {"taskType": task_type, key: params, "imageGenerationConfig": config}
    return BuiltRequest(
        record.id,
        body,
        seed,
        tuple(check.translations),
        quality=quality,
        size=(size["width"], size["height"]) if size else None,  # else an edit's size follows its source
    )


def parse(record: ModelRecord, payload: Any, built: BuiltRequest) -> ImageResult:
    doc = json_object(payload, record.id)
    error = doc.get("error")
    error = None if error is None else str(error)
    images = tuple(decode_image(item, record.id, built.seed) for item in image_list(doc, record.id))
    if error and "content filter" in error.lower():
        if not images:
            raise ContentFiltered.at("output", upstream=error)
        asked = built.body.get("imageGenerationConfig", {}).get("numberOfImages", len(images))
        filtered = max(asked - len(images), 0)
        return ImageResult(images, filtered=filtered, notice=withheld_notice(filtered, asked), upstream=error)
    if not images:
        raise UpstreamFailure(f"{record.id} returned no image", upstream=error)
    return ImageResult(images, upstream=error or None)  # an error beside images: kept for the logs


def _generate_params(check: Checker) -> tuple[str, str, dict[str, Any]]:
    request, limits = check.request, check.limits
    allowed = ["prompt", "negative_prompt", "width", "height", "aspect_ratio", *_CONFIG_FIELDS]
    if "styles" in limits:
        allowed.append("style")
    if "colors" in limits:
        allowed += ["colors", "reference_image"]
    check.only(allowed)
    params: dict[str, Any] = {}
    _texts(check, params, prompt_required=True)
    if request.colors:
        if request.style is not None:
            raise check.fail("style", request.style, "not with colors: colour-guided generation takes no style")
        return (*COLOR_GUIDED, {**params, **_colors(check)})
    if request.reference_image is not None:
        raise check.fail("reference_image", request.reference_image, "only with colors (colour-guided generation)")
    style = check.optional_choice("style", request.style, limits.get("styles", ()), _constant_case)
    if style:
        params["style"] = style
    return (*TASK_TYPES[Task.GENERATE], params)


def _colors(check: Checker) -> dict[str, Any]:
    colors = check.request.colors
    low, high = check.limits["colors"]
    if not low <= len(colors) <= high or not all(_HEX_COLOR.match(c) for c in colors):
        raise check.fail("colors", colors, f"{low} to {high} colours written #RRGGBB")
    out: dict[str, Any] = {"colors": [c.upper() for c in colors]}
    check.translate("colors", list(colors), out["colors"], "hex digits in upper case")
    if check.request.reference_image is not None:
        image, _ = check.input_image("reference_image", check.request.reference_image)
        out["referenceImage"] = b64(image)
    return out


def _size(check: Checker) -> dict[str, int]:
    limits = check.limits
    given = check.size_fields()
    if isinstance(given, tuple):
        _check_size(check, *given)
        return {"width": given[0], "height": given[1]}
    if given is None:
        width, height = limits["default_size"]
        return {"width": width, "height": height}
    ratio = parse_ratio(given, model_id=check.record.id)
    if "sizes" in limits:
        sizes = [(w, h) for w, h in limits["sizes"]]
        a_low, a_high = min(w / h for w, h in sizes), max(w / h for w, h in sizes)
        if not a_low - 1e-9 <= ratio <= a_high + 1e-9:
            raise check.fail("aspect_ratio", given, f"between 1:{1 / a_low:g} and {a_high:g}:1 (the listed sizes)")
        width, height = nearest_size(ratio, sizes)
    else:
        rule = limits["size_rule"]
        a_low, a_high = rule["aspect"]
        if not a_low <= ratio <= a_high:
            raise check.fail("aspect_ratio", given, f"between 1:{1 / a_low:g} and {a_high:g}:1")
        low, high = rule["side"]
        width, height = size_for_ratio(
            ratio, multiple=rule["multiple"], low=low, high=high, max_pixels=rule["max_pixels"]
        )
        _check_size(check, width, height)
    check.translate("aspect_ratio", given, f"{width}x{height}", "the supported size closest to this ratio, near 1 MP")
    return {"width": width, "height": height}


def _variation_size(check: Checker) -> dict[str, int]:
    """Image variation takes width and height as generation does (the same sizes); without them
    the variation keeps its first source's size."""
    given = check.size_fields()
    if not isinstance(given, tuple):
        return {}
    _check_size(check, *given)
    return {"width": given[0], "height": given[1]}


def _check_size(check: Checker, width: int, height: int) -> None:
    limits = check.limits
    size = f"{width}x{height}"
    if "sizes" in limits:
        if [width, height] not in limits["sizes"]:
            listed = ", ".join(f"{w}x{h}" for w, h in limits["sizes"])
            raise check.fail("width", size, f"one of the listed sizes: {listed}")
        return
    rule = limits["size_rule"]
    low, high = rule["side"]
    for name, value in (("width", width), ("height", height)):
        if not low <= value <= high or value % rule["multiple"]:
            raise check.fail(name, value, f"{low}-{high} px and divisible by {rule['multiple']}")
    a_low, a_high = rule["aspect"]
    if not a_low <= width / height <= a_high:
        raise check.fail("width", size, f"an aspect ratio between 1:{1 / a_low:g} and {a_high:g}:1")
    if width * height > rule["max_pixels"]:
        raise check.fail("width", size, f"fewer than {rule['max_pixels'] + 1:,} pixels in all")


def _edit_params(check: Checker) -> dict[str, Any]:
    request, limits, task = check.request, check.limits, check.request.task
    if task is Task.VARIATION:
        allowed = ["images", "prompt", "negative_prompt", "width", "height", *_CONFIG_FIELDS]
        if "similarity_strength" in limits:
            allowed.append("strength")
        check.only(allowed)
        sources = check.source_images(low=1, high=limits["variation_images"][1])
        params: dict[str, Any] = {"images": [b64(data) for data, _ in sources]}
        _texts(check, params, prompt_required=False)
        if request.strength is not None:
            params["similarityStrength"] = _similarity(check)
        return params

    takes_prompt = task is not Task.ERASE
    allowed = ["images", "mask_prompt", *_CONFIG_FIELDS]
    if takes_prompt:
        allowed += ["prompt", "negative_prompt"]
    if task is not Task.REPLACE:
        allowed.append("mask_image")
    if task is Task.OUTPAINT:
        allowed.append("outpaint_mode")
    check.only(allowed)
    if task is Task.REPLACE and request.mask_prompt is None:
        raise check.fail("mask_prompt", None, "required: what to replace")
    ((image, info),) = check.source_images()
    params = {"image": b64(image)}
    if takes_prompt:
        _texts(check, params, prompt_required=True)
    if check.exactly_one_mask() == "mask_prompt":
        params["maskPrompt"] = check.text("mask_prompt", required=True, limit_key="prompt_chars")
    else:
        params["maskImage"] = b64(_amazon_mask(check, info.width, info.height, invert=task is not Task.OUTPAINT))
    if task is Task.OUTPAINT:
        params["outPaintingMode"] = check.choice(
            "outpaint_mode", request.outpaint_mode or "DEFAULT", limits["outpaint_modes"], str.upper
        )
    return params


def _texts(check: Checker, params: dict[str, Any], *, prompt_required: bool) -> None:
    text = check.text("prompt", required=prompt_required)
    if text:
        params["text"] = text
    negative = check.text("negative_prompt", required=False)
    if negative:
        params["negativeText"] = negative


def _similarity(check: Checker) -> float:
    low, high = check.limits["similarity_strength"]
    strength = check.number(
        "strength",
        check.request.strength,
        bounds=(round(1 - high, 4), round(1 - low, 4)),
        note=f" (sent as similarityStrength = 1 - strength, {low}-{high})",
    )
    similarity = round(1 - strength, 4)
    check.translations.append(
        Translation("strength", strength, similarity, "sent as similarityStrength = 1 - strength")
    )
    return similarity


def _amazon_mask(check: Checker, width: int, height: int, *, invert: bool) -> bytes:
    """Titan and Canvas edit the black area when inpainting and the white area when
    outpainting; the neutral mask is white where the image should change."""
    mask = bytes(check.request.mask_image or b"")
    info = check.image("mask_image", mask)
    if (info.width, info.height) != (width, height):
        raise check.fail("mask_image", f"{info.width}x{info.height}", f"the source image's size, {width}x{height}")
    if info.format != "png":
        raise check.fail("mask_image", info.format, "a PNG")
    try:
        return masks.black_and_white(mask, invert=invert)
    except InvalidImage as exc:
        raise check.fail("mask_image", f"{width}x{height} png", exc.message) from exc


def _constant_case(value: str) -> str:
    return value.strip().upper().replace("-", "_").replace(" ", "_")
