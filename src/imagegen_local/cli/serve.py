"""`imagegen serve`: the offline world from one command, until Ctrl-C: the Bedrock runtime
emulator, a local S3 holding a bucket, and the dev API serving the real Lambda handlers, on three
ports in a row on 127.0.0.1 (fixed, so that another terminal finds them).

`imagegen serve --env` prints, for the world running there, the variables that point any command
at it (the endpoints, dummy credentials, no AWS configuration, the bucket, the API's URL), as
`export` lines for `eval "$(imagegen serve --env)"`; with nothing listening it fails in one line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import threading
import urllib.error
import xml.etree.ElementTree as ElementTree
from contextlib import ExitStack
from typing import Any

from .. import netguard, world
from ..emulator.server import Faults
from ..http import fetch
from ..loopback import HOST
from .context import Context
from .options import Parents

PORT_BASE = 8470  # the emulator on 8470, the local S3 on 8471, the API on 8472
# a profile named in a shell would be looked for in the AWS configuration the world replaces
UNSET = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def add_parser(commands: Any, parents: Parents) -> None:
    parser = commands.add_parser(
        "serve",
        help="run the offline world (Bedrock emulator, local S3, dev API) on loopback until Ctrl-C",
        description="Start the Bedrock runtime emulator, a local S3 holding a bucket, and the API with the "
        "real handlers (and the gallery page at the API's root), on 127.0.0.1 only, and print where. "
        "In another terminal, "
        '`eval "$(imagegen serve --env)"` points every imagegen command at them, with no AWS account. '
        "Ctrl-C (or SIGTERM) stops everything.",
    )
    parser.add_argument(
        "--env",
        action="store_true",
        help="print the export lines for the world running at --port-base, and exit (fails if none runs there)",
    )
    parser.add_argument(
        "--port-base",
        type=_port_base,
        default=PORT_BASE,
        metavar="N",
        help="the emulator listens on N, the local S3 on N+1, the API on N+2 (default: %(default)s)",
    )
    parser.add_argument(
        "--bucket",
        help=f"the bucket to create (default: {world.BUCKET}); with --env, the one to use "
        "(default: the one serve created)",
    )
    parser.add_argument("--verbose", action="store_true", help="print the functions' JSON logs to stderr")
    faults = parser.add_argument_group("the emulator's faults")
    faults.add_argument(
        "--latency",
        type=_number(0, 60),
        default=0.0,
        metavar="SECONDS",
        help="added to every model call (default: %(default)s)",
    )
    faults.add_argument(
        "--throttle-rate",
        type=_number(0, 1),
        default=0.0,
        metavar="SHARE",
        help="the share of model calls answered ThrottlingException, 0 to 1 (default: %(default)s)",
    )
    faults.add_argument(
        "--deny-model", action="append", metavar="MODEL", help="refuse this model id (AccessDenied); repeatable"
    )
    faults.add_argument("--serve-retired", action="store_true", help="serve models past their end of life")
    parser.set_defaults(run=run)


def run(ctx: Context) -> int:
    args = ctx.args
    ports = world.Ports.from_base(args.port_base)
    if args.env:
        print(exports(running_environment(ports, args.bucket, ctx.program)), file=ctx.out)
        return 0
    faults = Faults(
        latency_seconds=args.latency,
        throttle_rate=args.throttle_rate,
        deny_models=args.deny_model or [],
        serve_retired=args.serve_retired,
    )
    netguard.loopback_only()  # the functions it serves reach nothing beyond this machine
    with ExitStack() as running:
        logs = ctx.err if args.verbose else running.enter_context(open(os.devnull, "w"))
        try:
            served = running.enter_context(world.World(faults, ports, args.bucket or world.BUCKET, logs))
        except world.PortInUse as exc:
            raise OSError(f"{exc.strerror}: is `{ctx.program} serve` running there? --port-base picks others") from None
        print(banner(served, args.port_base, ctx.program), file=ctx.out, flush=True)
        _until_stopped()
    return 0


def banner(served: world.World, port_base: int, program: str = "imagegen") -> str:
    """What runs where, and the next step, spelled with `program` as the user started it."""
    step = f"{program} serve --env" + ("" if port_base == PORT_BASE else f" --port-base {port_base}")
    return "\n".join(
        [
            "The offline world, on 127.0.0.1 only (images and verdicts are EMULATED; nothing reaches AWS):",
            f"  Bedrock runtime emulator  {served.emulator.url}",
            f"  local S3                  {served.s3.url}  (bucket {served.bucket})",
            f"  API (the real handlers)   {served.api.url}",
            *(
                [f"  the gallery page          {served.api.page_url}  (open it in a browser)"]
                if served.api.page_url
                else []
            ),
            f'In another terminal, one step first:  eval "$({step})"',
            f'  then any command, e.g.  {program} generate "a fox"  |  {program} api generate "a fox"',
            "Ctrl-C stops everything.",
        ]
    )


def exports(env: dict[str, str]) -> str:
    """Lines a POSIX shell evaluates."""
    lines = [f"unset {' '.join(UNSET)}", *(f"export {name}={shlex.quote(value)}" for name, value in env.items())]
    return "\n".join(lines)


def running_environment(ports: world.Ports, bucket: str | None, program: str = "imagegen") -> dict[str, str]:
    """world.World.env for the world serving at `ports`: each server is asked whether it runs,
    and the local S3 which bucket the world has (serve's: the oldest)."""
    emulator_url, s3_url, api_url = ports.urls()
    _answer(f"{emulator_url}/_emulator/health", ports.emulator, "Bedrock emulator", program)
    listing = _answer(s3_url + "/", ports.s3, "local S3", program)
    _answer(api_url, ports.api, "API", program)
    try:
        found = [
            (entry.findtext("{*}CreationDate") or "", entry.findtext("{*}Name") or "")
            for entry in ElementTree.fromstring(listing).iterfind(".//{*}Bucket")
        ]
    except ElementTree.ParseError:
        raise OSError(f"{HOST}:{ports.s3} does not answer as a local S3 (its bucket list is not XML)") from None
    names = [name for _, name in sorted(found, key=lambda pair: pair[0])]
    if bucket is None and not names:
        raise OSError(f"the local S3 on {HOST}:{ports.s3} holds no bucket: name one with --bucket")
    if bucket is not None and bucket not in names:
        raise OSError(f"the local S3 on {HOST}:{ports.s3} has no bucket {bucket}; it has {', '.join(names) or 'none'}")
    return world.world_environment(emulator_url, s3_url, api_url, bucket or names[0])


def _answer(url: str, port: int, server: str, program: str) -> bytes:
    """What `url` answers, an HTTP error included; one line naming the port if nothing does."""
    try:
        return fetch(url, timeout=5)
    except urllib.error.HTTPError as exc:
        return exc.read()
    except OSError:  # refused, or not answering in time (urllib's URLError is an OSError)
        raise OSError(
            f"nothing is listening on {HOST}:{port} (the {server}'s port): "
            f"start the offline world with `{program} serve` (and the same --port-base) first"
        ) from None


def _until_stopped() -> None:
    """Returns on SIGINT (Ctrl-C) or SIGTERM; a second one while the servers stop interrupts that."""
    stop = threading.Event()
    stopping = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in stopping}
    try:
        stop.wait()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _port_base(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65533:
        raise argparse.ArgumentTypeError("a port from 1 to 65533 (the three servers take it and the next two)")
    return int(text)


def _number(low: float, high: float) -> Any:
    def number(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")  # refused below
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"a number from {low} to {high}")
        return value

    return number
