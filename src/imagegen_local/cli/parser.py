"""The command line: one subcommand per module, composed here."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from . import api, batch, evaluate, generate, interactive, models, modify
from .context import Usage
from .exits import epilog
from .options import parents

COMMANDS = (generate, modify, evaluate, interactive, batch, models, api)


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line Usage errors instead of printed and exited."""

    def error(self, message: str) -> NoReturn:
        raise Usage(message, self.prog, offers_json="--json" in self._option_string_actions)

    def parse_args(  # type: ignore[override]  # always a namespace: no partial parse here
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> argparse.Namespace:
        """As argparse's, but an unrecognized option is named with the (sub)command it was given to."""
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            chosen: argparse.ArgumentParser = self
            for name in (getattr(parsed, "command", None), getattr(parsed, "operation", None)):
                commands = [a for a in chosen._actions if isinstance(a, argparse._SubParsersAction)]
                if name and commands:
                    chosen = commands[0].choices[name]
            chosen.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed


def build_parser() -> Parser:
    """Each command offers only the options it uses: --json where it prints a document, the AWS
    options where it calls AWS, the pipeline's options where it runs the pipeline."""
    parser = Parser(
        prog="imagegen",
        description="Generate images on Amazon Bedrock, have a vision model judge them, modify them, and keep "
        "everything in S3 with pre-signed links. Uses your AWS credentials and region; set "
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME and AWS_ENDPOINT_URL_S3 to work against local servers.",
        epilog=epilog(),
    )
    shared = parents(Parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands, shared)
    return parser
