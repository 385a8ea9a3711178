"""`imagegen generate PROMPT`: generate, save, upload, judge."""

from __future__ import annotations

from typing import Any

from imagegen.handlers import requests
from imagegen.models import fields

from .aws import deadline, pipeline_from
from .body import body_from
from .context import Context
from .feedback import terminal
from .images import open_files, output_folder, save_images
from .options import Parents, add_fields
from .render import describe_images, extras


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "generate",
        parents=[parents.output, parents.runs],
        help="generate an image, save it, upload it, judge it",
        description="Generate images from PROMPT, save them locally, keep them in S3 and print "
        "their pre-signed URLs and verdicts.",
    )
    parser.add_argument("prompt", help="what the image should show")
    add_fields(parser, fields.GENERATE)
    parser.add_argument("--output-dir", default="generated-images", help="where to save images (default: %(default)s)")
    parser.add_argument("--open", action="store_true", help="open each saved image in the default viewer")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    given = requests.generate_input(body_from(args, fields.GENERATE))
    pipeline = pipeline_from(ctx)
    folder = output_folder(args.output_dir)
    with terminal(ctx.err).waiting("generating"):
        answer = pipeline.generate(given, deadline())
    images = save_images(pipeline, answer, folder)
    ctx.emit(
        describe_images(f"generated {len(images)} image(s) for {args.prompt!r}", images, answer),
        {"command": "generate", "prompt": args.prompt, "images": images, **extras(answer)},
    )
    if args.open:
        open_files(images, ctx.err)
    return 0
