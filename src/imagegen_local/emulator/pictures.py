"""A before/after pair of emulated images, for the README's picture and for anyone who wants to
see what the offline world answers: a generation, then an inpaint of a rectangle of it, both
made through the product's own builders and parsers against an emulator started for the purpose.

    python -m imagegen_local.emulator.pictures DIRECTORY   # writes before.png, mask.png, after.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import boto3
from botocore.config import Config
from imagegen import png
from imagegen.models.images import invoke_image_model
from imagegen.models.request import ImageRequest, Task

from .server import Emulator

GENERATOR = "stability.stable-image-core-v1:1"
EDITOR = "stability.stable-image-inpaint-v1:0"
BOX = (320, 200, 704, 460)  # x0, y0, x1, y1 of the area to change in the 1024x1024 generation


def rectangle_mask(width: int, height: int, box: tuple[int, int, int, int]) -> bytes:
    """The project's mask convention: a grayscale PNG, white inside the box (change), black elsewhere."""
    x0, y0, x1, y1 = box
    inside = bytes(x0) + b"\xff" * (x1 - x0) + bytes(width - x1)
    rows = tuple(inside if y0 <= y < y1 else bytes(width) for y in range(height))
    return png.encode(png.Raster(width, height, "L", rows))


def before_after(
    directory: Path,
    *,
    prompt: str = "a red fox in snow at dawn",
    edit_prompt: str = "a straw hat",
    box: tuple[int, int, int, int] = BOX,
    generator: str = GENERATOR,
    editor: str = EDITOR,
) -> tuple[Path, Path, Path]:
    """Write before.png (the generation), mask.png (white = the box to change) and after.png (the
    inpaint) into `directory`; return their paths. Deterministic: the seeds are fixed."""
    directory.mkdir(parents=True, exist_ok=True)
    with Emulator() as emulator:
        client = boto3.client(  # the emulator checks no signature: placeholder keys; no proxy for loopback
            "bedrock-runtime",
            region_name="us-west-2",
            endpoint_url=emulator.url,
            aws_access_key_id="emulated",
            aws_secret_access_key="emulated",
            config=Config(proxies={}),
        )
        _, generated = invoke_image_model(client, generator, ImageRequest(prompt=prompt, seed=7))
        before = generated.images[0]
        mask = rectangle_mask(before.width, before.height, box)
        request = ImageRequest(task=Task.INPAINT, prompt=edit_prompt, images=(before.data,), mask_image=mask, seed=7)
        _, edited = invoke_image_model(client, editor, request)
    paths = directory / "before.png", directory / "mask.png", directory / "after.png"
    for path, data in zip(paths, (before.data, mask, edited.images[0].data), strict=True):
        path.write_bytes(data)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a before/after pair of emulated images (generate, inpaint).")
    parser.add_argument("directory", type=Path)
    for path in before_after(parser.parse_args().directory):
        print(path)


if __name__ == "__main__":
    main()
