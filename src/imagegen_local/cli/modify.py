"""`imagegen modify IMAGE [PROMPT] --mode ...`: modify a local file or a stored image."""

from __future__ import annotations

from typing import Any

from imagegen.handlers import requests
from imagegen.models import fields
from imagegen.pipeline import Pipeline

from . import masks, modes
from .aws import deadline, pipeline_from
from .body import body_from
from .context import Context
from .feedback import terminal
from .images import open_files, output_folder, resolve_image, save_images
from .options import MODIFY_DEFAULTS, Parents, add_fields
from .render import describe_images, extras


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "modify",
        parents=[parents.output, parents.runs],
        help="modify a local image or a stored one",
        description="Apply a modify mode to IMAGE (a local file, uploaded first, or an image id) "
        "with PROMPT; save the edit locally and in S3.",
        epilog=modes.masks_epilog(),
    )
    parser.add_argument("image", help="a local image file or an image id")
    parser.add_argument(
        "prompt", nargs="?", help="the change (not needed for erase, remove-background, upscale, style-transfer)"
    )
    add_fields(parser, fields.MODIFY, defaults=MODIFY_DEFAULTS)
    masks.add_option(parser)
    parser.add_argument("--output-dir", default="updated-images", help="where to save the edit (default: %(default)s)")
    parser.add_argument("--open", action="store_true", help="open the saved edit in the default viewer")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    pipeline = pipeline_from(ctx)
    folder = output_folder(args.output_dir)
    image_id = resolve_image(pipeline, args.image, None, ctx.err)
    body = body_from(args, fields.MODIFY, image_id=image_id)
    masks.fill_mask(body, args, lambda: source_size(pipeline, image_id))
    given = requests.modify_input(body)
    with terminal(ctx.err).waiting(f"modifying ({args.mode})"):
        answer = pipeline.modify(given, deadline())
    images = save_images(pipeline, answer, folder)
    ctx.emit(
        describe_images(f"{args.mode} of {image_id}", images, answer),
        {"command": "modify", "parent_id": image_id, "mode": args.mode, "images": images, **extras(answer)},
    )
    if args.open:
        open_files(images[:1], ctx.err)
    return 0


def source_size(pipeline: Pipeline, image_id: str) -> masks.Size:
    """A stored image's width and height, from its metadata."""
    facts: dict[str, Any] = dict(pipeline.store.load_meta(image_id)["image"])
    return int(facts["width"]), int(facts["height"])
