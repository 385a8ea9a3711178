"""Images on this machine: the folder they are saved to, the files saved, and a local file or an
image id turned into the id of a stored image."""

from __future__ import annotations

import hashlib
import os
import webbrowser
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from imagegen.errors import ImageGenError
from imagegen.ids import checked_image_id
from imagegen.pipeline import Pipeline

from .context import Usage
from .render import image_doc


def output_folder(path: str) -> Path:
    """The folder to save into, made now: an unusable one fails before any image is paid for."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Usage(f"cannot use {path} as the output folder: {exc.strerror}") from None
    if not os.access(folder, os.W_OK):
        raise Usage(f"cannot write to the output folder {path}")
    return folder


def save_images(pipeline: Pipeline, answer: dict[str, Any], folder: Path) -> list[dict[str, Any]]:
    """Each image of an answer, read back from the store and saved as <image id>.<ext>."""
    saved = []
    for view in answer.get("images") or [answer]:
        target = folder / f"{view['image_id']}{Path(view['key']).suffix}"
        target.write_bytes(pipeline.store.load_image(view["key"]))
        saved.append({**image_doc(view), "file": str(target)})
    return saved


def open_files(images: Sequence[dict[str, Any]], err: TextIO) -> None:
    """Show saved images in the default viewer; where none can be started, say where each one is."""
    for image in images:
        if not webbrowser.open(Path(image["file"]).resolve().as_uri()):
            print(
                f"imagegen: no image viewer to open {image['file']} (set BROWSER to a program that can)",
                file=err,
            )


def resolve_image(
    pipeline: Pipeline, image: str, prompt: str | None, err: TextIO, *, needs_prompt: bool = False
) -> str:
    """An image id; a file this tool saved (<image id>.<ext>, still in the bucket, its bytes
    unchanged) as that id; any other local file uploaded first, with the prompt it should show.
    A saved file edited since is uploaded as a new image (with the stored image's prompt unless
    one is given), and stderr says so."""
    path = Path(image)
    if path.is_file():
        data = path.read_bytes()
        meta = _stored_meta(pipeline, path.stem)
        if meta is not None and _same_image(pipeline, meta, data):
            return path.stem
        if meta is not None:
            prompt = prompt or meta.get("judge_prompt")
        if needs_prompt and not prompt:
            raise Usage(f"{image} is a local file: pass --prompt with what it should show")
        uploaded = str(pipeline.upload(data, prompt)["image_id"])
        if meta is not None:
            print(
                f"imagegen: {image} differs from stored image {path.stem} (edited since it was saved?): "
                f"uploaded it as new image {uploaded}",
                file=err,
            )
        return uploaded
    if path.exists():
        raise Usage(f"{image} is not an image file")
    try:
        return checked_image_id(image)
    except ImageGenError:
        raise Usage(f"{image!r} is neither a file nor an image id") from None


def _stored_meta(pipeline: Pipeline, stem: str) -> dict[str, Any] | None:
    """The metadata of the stored image a file is named after, if there is one."""
    try:
        return dict(pipeline.store.load_meta(checked_image_id(stem)))
    except ImageGenError:
        return None


def _same_image(pipeline: Pipeline, meta: dict[str, Any], data: bytes) -> bool:
    """Whether `data` is the stored image: by the metadata's sha256, else by its bytes."""
    facts = meta.get("image") or {}
    if facts.get("sha256"):
        return bool(hashlib.sha256(data).hexdigest() == facts["sha256"])
    return bool(pipeline.store.load_image(facts["key"]) == data)
