"""Images the model made that S3 would not take: they go back to the caller inline, as base64,
as far as one Lambda answer can carry them, since they were paid for and exist nowhere else."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import TypedDict

from ..documents import DoneVerdict
from ..models.contracts import GeneratedImage

LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024  # a synchronous invocation's response, API Gateway's proxy answer in it
ANSWER_ROOM_BYTES = 64 * 1024  # the rest of the answer: the error's message, headers, the proxy envelope
INLINE_IMAGE_BYTES = (LAMBDA_PAYLOAD_BYTES - ANSWER_ROOM_BYTES) * 3 // 4
"""The most image bytes one answer carries: base64 makes 4 characters of every 3 bytes."""


class UnstoredImage(TypedDict, total=False):
    """An image an answer gives back because it could not be stored: its bytes when they fit."""

    format: str
    width: int
    height: int
    seed: int | None
    bytes: int
    inline: bool
    image_base64: str
    evaluation: DoneVerdict  # the judge's verdict, when it looked at the image before S3 refused it


def inline_images(images: Sequence[GeneratedImage]) -> list[UnstoredImage]:
    """Each image with its bytes as base64, in order, while they fit in one answer together; one
    that would not fit is named (format, size, seed) with `inline` false and no bytes."""
    room = INLINE_IMAGE_BYTES
    shown: list[UnstoredImage] = []
    for image in images:
        item: UnstoredImage = {
            "format": image.format,
            "width": image.width,
            "height": image.height,
            "seed": image.seed,
            "bytes": len(image.data),
            "inline": len(image.data) <= room,
        }
        if item["inline"]:
            room -= len(image.data)
            item["image_base64"] = base64.b64encode(image.data).decode()
        shown.append(item)
    return shown


def described(shown: Sequence[UnstoredImage], reason: str) -> str:
    """What the caller is told: what was not stored, where the bytes are, what is lost."""
    inline = sum(1 for item in shown if item["inline"])
    lost = len(shown) - inline
    told = f"{len(shown)} generated image{'s' if len(shown) > 1 else ''} could not be stored in S3 ({reason})"
    if inline:
        told += f"; {inline} not stored, given in this answer as base64 (error.images[].image_base64, no id, no URL)"
    if lost:
        limit = LAMBDA_PAYLOAD_BYTES // (1024 * 1024)
        told += f"; {lost} too large to answer inline (the answer's limit is {limit} MB, base64 adds a third)"
    return told
