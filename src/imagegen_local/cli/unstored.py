"""Images an answer carried inline because S3 would not store them (error image_not_stored):
saved to files here, since they were paid for and exist nowhere else."""

from __future__ import annotations

import base64
import binascii
import time
from pathlib import Path

from imagegen.errors import ImageGenError, ImageNotStored
from imagegen.storage import EXTENSIONS


def keep(exc: ImageGenError, directory: Path, message: str) -> str:
    """Save each inline image of an image_not_stored error in `directory` (its base64 leaves the
    error's details); `message` told in the command line's words: where they are, and that they
    are not stored, instead of where an answer carries them. Any other error's is `message`."""
    if exc.code != ImageNotStored.code or not isinstance(exc.details.get("images"), list):
        return message
    saved = []
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for index, image in enumerate(exc.details["images"]):
        if not isinstance(image, dict) or not isinstance(image.get("image_base64"), str):
            continue
        try:
            data = base64.b64decode(image.pop("image_base64"), validate=True)
        except (binascii.Error, ValueError):
            continue
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"not-stored-{stamp}-{index + 1}.{EXTENSIONS.get(str(image.get('format')), 'png')}"
        path.write_bytes(data)
        image["file"] = str(path)
        saved.append(str(path))
    if not saved:
        return message
    told = [part for part in message.split("; ") if "base64" not in part or "too large" in part]
    return "; ".join([*told, f"saved here instead, with no id or URL: {', '.join(saved)}"])
