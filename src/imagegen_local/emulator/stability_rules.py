"""Stability AI as the emulator reads its documentation: the text-to-image models (SD3.5 Large,
Stable Image Core and Ultra) and the Image Services, each model's fields and limits from the
emulator's own records (TextToImage, Service)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .art import Edit
from .errors import malformed, validation
from .rules import Schema, check, enum, image_bytes, integer, number, obj, text, transparent

ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")
IMPLIED_SIZES = {
    "1:1": (1024, 1024),
    "16:9": (1344, 768),
    "21:9": (1536, 640),
    "2:3": (832, 1216),
    "3:2": (1216, 832),
    "4:5": (896, 1088),
    "5:4": (1088, 896),
    "9:16": (768, 1344),
    "9:21": (640, 1536),
}
STYLE_PRESETS = (
    "3d-model",
    "analog-film",
    "anime",
    "cinematic",
    "comic-book",
    "digital-art",
    "enhance",
    "fantasy-art",
    "isometric",
    "line-art",
    "low-poly",
    "modeling-compound",
    "neon-punk",
    "origami",
    "photographic",
    "pixel-art",
    "tile-texture",
)
STABILITY_SEED = integer(0, 4294967294)


@dataclass(frozen=True)
class TextToImage:
    """A Stability text-to-image model as its model page describes it."""

    formats: tuple[str, ...]
    image_to_image: str | None  # "mode" (SD3.5: mode, image and strength), "implicit" (Ultra: an image), None


def stability_text_to_image(model: TextToImage) -> Callable[[dict[str, Any]], dict[str, Any]]:
    fields = {
        "negative_prompt": text(0, 10000),
        "aspect_ratio": enum(*ASPECT_RATIOS),
        "seed": STABILITY_SEED,
        "output_format": enum(*model.formats),
    }
    by_mode = model.image_to_image == "mode"
    if by_mode:
        fields |= {"mode": enum("text-to-image", "image-to-image"), "image": IMAGE_ANY, "strength": number(0, 1)}
    elif model.image_to_image == "implicit":
        fields |= {"image": IMAGE_ANY, "strength": number(0, 1)}
    schema = obj({"prompt": text(1, 10000)}, fields)

    def validate(body: dict[str, Any]) -> dict[str, Any]:
        check(schema, body)
        mode = body.get("mode", "image-to-image" if "image" in body else "text-to-image")
        size = IMPLIED_SIZES[body.get("aspect_ratio", "1:1")]
        if by_mode and mode == "image-to-image":
            for key in ("image", "strength"):
                if key not in body:
                    raise malformed(f"#: required key [{key}] not found")
            if "aspect_ratio" in body:
                raise validation("aspect_ratio is only allowed for text-to-image")
        if "image" in body:
            if by_mode and body.get("mode") != "image-to-image":
                raise validation("image is only allowed with mode image-to-image")
            if "aspect_ratio" in body:
                raise validation("aspect_ratio is only allowed for text-to-image")
            size = _stability_input(body["image"], SOURCE)
        elif "strength" in body:
            raise validation("strength is only allowed with an image (image-to-image)")
        edit = (
            Edit("image-to-image", source=base64.b64decode(body["image"]), strength=body.get("strength"))
            if "image" in body
            else Edit()
        )
        return {
            "task": mode,
            "count": 1,
            "seed": body.get("seed", 0),
            "size": size,
            "prompt": body["prompt"],
            "format": body.get("output_format", "png"),
            "edit": edit,
        }

    return validate


IMAGE_ANY: Schema = {"type": "image", "formats": ("png", "jpeg", "webp")}


@dataclass(frozen=True)
class InputRule:
    """What a Stability model takes as its source image."""

    min_side: int = 64
    max_side: int | None = None
    min_pixels: int = 0
    max_pixels: int = 9_437_184
    aspect: tuple[float, float] | None = (0.4, 2.5)


SOURCE = InputRule()  # every Stability source but the upscalers' (the reference)


def _stability_input(encoded: str, rule: InputRule, name: str = "image") -> tuple[int, int]:
    _, _, width, height = image_bytes(encoded, name, ("png", "jpeg", "webp"))
    if min(width, height) < rule.min_side:
        raise validation(
            f"image dimensions {width}x{height} are too small: each side must be at least {rule.min_side} pixels"
        )
    if width * height < rule.min_pixels:
        raise validation(f"image dimensions {width}x{height} are too small: at least {rule.min_pixels:,} pixels")
    if rule.max_side and max(width, height) > rule.max_side:
        raise validation(f"image dimensions {width}x{height} are too large: at most {rule.max_side} pixels a side")
    if width * height > rule.max_pixels:
        raise validation(f"image dimensions {width}x{height} are too large: at most {rule.max_pixels:,} pixels")
    if rule.aspect and not rule.aspect[0] <= width / height <= rule.aspect[1]:
        raise validation(f"image aspect ratio {width}x{height} must be between 1:2.5 and 2.5:1")
    return width, height


# --- Stability Image Services (reference table: required and optional fields per service) --------------

GROW = integer(0, 20)
FORMAT = enum("png", "jpeg", "webp")
STYLE = enum(*STYLE_PRESETS)
MARGIN = integer(0, 2000)


@dataclass(frozen=True)
class Service:
    """A Stability Image Service as the reference's table describes it: its fields, what it does
    (the edit: inpaint, outpaint, search-replace, recolor, erase, remove-background, upscale),
    the source it takes and the size it answers."""

    required: dict[str, Schema]
    optional: dict[str, Schema]
    edit: str
    source: InputRule = SOURCE
    output: str = "source"  # "source", "margins" (outpaint), "four-times" (fast upscale), "four-megapixels",
    # "aspect-ratio" (style guide: about a megapixel at the body's aspect_ratio, 1:1 by default)
    detail: str = ""  # the upscaler's name, for the picture
    images: tuple[str, ...] = ("image",)  # the body's images, each held to `source`; the first is edited


def _styled(**fields: Schema) -> dict[str, Schema]:
    return {**fields, "seed": STABILITY_SEED, "output_format": FORMAT, "style_preset": STYLE}


PROMPT = text(1, 10000)
NEGATIVE = text(0, 10000)
SERVICES: dict[str, Service] = {
    "stability.stable-image-inpaint-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY},
        _styled(mask=IMAGE_ANY, grow_mask=GROW, negative_prompt=NEGATIVE),
        "inpaint",
    ),
    "stability.stable-outpaint-v1:0": Service(
        {"image": IMAGE_ANY},
        _styled(left=MARGIN, right=MARGIN, up=MARGIN, down=MARGIN, prompt=text(0, 10000), creativity=number(0.1, 1.0)),
        "outpaint",
        output="margins",
    ),
    "stability.stable-image-search-replace-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY, "search_prompt": PROMPT},
        _styled(grow_mask=GROW, negative_prompt=NEGATIVE),
        "search-replace",
    ),
    "stability.stable-image-search-recolor-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY, "select_prompt": PROMPT},
        _styled(grow_mask=GROW, negative_prompt=NEGATIVE),
        "recolor",
    ),
    "stability.stable-image-erase-object-v1:0": Service(
        {"image": IMAGE_ANY},
        {"mask": IMAGE_ANY, "grow_mask": GROW, "seed": STABILITY_SEED, "output_format": FORMAT},
        "erase",
    ),
    "stability.stable-image-remove-background-v1:0": Service(
        {"image": IMAGE_ANY}, {"output_format": FORMAT}, "remove-background"
    ),
    # fast: width and height each 32-1,536 px, 1,024-1,048,576 pixels in all, no aspect rule; 4x out
    "stability.stable-fast-upscale-v1:0": Service(
        {"image": IMAGE_ANY},
        {"output_format": FORMAT},
        "upscale",
        InputRule(min_side=32, max_side=1536, min_pixels=1024, max_pixels=1_048_576, aspect=None),
        "four-times",
        "FAST",
    ),
    # control: the image's lines (sketch) or structure steer a new picture of the prompt
    "stability.stable-image-control-sketch-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY},
        _styled(control_strength=number(0, 1), negative_prompt=NEGATIVE),
        "control-sketch",
    ),
    "stability.stable-image-control-structure-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY},
        _styled(control_strength=number(0, 1), negative_prompt=NEGATIVE),
        "control-structure",
    ),
    "stability.stable-image-style-guide-v1:0": Service(
        {"prompt": PROMPT, "image": IMAGE_ANY},
        _styled(fidelity=number(0, 1), aspect_ratio=enum(*ASPECT_RATIOS), negative_prompt=NEGATIVE),
        "style-guide",
        output="aspect-ratio",
    ),
    # style transfer: init_image takes on style_image's look; its row names no seed or output_format
    "stability.stable-style-transfer-v1:0": Service(
        {"init_image": IMAGE_ANY, "style_image": IMAGE_ANY},
        {
            "prompt": text(0, 10000),
            "composition_fidelity": number(0, 1),
            "style_strength": number(0, 1),
            "change_strength": number(0.1, 1),
        },
        "style-transfer",
        images=("init_image", "style_image"),
    ),
    "stability.stable-conservative-upscale-v1:0": Service(
        {"image": IMAGE_ANY, "prompt": PROMPT},
        {"negative_prompt": NEGATIVE, "seed": STABILITY_SEED, "creativity": number(0.1, 0.5), "output_format": FORMAT},
        "upscale",
        output="four-megapixels",
        detail="CONSERVATIVE",
    ),
    # creative: each side at least 64 px, 4,096-1,048,576 pixels in all, no aspect rule; a style preset
    "stability.stable-creative-upscale-v1:0": Service(
        {"image": IMAGE_ANY, "prompt": PROMPT},
        _styled(negative_prompt=NEGATIVE, creativity=number(0.1, 0.5)),
        "upscale",
        InputRule(min_side=64, min_pixels=4096, max_pixels=1_048_576, aspect=None),
        "four-megapixels",
        "CREATIVE",
    ),
}


def stability_service(model_id: str, service: Service) -> Callable[[dict[str, Any]], dict[str, Any]]:
    schema = obj(service.required, service.optional)

    def validate(body: dict[str, Any]) -> dict[str, Any]:
        check(schema, body)
        if service.output == "margins" and not any(body.get(side, 0) > 0 for side in ("left", "right", "up", "down")):
            raise validation("At least one of left, right, up or down must be greater than 0")
        sizes = [_stability_input(body[name], service.source, name) for name in service.images]
        width, height = sizes[0]
        if "mask" in body:
            image_bytes(body["mask"], "mask")
        elif service.edit in ("inpaint", "erase") and not _has_alpha(body["image"]):
            raise validation("A mask is required unless the image has transparent pixels in its alpha channel")
        size = {
            "source": (width, height),
            "four-times": (width * 4, height * 4),
            "four-megapixels": _upscaled(width, height),
            "aspect-ratio": IMPLIED_SIZES[body.get("aspect_ratio", "1:1")],
            "margins": (
                width + body.get("left", 0) + body.get("right", 0),
                height + body.get("up", 0) + body.get("down", 0),
            ),
        }[service.output]
        return {
            "task": model_id.split(".", 1)[1],
            "count": 1,
            "seed": body.get("seed", 0),
            "size": size,
            "prompt": body.get("prompt", ""),
            "format": body.get("output_format", "png"),
            "edit": _stability_edit(service, body),
        }

    return validate


def _stability_edit(service: Service, body: dict[str, Any]) -> Edit:
    """What a Stability service does to its image. A mask's white pixels are what changes; with no
    mask, the image's transparent pixels are (inpaint, erase)."""
    source = base64.b64decode(body[service.images[0]])
    mask = base64.b64decode(body["mask"]) if "mask" in body else None
    style = body.get("style_preset", "").upper()
    edit = service.edit
    if edit in ("control-sketch", "control-structure"):  # the more control, the closer to the source
        return Edit(edit, source=source, strength=1 - body.get("control_strength", 0.7), detail=style)
    if edit == "style-guide":
        return Edit(edit, source=source, strength=1 - body.get("fidelity", 0.5), detail=style)
    if edit == "style-transfer":
        style_image = base64.b64decode(body["style_image"])
        return Edit(edit, source=source, strength=body.get("change_strength", 0.9), reference=style_image)
    if edit == "upscale":
        return Edit("upscale", source=source, detail=" ".join(filter(None, (service.detail, style))))
    if edit == "outpaint":
        margins = (body.get("left", 0), body.get("up", 0), body.get("right", 0), body.get("down", 0))
        return Edit("outpaint", source=source, margins=margins, detail=style)
    if edit == "search-replace":
        return Edit("search-replace", source=source, mask_prompt=body["search_prompt"], detail=style)
    if edit == "recolor":
        return Edit("recolor", source=source, mask_prompt=body["select_prompt"], detail=style)
    if edit == "erase":
        return Edit("erase", source=source, mask=mask)
    if edit == "remove-background":
        return Edit("remove-background", source=source)
    return Edit("inpaint", source=source, mask=mask, detail=style)


def _upscaled(width: int, height: int) -> tuple[int, int]:
    """Conservative and creative upscales deliver about 4 megapixels at the input's ratio."""
    scale = (4_194_304 / (width * height)) ** 0.5
    return max(width, round(width * scale)), max(height, round(height * scale))


def _has_alpha(encoded: str) -> bool:
    """Whether the image's alpha channel can stand for the mask: some pixel is not opaque."""
    data = base64.b64decode(encoded)
    return data[:8] == b"\x89PNG\r\n\x1a\n" and transparent(data)
