"""Command-line arguments to the API's JSON body: the one translation of the command line. The
local commands read that body as the handlers do (`imagegen.handlers.requests`), `imagegen api`
sends it as it is."""

from __future__ import annotations

import argparse
from typing import Any

from imagegen.models.fields import Body


def body_from(args: argparse.Namespace, spec: Body, **given: Any) -> dict[str, Any]:
    """The fields of `spec` the arguments give (each option already holds the body's value), and
    `given` (such as the image id a local file was uploaded as)."""
    body = {row.name: getattr(args, row.name) for row in spec.fields() if getattr(args, row.name, None) is not None}
    body.update({name: value for name, value in given.items() if value is not None})
    return body
