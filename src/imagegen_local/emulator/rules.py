"""What Bedrock accepts, written from its documentation (bedrock-models.md and the user guides)
and deliberately independent of the project's builders and catalog limits: a builder bug must
meet a second reading of the docs here, not a copy of itself. This module holds the schema
checker and the image readers; amazon_rules.py and stability_rules.py the families' readings,
and shapes.py the table that says, by exact model id, which reading a model gets.

Each validator raises BedrockError with Bedrock's error code, status and message style.
"""

from __future__ import annotations

import base64
import binascii
import struct
from typing import Any

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
    from imagegen.errors import InvalidImage

    from . import sources  # a PNG decoder, not a builder

    try:
        sources.verify(data)
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


def transparent(data: bytes) -> bool:
    """Whether any pixel of a PNG is less than fully opaque."""
    from imagegen.errors import InvalidImage

    from . import sources  # a PNG decoder, not a builder

    try:
        return sources.has_transparency(data)
    except InvalidImage:
        raise validation("Unable to process the image: the PNG data is invalid") from None


__all__ = ["BedrockError", "check", "sniff", "image_bytes", "transparent"]
