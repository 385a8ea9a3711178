"""What every command gets: its arguments, where to print, the environment, and how to ask."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TextIO


class Usage(Exception):
    """A problem with the command line itself (exit code 2); `prog` is what the line starts with
    (the subcommand's name when argparse found the problem in it), `offers_json` whether that
    command has --json (so that a --json given to it gets the error as JSON too)."""

    def __init__(self, message: str, prog: str = "imagegen", *, offers_json: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.prog = prog
        self.offers_json = offers_json


@dataclass
class Context:
    args: argparse.Namespace
    out: TextIO
    err: TextIO
    env: dict[str, str] = field(default_factory=dict)
    ask: Callable[[str], str] = input
    program: str = "imagegen"  # how to start this program again, in a next step printed for the user

    def emit(self, human: str, document: dict[str, Any]) -> None:
        """The human text, or with --json the document."""
        if getattr(self.args, "json", False):
            print(json.dumps(document, indent=2, default=str), file=self.out)
        else:
            print(human, file=self.out)

    def fail(self, code: str, message: str, exit_status: int, prog: str = "imagegen") -> int:
        """One readable line on stderr, `prog: message` (and the error as JSON on stdout with --json)."""
        print(f"{prog}: {message}", file=self.err)
        if getattr(self.args, "json", False):
            print(json.dumps({"error": {"code": code, "message": message}}), file=self.out)
        return exit_status


def program_name(argv0: str, which: Callable[[str], str | None] = shutil.which, cwd: str | None = None) -> str:
    """How the user can type this program again: `imagegen` when that name finds this very file on
    the PATH, else its path (relative to `cwd` when under it, as `.venv/bin/imagegen`); started
    as a module (`python -m imagegen_local.cli`), that."""
    if os.path.basename(argv0) == "__main__.py":
        return f"{os.path.basename(sys.executable)} -m imagegen_local.cli"
    name = os.path.basename(argv0)
    found = which(name)
    if found and os.path.realpath(found) == os.path.realpath(argv0):
        return name
    where = os.path.abspath(argv0)
    relative = os.path.relpath(where, cwd or os.getcwd())
    if relative.startswith(".."):
        return shlex.quote(where)
    return shlex.quote(relative if os.sep in relative else os.path.join(".", relative))
