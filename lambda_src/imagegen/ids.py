"""Image ids: random, unguessable, safe in URLs and S3 keys."""

from __future__ import annotations

import re
import secrets

from .errors import InvalidParameter

_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def new_image_id() -> str:
    """128 random bits, base64url without padding (22 characters), never starting with "-" so
    that an id is a plain argument on a command line, not an option (127.98 bits remain)."""
    while True:
        image_id = secrets.token_urlsafe(16)
        if not image_id.startswith("-"):
            return image_id


def looks_like_image_id(value: str) -> bool:
    return bool(_ID.fullmatch(value))


def checked_image_id(value: object, field: str = "image_id") -> str:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise InvalidParameter(field, value, "an image id as returned by generate or modify (22 characters)")
    return value
