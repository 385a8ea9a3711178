"""The entry point: parse, run the command, and end every failure in one line and an exit code."""

from __future__ import annotations

import argparse
import functools
import os
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from botocore.exceptions import BotoCoreError
from imagegen.errors import ImageGenError
from imagegen.ids import looks_like_image_id

from . import unstored, wording
from .context import Context, Usage, program_name
from .exits import AWS_CONFIGURATION, INTERRUPTED, LOCAL_ERROR, OWN_CODES, READER_GONE, USAGE
from .parser import Parser, ShowVersion, build_parser

_PARSING = threading.Lock()


@functools.cache
def _parser() -> Parser:
    """The command line's parser, built once per process (its options are the registry's data and
    constants; building it takes longer than most commands' own work). It is shared by every call
    of main, in turn: argparse's intermixed reading changes the parser while it reads."""
    return build_parser()


def main(
    argv: Sequence[str] | None = None,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
    ask: Callable[[str], str] = input,
) -> int:
    out, err = out or sys.stdout, err or sys.stderr
    program = program_name(sys.argv[0]) if argv is None else "imagegen"
    env = dict(os.environ)  # settings and boto3 both read the process environment
    parser = _parser()
    given = list(argv if argv is not None else sys.argv[1:])
    if not given:  # no command: what there is to run
        print(parser.format_help(), end="", file=err)
        return OWN_CODES[USAGE]
    try:
        with _PARSING:
            args = parser.parse_args(given)
    except ShowVersion as shown:
        print(shown, file=out)
        return 0
    except Usage as exc:
        message = exc.message
        dashed = [a for a in given if a.startswith("-") and looks_like_image_id(a)]
        if dashed and "--" not in given:
            message += f" (an image id that starts with '-' goes after '--': imagegen ... -- {dashed[0]})"
        as_json = exc.offers_json and "--json" in given
        ctx = Context(argparse.Namespace(json=as_json), out, err, env, ask)
        return ctx.fail(USAGE, message, OWN_CODES[USAGE], exc.prog)
    ctx = Context(args, out, err, env, ask, program)
    try:
        code = int(args.run(ctx))
        out.flush()  # a reader gone away (`| head`) shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        return _reader_gone(out)
    except Usage as exc:
        return ctx.fail(USAGE, exc.message, OWN_CODES[USAGE], exc.prog)
    except ImageGenError as exc:
        folder = Path(getattr(args, "output_dir", None) or "generated-images")
        return ctx.fail(exc.code, unstored.keep(exc, folder, wording.message(exc, given=given)), exc.exit_code)
    except BotoCoreError as exc:  # e.g. an unknown --aws-profile
        return ctx.fail(AWS_CONFIGURATION, str(exc), OWN_CODES[AWS_CONFIGURATION])
    except (OSError, ValueError) as exc:
        return ctx.fail(LOCAL_ERROR, str(exc), OWN_CODES[LOCAL_ERROR])
    except KeyboardInterrupt:
        return ctx.fail(INTERRUPTED, "interrupted", OWN_CODES[INTERRUPTED])


def _reader_gone(out: TextIO) -> int:
    """The output's reader stopped early (`imagegen models | head`): end quietly, as shell tools do.
    What is still buffered for it goes nowhere, so the interpreter's last flush fails no more."""
    if out is sys.stdout:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return OWN_CODES[READER_GONE]
