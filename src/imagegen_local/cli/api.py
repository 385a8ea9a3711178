"""`imagegen api OPERATION`: the same operations against a deployed BedrockImageGenEval API. Each
operation takes the options of its request body (the field table's), and sends the body the
local command would read."""

from __future__ import annotations

import argparse
import urllib.parse
import uuid
from typing import Any

from imagegen import pages
from imagegen.ids import checked_image_id
from imagegen.models import fields
from imagegen.models.fields import Body

from . import api_http, api_refine, masks, request_model
from .aws import session_from
from .body import body_from
from .context import Context
from .feedback import terminal
from .options import MODIFY_DEFAULTS, Parents, add_fields
from .render import api_answer

# operation -> (method, path, body)
KEYED = ("generate", "modify")  # operations sent with an idempotency key (a new one per command unless given)
OPERATIONS: dict[str, tuple[str, str, Body | None]] = {
    "generate": ("POST", "generate-image", fields.GENERATE),
    "evaluate": ("POST", "evaluate-image", fields.EVALUATE),
    "modify": ("POST", "modify-image", fields.MODIFY),
    "get": ("GET", "images/{image_id}", None),
}


def add_parser(commands: Any, parents: Parents) -> None:
    api = commands.add_parser(
        "api",
        help="the same operations against a deployed API",
        description="Call a deployed BedrockImageGenEval API, signed with SigV4 (or with an API "
        "key). Its URL comes from --api-url, $IMAGEGEN_API_URL, or the ApiUrl output "
        "of the CloudFormation stack.",
    )
    operations = api.add_subparsers(dest="operation", required=True, metavar="OPERATION")
    where = argparse.ArgumentParser(add_help=False, parents=[parents.output, parents.aws])
    where.add_argument(
        "--api-url", help="the API's base URL, ending in /prd/ (default: $IMAGEGEN_API_URL or the stack's)"
    )
    where.add_argument(
        "--stack-name",
        default="BedrockImageGenEval",
        help="the stack whose ApiUrl output to use (default: %(default)s)",
    )
    where.add_argument("--api-key", help="send this API key instead of signing (default: $IMAGEGEN_API_KEY)")

    def operation(name: str, help: str, description: str) -> argparse.ArgumentParser:
        return operations.add_parser(name, parents=[where], help=help, description=description)

    gen = operation("generate", "POST /generate-image", "Generate an image through the deployed API.")
    gen.add_argument("prompt", help="what the image should show")
    add_fields(gen, fields.GENERATE)
    ev = operation("evaluate", "POST /evaluate-image", "Judge a stored image again through the deployed API.")
    ev.add_argument("image_id", help="the image's id")
    add_fields(ev, fields.EVALUATE)
    mod = operation("modify", "POST /modify-image", "Modify a stored image through the deployed API.")
    mod.add_argument("image_id", help="the image's id")
    mod.add_argument(
        "prompt", nargs="?", help="the change (not needed for erase, remove-background, upscale, style-transfer)"
    )
    add_fields(mod, fields.MODIFY, defaults=MODIFY_DEFAULTS)
    masks.add_option(mod)
    get = operation(
        "get",
        "GET /images/{id}",
        "Show an image's metadata, fresh URLs, verdict and a page of its edits (--cursor shows the next one).",
    )
    get.add_argument("image_id", help="the image's id")
    get.add_argument(
        "--edits-limit",
        type=int,
        metavar="N",
        help=f"edits on the page, 1 to {pages.MAX_LIMIT} (default: {pages.DEFAULT_LIMIT})",
    )
    get.add_argument("--cursor", metavar="C", help="the page of edits that starts here: an answer's next_cursor")
    api_refine.add_parsers(operation)
    api.set_defaults(run=run)


def request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    """The method, path and body of an operation."""
    method, path, spec = OPERATIONS[args.operation]
    if "image_id" in args:  # never sign and send a path of the caller's making
        path = path.format(image_id=checked_image_id(args.image_id))
    if spec is None:
        return method, path + _query(args), None
    body = body_from(args, spec)
    if args.operation in KEYED:  # sent again, the request finds what it paid for: never twice
        body.setdefault("client_token", str(uuid.uuid4()))
    request_model.check(body, spec)
    return method, path, body


def _query(args: argparse.Namespace) -> str:
    """The query string of an operation without a body: get's page of edits, checked before sending."""
    query = {}
    if getattr(args, "edits_limit", None) is not None:
        query["limit"] = str(pages.checked_limit(args.edits_limit, "--edits-limit"))
    if getattr(args, "cursor", None) is not None:
        pages.name_after(args.cursor, "--cursor")
        query["cursor"] = args.cursor
    return "?" + urllib.parse.urlencode(query) if query else ""


def run(ctx: Context) -> int:
    args = ctx.args
    if args.operation in api_refine.OPERATIONS:  # a job: started, then watched
        return api_refine.run(ctx)
    method, path, body = request_for(args)
    session = session_from(args)
    base = api_http.api_url(args, ctx.env, session)
    if args.operation == "modify" and body is not None:  # a mask is made or checked for the source's size
        masks.fill_mask(body, args, lambda: source_size(base, body["image_id"], session, args, ctx.env))
    with terminal(ctx.err).waiting(f"waiting for the API ({args.operation})"):
        status, answer = api_http.send(method, base + path, body, session, args, ctx.env)
    if status != 200:
        raise api_http.error_of(answer, status)
    if not isinstance(answer, dict):
        raise api_http.ApiError(
            "unexpected_answer", f"the API answered {status} with something that is not a JSON object", 502
        )
    ctx.emit(
        api_answer(args.operation, answer), {"command": f"api {args.operation}", "status": status, "answer": answer}
    )
    return 0


def source_size(base: str, image_id: str, session: Any, args: argparse.Namespace, env: dict[str, str]) -> masks.Size:
    """A stored image's width and height, as GET /images/{id} tells them."""
    url = f"{base}images/{checked_image_id(image_id)}?limit=1"  # the size is in meta; edits are not needed
    status, answer = api_http.send("GET", url, None, session, args, env)
    if status != 200:
        raise api_http.error_of(answer, status)
    try:
        facts = answer["meta"]["image"]
        return int(facts["width"]), int(facts["height"])
    except (KeyError, TypeError, ValueError):
        raise api_http.ApiError("unexpected_answer", "the API's answer for the image has no size", 502) from None
