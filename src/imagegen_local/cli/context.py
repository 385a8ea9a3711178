"""What every command gets: its arguments, where to print, the environment, and how to ask."""

from __future__ import annotations

import argparse
import json
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
