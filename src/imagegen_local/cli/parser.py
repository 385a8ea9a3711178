"""The command line: one subcommand per module, composed here."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from importlib.metadata import version
from typing import Any, NoReturn

from . import api, batch, compare, evaluate, generate, interactive, models, modify, refine, report, serve
from .context import Usage
from .exits import epilog
from .options import parents

COMMANDS = (generate, modify, evaluate, refine, interactive, batch, compare, models, api, serve, report)


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as one-line Usage errors instead of printed and exited;
    no abbreviated options (a flag one command lacks must not turn into another one it has), and
    a command's arguments in any order (`modify IMAGE --mode inpaint "a cat"`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)
        self._intermixing = False

    def error(self, message: str) -> NoReturn:
        raise Usage(message, self.prog, offers_json="--json" in self._option_string_actions)

    def parse_known_args(  # type: ignore[override]  # the same signature as argparse's
        self, args: Sequence[str] | None = None, namespace: Any = None
    ) -> tuple[argparse.Namespace, list[str]]:
        """A command (a parser without subcommands) reads its options and positionals intermixed:
        argparse alone fills an optional positional with nothing as soon as it meets an option.
        After `--` (an image id that starts with '-') the arguments are read in argparse's order:
        argparse's intermixed reading drops the `--`."""
        if self._subparsers is not None or self._intermixing or "--" in (args or ()):
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False

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


class ShowVersion(Exception):
    """--version was asked for: main prints it where the command's output goes."""


class Version(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> NoReturn:
        raise ShowVersion(f"imagegen {version('bedrock-imagegen-eval')}")


def build_parser() -> Parser:
    """Each command offers only the options it uses: --json where it prints a document, the AWS
    options where it calls AWS, the pipeline's options where it runs the pipeline."""
    parser = Parser(
        prog="imagegen",
        description="Generate images on Amazon Bedrock, have a vision model judge them, modify them, and keep "
        "everything in S3 with pre-signed links. Uses your AWS credentials and region; set "
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL_BEDROCK (the control plane, models --live) and "
        "AWS_ENDPOINT_URL_S3 to work against local servers.",
        epilog=epilog(),
    )
    parser.add_argument("--version", action=Version, help="print the version and exit")
    shared = parents(Parser)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    for command in COMMANDS:
        command.add_parser(commands, shared)
    return parser
