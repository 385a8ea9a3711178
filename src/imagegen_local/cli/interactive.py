"""`imagegen interactive`: the original script's flow, asking at each step."""

from __future__ import annotations

from typing import Any

from imagegen.handlers import requests
from imagegen.models import fields

from .aws import deadline, pipeline_from
from .context import Context, Usage
from .images import open_files, output_folder, save_images
from .options import MODIFY_DEFAULTS, Parents, add_fields
from .render import describe_images


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "interactive",
        parents=[parents.runs],  # no --json: it talks with a person
        help="the original flow, asking at each step",
        description="Ask for a prompt, generate, show and store the image; then ask for "
        "modifications and apply each in turn until an empty answer.",
    )
    add_fields(parser, fields.MODIFY, only=("mode",), defaults=MODIFY_DEFAULTS)
    parser.add_argument(
        "--output-dir", default="generated-images", help="where to save the first image (default: %(default)s)"
    )
    parser.add_argument(
        "--updated-dir", default="updated-images", help="where to save each modification (default: %(default)s)"
    )
    parser.add_argument("--open", action="store_true", help="open each image in the default viewer")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    """A prompt, an image shown and stored, then modifications. An empty answer (or the end of
    input) finishes."""
    args = ctx.args
    pipeline = pipeline_from(ctx)
    first, edits_folder = output_folder(args.output_dir), output_folder(args.updated_dir)

    def question(text: str) -> str:
        try:
            return ctx.ask(text).strip()
        except EOFError:
            return ""

    prompt = question("Describe the image to generate: ")
    if not prompt:
        raise Usage("no prompt given")
    answer = pipeline.generate(requests.generate_input({"prompt": prompt}), deadline())
    images = save_images(pipeline, answer, first)
    print(describe_images("generated", images, answer), file=ctx.out)
    if args.open:
        open_files(images[:1])
    current = images[0]["image_id"]
    while change := question(f"Modification ({args.mode}; empty to finish): "):
        given = requests.modify_input({"image_id": current, "mode": args.mode, "prompt": change})
        edit = pipeline.modify(given, deadline())
        edits = save_images(pipeline, edit, edits_folder)
        print(describe_images(f"{args.mode} of {current}", edits, edit), file=ctx.out)
        if args.open:
            open_files(edits[:1])
        current = edits[0]["image_id"]
    return 0
