"""`imagegen evaluate IMAGE`: judge a stored image, or a local file against --prompt."""

from __future__ import annotations

from typing import Any

from imagegen.handlers import requests
from imagegen.models import fields

from .aws import deadline, pipeline_from
from .body import body_from
from .context import Context
from .feedback import terminal
from .images import resolve_image
from .options import Parents, add_fields
from .render import extras, verdict_lines


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "evaluate",
        parents=[parents.output, parents.runs],
        help="judge an image against its prompt",
        description="Judge IMAGE (an image id, or a local file with --prompt) and print the score, "
        "description, reason and suggestions.",
    )
    parser.add_argument("image", help="an image id or a local image file")
    parser.add_argument("--prompt", help="the prompt a local file should show (ids keep theirs)")
    add_fields(parser, fields.EVALUATE)
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    pipeline = pipeline_from(ctx)
    image_id = resolve_image(pipeline, args.image, args.prompt, ctx.err, needs_prompt=True)
    image_id, judge_model = requests.evaluate_input(body_from(args, fields.EVALUATE, image_id=image_id))
    with terminal(ctx.err).waiting("judging"):
        answer = pipeline.evaluate(image_id, deadline(), judge_model)
    evaluation = answer["evaluation"]
    ctx.emit(
        "\n".join([f"verdict for {image_id}", *verdict_lines(evaluation, "  ")]),
        {"command": "evaluate", "image_id": image_id, "evaluation": evaluation, **extras(answer)},
    )
    return 0
