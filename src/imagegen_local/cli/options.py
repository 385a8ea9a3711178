"""The command line's options: the request's fields, derived from the field table, and the
options commands share (--json, the AWS ones, the pipeline's)."""

from __future__ import annotations

import argparse
import base64
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imagegen.config import MAX_URL_EXPIRY, model_sets
from imagegen.models.fields import BY_NAME, Body, Field, Kind
from imagegen.models.registry import all_models
from imagegen.models.tasks import MODIFY_TASKS

from .wording import typed_as

MODIFY_DEFAULTS = {"mode": "variation"}  # the command line's own: a modification is a variation unless --mode says


@dataclass(frozen=True)
class Parents:
    """Option groups a command takes as argparse parents."""

    output: argparse.ArgumentParser  # --json
    aws: argparse.ArgumentParser  # --region, --aws-profile
    runs: argparse.ArgumentParser  # the AWS options and the pipeline's: the commands that run it


def parents(parser_class: type[argparse.ArgumentParser]) -> Parents:
    output = parser_class(add_help=False)
    output.add_argument("--json", action="store_true", help="print one JSON document instead of text (see docs/cli.md)")
    aws = parser_class(add_help=False)
    aws.add_argument(
        "--region", help="AWS region (default: $AWS_REGION, your AWS configuration's, else the model set's)"
    )
    aws.add_argument("--aws-profile", help="named AWS credentials profile (default: the standard chain)")
    runs = parser_class(add_help=False, parents=[aws])
    runs.add_argument("--verbose", action="store_true", help="print the pipeline's JSON logs to stderr")
    runs.add_argument("--bucket", help="S3 bucket for images (default: $IMAGEGEN_BUCKET)")
    runs.add_argument(
        "--model-set",
        choices=sorted(model_sets()),
        help="the models to use: current (Active models) or original (the blog post's) "
        "(default: $IMAGEGEN_MODEL_SET, else current)",
    )
    # --model-set's old name: AWS's tools use --profile for credentials (here --aws-profile)
    runs.add_argument("--profile", dest="old_profile", choices=sorted(model_sets()), help=argparse.SUPPRESS)
    runs.add_argument("--allow-retired", action="store_true", help="call models past their end of life")
    runs.add_argument(
        "--url-expiry", type=_expiry, help=f"pre-signed URL lifetime, 1 to {MAX_URL_EXPIRY} seconds (default: 3600)"
    )
    return Parents(output, aws, runs)


def add_fields(
    parser: argparse.ArgumentParser,
    body: Body,
    *,
    only: Collection[str] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> None:
    """An option for each field of `body` that has one (or of those named in `only`); `defaults`
    are the command line's own, shown in the help. Each option's value is what the body takes
    (a file is read and base64-encoded, margins become an object), so building the body is a copy."""
    defaults = defaults or {}
    groups: dict[str, argparse._MutuallyExclusiveGroup] = {}
    for row in body.fields():
        if row.option is None or (only is not None and row.name not in only):
            continue
        where: Any = parser
        if row.group:
            if row.group not in groups:
                groups[row.group] = parser.add_mutually_exclusive_group()
            where = groups[row.group]
        if row.kind is Kind.FLAG:  # an option that turns the body's default around
            default = bool(body.default(row.name))
            help = f"do not {_help(row)}" if default else _help(row)
            option = flag_option(row, body)
            where.add_argument(option, dest=row.name, action="store_const", const=not default, help=help)
            continue
        where.add_argument(row.option, dest=row.name, **_kwargs(row, defaults.get(row.name)))


def flag_option(row: Field, body: Body) -> str:
    """The option of a true-or-false field: it says the opposite of the body's default."""
    return f"--no-{row.name.replace('_', '-')}" if body.default(row.name) else str(row.option)


def limit_choices(limit: str) -> list[str]:
    """Every value some registry model takes for a limit such as "qualities", in catalog order."""
    return list(dict.fromkeys(value for model in all_models() for value in model.limits.get(limit, ())))


def _kwargs(row: Field, default: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"help": _help(row), **_BY_KIND.get(row.kind, {})}
    if row.stored:  # a file, or a stored image's id for the other field
        kwargs.update(action=_FileOrStored, stored=row.stored, metavar="FILE_OR_ID", type=None)
    if row.choices:
        kwargs["choices"] = limit_choices(row.choices)
    if row.spelling:
        kwargs["type"] = str.lower if row.spelling == "lower" else str.upper
    if default is not None:
        kwargs["default"] = default
        kwargs["help"] += " (default: %(default)s)"
    return kwargs


def _help(row: Field) -> str:
    """The row's help, naming other fields by their options (a mask: --mask or --mask-rect; the
    stored image an option also takes: its id)."""
    spelled = {"mask_image": "--mask or --mask-rect", **({row.stored: "its id"} if row.stored else {})}
    return row.described(lambda name: spelled.get(name) or typed_as(name))


def _file_base64(path: str) -> str:
    """An image file, as a body carries it."""
    try:
        return base64.b64encode(Path(path).read_bytes()).decode()
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot read {path}: {exc.strerror}") from None


class _FileOrStored(argparse.Action):
    """An image option that takes a local file (its field gets the base64, as the body carries it)
    or a stored image's id (the field `stored` gets the id)."""

    def __init__(self, *args: Any, stored: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stored = stored

    def __call__(self, parser: argparse.ArgumentParser, namespace: Any, value: Any, option: Any = None) -> None:
        if Path(value).is_file():
            setattr(namespace, self.dest, _file_base64(value))
        elif _IMAGE_ID.fullmatch(value):
            setattr(namespace, self.stored, value)
        else:
            parser.error(f"{option}: {value!r} is neither an image file nor an image id")


_IMAGE_ID = re.compile(str(BY_NAME["image_id"].schema["pattern"]))


def _margins(text: str) -> dict[str, int]:
    parts = text.split(",")
    if len(parts) != 4 or not all(p.strip().isdigit() for p in parts):
        raise argparse.ArgumentTypeError(f"LEFT,RIGHT,UP,DOWN in pixels, such as 0,256,0,0, not {text!r}")
    return dict(zip(("left", "right", "up", "down"), (int(p) for p in parts), strict=True))


def _colors(text: str) -> list[str]:
    colors = [part.strip() for part in text.split(",") if part.strip()]
    if not colors:
        raise argparse.ArgumentTypeError("one or more colours written #RRGGBB, separated by commas")
    return colors


def _expiry(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= MAX_URL_EXPIRY:
        raise argparse.ArgumentTypeError(f"must be 1 to {MAX_URL_EXPIRY} seconds")
    return int(text)


# how a kind is read from the command line (text needs nothing)
_BY_KIND: dict[Kind, dict[str, Any]] = {
    Kind.INTEGER: {"type": int},
    Kind.NUMBER: {"type": float},
    Kind.SIZE: {"metavar": "WIDTHxHEIGHT"},
    Kind.IMAGE: {"type": _file_base64, "metavar": "FILE"},
    Kind.MARGINS: {"type": _margins, "metavar": "LEFT,RIGHT,UP,DOWN"},
    Kind.COLORS: {"type": _colors, "metavar": "#RRGGBB,..."},
    Kind.MODE: {"choices": [task.value for task in MODIFY_TASKS]},
}
