"""Titan Image Generator v1/v2 and Nova Canvas as the emulator reads their documentation: the
"taskType" envelope, each model's limits from the emulator's own Envelope records."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .art import Edit
from .errors import validation
from .rules import IMAGE, Schema, check, enum, image_bytes, integer, number, obj, text, transparent

TITAN_SIZES = {
    (1024, 1024),
    (768, 768),
    (512, 512),
    (768, 1152),
    (384, 576),
    (1152, 768),
    (576, 384),
    (768, 1280),
    (384, 640),
    (1280, 768),
    (640, 384),
    (896, 1152),
    (448, 576),
    (1152, 896),
    (576, 448),
    (768, 1408),
    (384, 704),
    (1408, 768),
    (704, 384),
    (640, 1408),
    (320, 704),
    (1408, 640),
    (704, 320),
    (1152, 640),
    (1173, 640),
}
DEFAULT_SIZE = (1024, 1024)
# The tasks whose imageGenerationConfig width and height set the output: Titan's and Canvas's generation
# tasks, image variation among them. Inpainting and outpainting edit the source and keep its size.
SIZED_TASKS = ("TEXT_IMAGE", "COLOR_GUIDED_GENERATION", "IMAGE_VARIATION")
CANVAS_STYLES = (
    "3D_ANIMATED_FAMILY_FILM",
    "DESIGN_SKETCH",
    "FLAT_VECTOR_ILLUSTRATION",
    "GRAPHIC_NOVEL_ILLUSTRATION",
    "MAXIMALISM",
    "MIDCENTURY_RETRO",
    "PHOTOREALISM",
    "SOFT_DIGITAL_PAINTING",
)


@dataclass(frozen=True)
class Envelope:
    """A Titan or Canvas model as its documentation describes it: the emulator's own record, not
    the catalog's."""

    prompt_chars: int
    seed_max: int
    canvas_rules: bool  # Canvas's size rule and input limits, else Titan's size list and 1408 px sources
    opaque_sources: bool  # the Nova Canvas docs: no transparent or translucent source pixel
    variation_images: int
    similarity: bool  # imageVariationParams.similarityStrength
    v2_tasks: bool  # conditionImage, COLOR_GUIDED_GENERATION, BACKGROUND_REMOVAL
    styles: tuple[str, ...] = ()


TITAN_V1 = Envelope(512, 2_147_483_646, False, False, 1, False, False)
TITAN_V2 = Envelope(512, 2_147_483_646, False, False, 5, True, True)
CANVAS = Envelope(1024, 2_147_483_646, True, True, 5, True, True, CANVAS_STYLES)


def task_envelope(model: Envelope) -> Callable[[dict[str, Any]], dict[str, Any]]:
    canvas = model.canvas_rules
    seed_max = model.seed_max
    prompt = text(1, model.prompt_chars)
    config = obj(
        optional={
            "numberOfImages": integer(1, 5),
            "quality": enum("standard", "premium"),
            "cfgScale": number(1.1, 10.0),
            "seed": integer(0, seed_max),
            "width": {"type": "integer"},
            "height": {"type": "integer"},
        }
    )
    control = {
        "conditionImage": IMAGE,
        "controlMode": enum("CANNY_EDGE", "SEGMENTATION"),
        "controlStrength": number(0, 1),
    }
    text_to_image = (
        {"text": prompt},
        {
            "negativeText": prompt,
            **(control if model.v2_tasks else {}),
            **({"style": enum(*model.styles)} if model.styles else {}),
        },
    )
    tasks: dict[str, tuple[str, Schema]] = {
        "TEXT_IMAGE": ("textToImageParams", obj(*text_to_image)),
        "IMAGE_VARIATION": (
            "imageVariationParams",
            obj(
                {"images": {"type": "array", "items": IMAGE, "minItems": 1, "maxItems": model.variation_images}},
                {
                    "text": prompt,
                    "negativeText": prompt,
                    **({"similarityStrength": number(0.2, 1.0)} if model.similarity else {}),
                },
            ),
        ),
        "INPAINTING": (
            "inPaintingParams",
            obj({"image": IMAGE}, {"text": prompt, "negativeText": prompt, "maskPrompt": prompt, "maskImage": IMAGE}),
        ),
        "OUTPAINTING": (
            "outPaintingParams",
            obj(
                {"image": IMAGE, "text": prompt},
                {
                    "negativeText": prompt,
                    "maskPrompt": prompt,
                    "maskImage": IMAGE,
                    "outPaintingMode": enum("DEFAULT", "PRECISE"),
                },
            ),
        ),
    }
    if model.v2_tasks:
        tasks["COLOR_GUIDED_GENERATION"] = (
            "colorGuidedGenerationParams",
            obj(
                {
                    "text": prompt,
                    "colors": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10},
                },
                {"negativeText": prompt, "referenceImage": IMAGE},
            ),
        )
        tasks["BACKGROUND_REMOVAL"] = ("backgroundRemovalParams", obj({"image": IMAGE}))

    def validate(body: dict[str, Any]) -> dict[str, Any]:
        check(
            {"type": "object", "required": ["taskType"], "properties": {"taskType": enum(*tasks)}},
            {"taskType": body["taskType"]} if "taskType" in body else {},
        )
        task: str = body["taskType"]  # one of the tasks' names, as checked
        key, params = tasks[task]
        shape = {"taskType": enum(*tasks), key: params}
        if task != "BACKGROUND_REMOVAL":
            shape["imageGenerationConfig"] = config
        check({"type": "object", "required": ["taskType", key], "properties": shape}, body)
        details = body[key]
        if task in ("INPAINTING", "OUTPAINTING") and ("maskPrompt" in details) == ("maskImage" in details):
            raise validation("Exactly one of maskPrompt or maskImage must be provided")
        if "maskImage" in details:
            _pure_black_and_white(details["maskImage"])
        if task == "COLOR_GUIDED_GENERATION":
            for colour in details["colors"]:
                if not (
                    len(colour) == 7 and colour[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in colour[1:])
                ):
                    raise validation(f"Invalid color {colour!r}: colors must be hex values such as #FF9800")
        cfg = body.get("imageGenerationConfig", {})
        if ("width" in cfg) != ("height" in cfg):
            given, missing = ("width", "height") if "width" in cfg else ("height", "width")
            raise validation(
                f"Invalid image size: {given} was given without {missing}; give both width and height, or neither"
            )
        requested = (cfg["width"], cfg["height"]) if "width" in cfg else None
        if task in SIZED_TASKS and (requested or task in ("TEXT_IMAGE", "COLOR_GUIDED_GENERATION")):
            width, height = requested or DEFAULT_SIZE
            _size_allowed(width, height, canvas)
        sources = _images_in(details)
        for _, _, _, width, height in sources:
            _input_image_allowed((width, height), canvas)
        for key, data, fmt, _, _ in sources if model.opaque_sources else ():  # after the cheap size checks
            _opaque(key, data, fmt)
        return {
            "task": task,
            "count": cfg.get("numberOfImages", 1),
            "seed": cfg.get("seed", 42),
            "size": _output_size(task, details, requested),
            "prompt": details.get("text", ""),
            "edit": _amazon_edit(task, details),
        }

    return validate


def _amazon_edit(task: str, details: dict[str, Any]) -> Edit:
    """What a Titan or Canvas task does to its source. maskImage masks its black pixels:
    inpainting changes the masked area, outpainting keeps it and changes the rest; inpainting
    with no text makes the masked area match its surroundings, as erasing does."""

    def decoded(key: str) -> bytes | None:
        return base64.b64decode(details[key]) if key in details else None

    if task == "TEXT_IMAGE":
        if "conditionImage" in details:
            mode = details.get("controlMode", "CANNY_EDGE")
            return Edit("conditioned", source=decoded("conditionImage"), detail=f"FROM {mode}")
        return Edit(detail=details.get("style", ""))
    if task == "COLOR_GUIDED_GENERATION":
        return Edit("color-guided", colors=tuple(details["colors"]))
    if task == "IMAGE_VARIATION":
        similarity = details.get("similarityStrength")
        count = len(details["images"])
        return Edit(
            "variation",
            source=base64.b64decode(details["images"][0]),
            strength=None if similarity is None else 1 - similarity,
            detail=f"OF THE FIRST OF {count} IMAGES" if count > 1 else "",
        )
    if task == "BACKGROUND_REMOVAL":
        return Edit("remove-background", source=decoded("image"))
    inpainting = task == "INPAINTING"
    return Edit(
        "erase" if inpainting and "text" not in details else "inpaint" if inpainting else "outpaint",
        source=decoded("image"),
        mask=decoded("maskImage"),
        mask_colour="black",
        masked_changes=inpainting,
        mask_prompt=details.get("maskPrompt", ""),
        detail="(INPAINTING, NO TEXT)" if inpainting and "text" not in details else details.get("outPaintingMode", ""),
    )


def _size_allowed(width: Any, height: Any, canvas: bool) -> None:
    if canvas:
        for side in (width, height):
            if not 320 <= side <= 4096 or side % 16:
                raise validation(
                    f"Invalid image size {width}x{height}: each side must be 320-4096 px and divisible by 16"
                )
        if not 0.25 <= width / height <= 4:
            raise validation(f"Invalid image size {width}x{height}: the aspect ratio must be between 1:4 and 4:1")
        if width * height >= 4_194_304:
            raise validation(f"Invalid image size {width}x{height}: the total pixel count must be less than 4,194,304")
    elif (width, height) not in TITAN_SIZES:
        raise validation(f"Invalid image size {width}x{height}: use one of the supported sizes")


def _images_in(details: dict[str, Any]) -> list[tuple[str, bytes, str, int, int]]:
    """(field, bytes, format, width, height) of every source image."""
    given: list[tuple[Any, str]] = [
        (details[key], key) for key in ("image", "referenceImage", "conditionImage") if key in details
    ]
    given += [(i, "images") for i in details.get("images", [])]
    return [(key, *image_bytes(encoded, key)) for encoded, key in given]


def _opaque(key: str, data: bytes, fmt: str) -> None:
    if fmt == "png" and transparent(data):
        raise validation(f"{key}: the image must not contain transparent or semi-transparent pixels")


def _input_image_allowed(size: tuple[int, int], canvas: bool) -> None:
    width, height = size
    if canvas and (not 0.25 <= width / height <= 4 or max(width, height) > 4096 or width * height > 4_194_304):
        raise validation(
            f"The input image {width}x{height} is too large: at most 4096 px a side and 4.19 MP, aspect 1:4 to 4:1"
        )
    if canvas and min(width, height) < 320:
        raise validation(f"The input image {width}x{height} is too small: each side must be at least 320 px")
    if not canvas and max(width, height) > 1408:
        raise validation(f"The input image {width}x{height} is too large: at most 1408 px a side")


def _pure_black_and_white(encoded: str) -> None:
    from . import sources  # a PNG decoder, not a builder: the rule itself is the docs'

    data = image_bytes(encoded, "maskImage", ("png",))[0]
    raster = sources.decode(data)
    for row in raster.rows:
        if row.translate(None, b"\x00\xff"):
            raise validation("The mask image must contain only pure black and pure white pixels")


def _output_size(task: str, details: dict[str, Any], requested: tuple[int, int] | None) -> tuple[int, int]:
    """Generation tasks answer at the requested size; editing keeps the source image's size."""
    if task in ("TEXT_IMAGE", "COLOR_GUIDED_GENERATION"):
        return requested or DEFAULT_SIZE
    if task == "IMAGE_VARIATION" and requested:
        return requested
    source = details.get("image") or details["images"][0]  # a variation with no size keeps its first source's
    return image_bytes(source, "image")[2:]
