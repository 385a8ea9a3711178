"""Response decoding shared by the image parsers: every surprise becomes UpstreamFailure."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from ..errors import InvalidImage, UpstreamFailure
from ..imageinfo import probe
from .contracts import GeneratedImage


def json_object(payload: Any, model_id: str) -> dict[str, Any]:
    if isinstance(payload, (bytes, bytearray)):
        try:
            payload = payload.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UpstreamFailure(f"{model_id} answered with bytes that are not UTF-8 text") from exc
    try:
        doc = json.loads(payload) if isinstance(payload, str) else payload
    except (ValueError, RecursionError) as exc:
        raise UpstreamFailure(f"{model_id} answered with text that is not JSON", upstream=str(payload)[:2000]) from exc
    if not isinstance(doc, dict):
        raise UpstreamFailure(f"{model_id} answered with JSON that is not an object", upstream=str(payload)[:2000])
    return doc


def image_list(doc: dict[str, Any], model_id: str) -> list[Any]:
    images = doc.get("images")
    if images is None:
        return []
    if not isinstance(images, list):
        raise UpstreamFailure(f"{model_id} answered with 'images' that is not a list")
    return images


def decode_image(encoded: Any, model_id: str, seed: int | None) -> GeneratedImage:
    if not isinstance(encoded, str):
        raise UpstreamFailure(f"{model_id} returned an image that is not base64 text")
    try:
        data = base64.b64decode(encoded, validate=True)
        info = probe(data)
    except (binascii.Error, ValueError) as exc:
        raise UpstreamFailure(f"{model_id} returned an image that is not valid base64") from exc
    except InvalidImage as exc:
        raise UpstreamFailure(f"{model_id} returned bytes that are not an image ({exc.message})") from exc
    return GeneratedImage(data=data, format=info.format, width=info.width, height=info.height, seed=seed)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
