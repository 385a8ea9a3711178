"""What Bedrock accepts, per model, written from its documentation (bedrock-models.md and the
user guides) and deliberately independent of the project's builders and catalog limits: a
builder bug must meet a second reading of the docs here, not a copy of itself.

Each validator raises BedrockError with Bedrock's error code, status and message style.
"""

from __future__ import annotations

import base64
import binascii
import struct
from collections.abc import Callable
from typing import Any

from .art import Edit
from .errors import BedrockError, malformed, validation

Schema = dict[str, Any]
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "object": dict,
    "array": list,
}


def check(schema: Schema, value: Any, path: str = "#") -> None:
    """A small JSON-schema checker with the messages Bedrock's model validators give."""
    kind = schema.get("type")
    if kind == "image":
        image_bytes(value, path, schema.get("formats", ("png", "jpeg")))
        return
    if kind:
        expected = JSON_TYPES[kind]
        if not isinstance(value, expected) or (kind in ("integer", "number") and isinstance(value, bool)):
            raise malformed(f"{path}: expected type: {kind.capitalize()}, found: {type(value).__name__}")
    if "enum" in schema and value not in schema["enum"]:
        raise malformed(f"{path}: {value} is not a valid enum value")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            raise malformed(f"{path}: expected minLength: {schema['minLength']}, actual: {len(value)}")
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            raise malformed(f"{path}: expected maxLength: {schema['maxLength']}, actual: {len(value)}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise malformed(f"{path}: {value} is not greater or equal to {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise malformed(f"{path}: {value} is not less or equal to {schema['maximum']}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            raise malformed(f"{path}: expected minimum item count: {schema['minItems']}, found: {len(value)}")
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise malformed(f"{path}: expected maximum item count: {schema['maxItems']}, found: {len(value)}")
        for i, item in enumerate(value):
            check(schema.get("items", {}), item, f"{path}/{i}")
    if isinstance(value, dict) and kind == "object":
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            if key not in value:
                raise malformed(f"{path}: required key [{key}] not found")
        for key, item in value.items():
            if key not in properties:
                raise malformed(f"{path}: extraneous key [{key}] is not permitted")
            check(properties[key], item, f"{path}/{key}")


def obj(required: dict[str, Schema] | None = None, optional: dict[str, Schema] | None = None) -> Schema:
    required = required or {}
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}


def text(low: int, high: int) -> Schema:
    return {"type": "string", "minLength": low, "maxLength": high}


def integer(low: int, high: int) -> Schema:
    return {"type": "integer", "minimum": low, "maximum": high}


def number(low: float, high: float) -> Schema:
    return {"type": "number", "minimum": low, "maximum": high}


def enum(*values: str) -> Schema:
    return {"type": "string", "enum": list(values)}


IMAGE: Schema = {"type": "image"}


def image_bytes(
    value: Any, path: str, formats: tuple[str, ...] = ("png", "jpeg", "webp")
) -> tuple[bytes, str, int, int]:
    """Base64 text of a PNG, JPEG or WebP image, as every image field takes it."""
    if not isinstance(value, str):
        raise malformed(f"{path}: expected type: String, found: {type(value).__name__}")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise validation(f"{path}: the image is not valid base64") from None
    fmt, width, height = sniff(data)
    if fmt not in formats:
        raise validation(f"{path}: unsupported image format; supported: {', '.join(formats)}")
    if fmt == "png":
        _decodable(data, path)
    return data, fmt, width, height


def _decodable(data: bytes, path: str) -> None:
    from imagegen import png  # a PNG decoder, not a builder
    from imagegen.errors import InvalidImage

    try:
        png.verify(data)
    except InvalidImage:
        raise validation(f"{path}: Unable to process the image: the PNG data is invalid") from None


def sniff(data: bytes) -> tuple[str, int, int]:
    """Format and size from an image's header: enough to judge what the docs limit."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n":
            width, height = struct.unpack(">II", data[16:24])
            return "png", width, height
        if data[:3] == b"\xff\xd8\xff":
            pos = 2
            while pos + 9 < len(data):
                marker, length = data[pos + 1], struct.unpack(">H", data[pos + 2 : pos + 4])[0]
                if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                    height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                    return "jpeg", width, height
                pos += 2 + length
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and data[12:16] == b"VP8X":
            return "webp", 1 + int.from_bytes(data[24:27], "little"), 1 + int.from_bytes(data[27:30], "little")
        if data[:6] in (b"GIF87a", b"GIF89a"):
            width, height = struct.unpack("<HH", data[6:10])
            return "gif", width, height
    except (struct.error, IndexError):
        pass
    raise validation("Unable to process the image: the bytes are not a supported image")


# --- Titan Image Generator v1/v2 and Nova Canvas --------------------------------------------------------

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


def task_envelope(model: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    canvas = model.startswith("amazon.nova-canvas")
    v1 = model == "amazon.titan-image-generator-v1"
    chars = 1024 if canvas else 512
    seed_max = 858993459 if canvas else 2147483646
    prompt = text(1, chars)
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
        {"negativeText": prompt, **({} if v1 else control), **({"style": enum(*CANVAS_STYLES)} if canvas else {})},
    )
    tasks: dict[str, tuple[str, Schema]] = {
        "TEXT_IMAGE": ("textToImageParams", obj(*text_to_image)),
        "IMAGE_VARIATION": (
            "imageVariationParams",
            obj(
                {"images": {"type": "array", "items": IMAGE, "minItems": 1, "maxItems": 1 if v1 else 5}},
                {"text": prompt, "negativeText": prompt, **({} if v1 else {"similarityStrength": number(0.2, 1.0)})},
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
    if not v1:
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
        for key, data, fmt, _, _ in sources:  # after the cheap size checks, as the limits come first
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
    if fmt == "png" and _transparent(data):
        raise validation(f"{key}: the image must not contain transparent or semi-transparent pixels")


def _transparent(data: bytes) -> bool:
    from imagegen import png  # a PNG decoder, not a builder
    from imagegen.errors import InvalidImage

    try:
        return png.has_transparency(data)
    except InvalidImage:
        raise validation("Unable to process the image: the PNG data is invalid") from None


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
    from imagegen import png  # a PNG decoder, not a builder: the rule itself is the docs'

    data = image_bytes(encoded, "maskImage", ("png",))[0]
    raster = png.decode(data)
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


# --- Stability text-to-image ---------------------------------------------------------------------------

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


def stability_text_to_image(model: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    formats = ("png", "jpeg", "webp") if model.startswith("stability.sd3-5") else ("png", "jpeg")
    fields = {
        "negative_prompt": text(0, 10000),
        "aspect_ratio": enum(*ASPECT_RATIOS),
        "seed": STABILITY_SEED,
        "output_format": enum(*formats),
    }
    if model.startswith("stability.sd3-5"):
        fields |= {"mode": enum("text-to-image", "image-to-image"), "image": IMAGE_ANY, "strength": number(0, 1)}
    elif "ultra" in model:
        fields |= {"image": IMAGE_ANY, "strength": number(0, 1)}
    schema = obj({"prompt": text(1, 10000)}, fields)

    def validate(body: dict[str, Any]) -> dict[str, Any]:
        check(schema, body)
        mode = body.get("mode", "image-to-image" if "image" in body else "text-to-image")
        size = IMPLIED_SIZES[body.get("aspect_ratio", "1:1")]
        if model.startswith("stability.sd3-5") and mode == "image-to-image":
            for key in ("image", "strength"):
                if key not in body:
                    raise malformed(f"#: required key [{key}] not found")
            if "aspect_ratio" in body:
                raise validation("aspect_ratio is only allowed for text-to-image")
        if "image" in body:
            if model.startswith("stability.sd3-5") and body.get("mode") != "image-to-image":
                raise validation("image is only allowed with mode image-to-image")
            if "aspect_ratio" in body:
                raise validation("aspect_ratio is only allowed for text-to-image")
            size = _stability_input(body["image"])
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


def _stability_input(
    encoded: str, *, max_pixels: int = 9_437_184, min_side: int = 64, max_side: int | None = None
) -> tuple[int, int]:
    _, _, width, height = image_bytes(encoded, "image", ("png", "jpeg", "webp"))
    if min(width, height) < min_side:
        raise validation(
            f"image dimensions {width}x{height} are too small: each side must be at least {min_side} pixels"
        )
    if width * height > max_pixels or (max_side and max(width, height) > max_side):
        raise validation(f"image dimensions {width}x{height} are too large: at most {max_pixels:,} pixels")
    if not 0.4 <= width / height <= 2.5:
        raise validation(f"image aspect ratio {width}x{height} must be between 1:2.5 and 2.5:1")
    return width, height


# --- Stability Image Services (reference table: required and optional fields per service) --------------

GROW = integer(0, 20)
FORMAT = enum("png", "jpeg", "webp")
STYLE = enum(*STYLE_PRESETS)
MARGIN = integer(0, 2000)
SERVICES: dict[str, tuple[dict[str, Schema], dict[str, Schema]]] = {
    "stability.stable-image-inpaint-v1:0": (
        {"prompt": text(1, 10000), "image": IMAGE_ANY},
        {
            "mask": IMAGE_ANY,
            "grow_mask": GROW,
            "negative_prompt": text(0, 10000),
            "seed": STABILITY_SEED,
            "output_format": FORMAT,
            "style_preset": STYLE,
        },
    ),
    "stability.stable-outpaint-v1:0": (
        {"image": IMAGE_ANY},
        {
            "left": MARGIN,
            "right": MARGIN,
            "up": MARGIN,
            "down": MARGIN,
            "prompt": text(0, 10000),
            "creativity": number(0.1, 1.0),
            "seed": STABILITY_SEED,
            "output_format": FORMAT,
            "style_preset": STYLE,
        },
    ),
    "stability.stable-image-search-replace-v1:0": (
        {"prompt": text(1, 10000), "image": IMAGE_ANY, "search_prompt": text(1, 10000)},
        {
            "grow_mask": GROW,
            "negative_prompt": text(0, 10000),
            "seed": STABILITY_SEED,
            "output_format": FORMAT,
            "style_preset": STYLE,
        },
    ),
    "stability.stable-image-search-recolor-v1:0": (
        {"prompt": text(1, 10000), "image": IMAGE_ANY, "select_prompt": text(1, 10000)},
        {
            "grow_mask": GROW,
            "negative_prompt": text(0, 10000),
            "seed": STABILITY_SEED,
            "output_format": FORMAT,
            "style_preset": STYLE,
        },
    ),
    "stability.stable-image-erase-object-v1:0": (
        {"image": IMAGE_ANY},
        {"mask": IMAGE_ANY, "grow_mask": GROW, "seed": STABILITY_SEED, "output_format": FORMAT},
    ),
    "stability.stable-image-remove-background-v1:0": ({"image": IMAGE_ANY}, {"output_format": FORMAT}),
    "stability.stable-fast-upscale-v1:0": ({"image": IMAGE_ANY}, {"output_format": FORMAT}),
    "stability.stable-conservative-upscale-v1:0": (
        {"image": IMAGE_ANY, "prompt": text(1, 10000)},
        {
            "negative_prompt": text(0, 10000),
            "seed": STABILITY_SEED,
            "creativity": number(0.1, 0.5),
            "output_format": FORMAT,
        },
    ),
    "stability.stable-creative-upscale-v1:0": (
        {"image": IMAGE_ANY, "prompt": text(1, 10000)},
        {
            "negative_prompt": text(0, 10000),
            "seed": STABILITY_SEED,
            "creativity": number(0.1, 0.5),
            "output_format": FORMAT,
        },
    ),
}


def stability_service(model: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    required, optional = SERVICES[model]
    schema = obj(required, optional)

    def validate(body: dict[str, Any]) -> dict[str, Any]:
        check(schema, body)
        if "outpaint" in model and not any(body.get(side, 0) > 0 for side in ("left", "right", "up", "down")):
            raise validation("At least one of left, right, up or down must be greater than 0")
        limits = {"max_pixels": 1_048_576, "max_side": 1536} if "fast-upscale" in model else {}
        if "creative-upscale" in model:
            limits = {"max_pixels": 1_048_576}
        width, height = _stability_input(body["image"], **limits)
        if "mask" in body:
            image_bytes(body["mask"], "mask")
        elif model.endswith(("inpaint-v1:0", "erase-object-v1:0")) and not _has_alpha(body["image"]):
            raise validation("A mask is required unless the image has transparent pixels in its alpha channel")
        size = (width, height)
        if "upscale" in model:
            size = (width * 4, height * 4) if "fast" in model else _upscaled(width, height)
        elif "outpaint" in model:
            size = (
                width + body.get("left", 0) + body.get("right", 0),
                height + body.get("up", 0) + body.get("down", 0),
            )
        return {
            "task": model.split(".", 1)[1],
            "count": 1,
            "seed": body.get("seed", 0),
            "size": size,
            "prompt": body.get("prompt", ""),
            "format": body.get("output_format", "png"),
            "edit": _stability_edit(model, body),
        }

    return validate


def _stability_edit(model: str, body: dict[str, Any]) -> Edit:
    """What a Stability service does to its image. A mask's white pixels are what changes; with no
    mask, the image's transparent pixels are (inpaint, erase)."""
    service = model.split(".", 1)[1]
    source = base64.b64decode(body["image"])
    mask = base64.b64decode(body["mask"]) if "mask" in body else None
    style = body.get("style_preset", "").upper()
    if "upscale" in service:
        return Edit("upscale", source=source, detail=service.split("-")[1].upper())
    if "outpaint" in service:
        margins = (body.get("left", 0), body.get("up", 0), body.get("right", 0), body.get("down", 0))
        return Edit("outpaint", source=source, margins=margins, detail=style)
    if "search-replace" in service:
        return Edit("search-replace", source=source, mask_prompt=body["search_prompt"], detail=style)
    if "search-recolor" in service:
        return Edit("recolor", source=source, mask_prompt=body["select_prompt"], detail=style)
    if "erase" in service:
        return Edit("erase", source=source, mask=mask)
    if "remove-background" in service:
        return Edit("remove-background", source=source)
    return Edit("inpaint", source=source, mask=mask, detail=style)


def _upscaled(width: int, height: int) -> tuple[int, int]:
    """Conservative and creative upscales deliver about 4 megapixels at the input's ratio."""
    scale = (4_194_304 / (width * height)) ** 0.5
    return max(width, round(width * scale)), max(height, round(height * scale))


def _has_alpha(encoded: str) -> bool:
    """Whether the image's alpha channel can stand for the mask: some pixel is not opaque."""
    data = base64.b64decode(encoded)
    return data[:8] == b"\x89PNG\r\n\x1a\n" and _transparent(data)


def validator_for(model: str, family: str) -> Callable[[dict[str, Any]], dict[str, Any]] | None:
    if family in ("titan-image", "nova-canvas"):
        return task_envelope(model)
    if family == "stability-text-to-image":
        return stability_text_to_image(model)
    if family == "stability-image-services":
        return stability_service(model)
    return None


__all__ = ["BedrockError", "check", "validator_for", "sniff", "image_bytes"]
