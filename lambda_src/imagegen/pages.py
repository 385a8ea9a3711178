"""Pages of a listing, as GET /images/{id} answers an image's edits and GET /images the stored
images: how many a page holds, and the opaque cursor that says where the next page starts.

A cursor is base64url (unpadded) of a version tag and the name, under the listed prefix (an
image's `edits/`, or the index of images, storage.INDEX), of the last entry the page consumed;
the next page lists from just after it. It cannot point outside that prefix: the store lists
that prefix only. Each listing has its own tag, so one's cursor is refused by the other.
"""

from __future__ import annotations

import base64
import binascii
import re

from .errors import InvalidParameter

DEFAULT_LIMIT = 50
MAX_LIMIT = 80  # a page read within 1 s on the local S3 at 10,000 edits (bench/describe_edits.py); ~55 KB

_TAG = "e1:"
IMAGES_TAG = "i1:"  # GET /images' cursors
_NAME = re.compile(r"[^/\x00-\x1f\x7f]{0,1024}")  # one S3 key segment
_ENCODED = re.compile(r"[A-Za-z0-9_-]{1,1500}")


def checked_limit(value: object, field: str = "limit", *, most: int = MAX_LIMIT, default: int = DEFAULT_LIMIT) -> int:
    """A page size, from a number or a query string's text ("50")."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{1,4}", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= most:
        raise InvalidParameter(field, value, f"a whole number from 1 to {most} (default {default})")
    return value


def cursor_after(name: str, tag: str = _TAG) -> str:
    """The cursor of a page that ends with the entry `name` ("" when it read none)."""
    return base64.urlsafe_b64encode((tag + name).encode()).decode().rstrip("=")


def name_after(
    cursor: object,
    field: str = "cursor",
    *,
    tag: str = _TAG,
    allowed: str = "the next_cursor of an earlier answer for this image",
) -> str:
    """The entry name a cursor starts after; a 400 naming `field` for anything that is not
    a next_cursor this API answered for this listing."""
    if not isinstance(cursor, str) or not _ENCODED.fullmatch(cursor):
        raise InvalidParameter(field, cursor, allowed)
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
    except (binascii.Error, ValueError):
        raise InvalidParameter(field, cursor, allowed) from None
    name = text.removeprefix(tag)
    if not text.startswith(tag) or not _NAME.fullmatch(name):
        raise InvalidParameter(field, cursor, allowed)
    return name
