"""`imagegen api ...`: the same operations against a deployed BedrockImageGenEval API, signed
with SigV4 (IAM authorization, the default) or sent with an API key."""

from __future__ import annotations

import argparse
import json
import re
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from imagegen.config import MODIFY_MODES
from imagegen.errors import ConfigurationError, CredentialsMissing, ImageGenError
from imagegen.ids import checked_image_id
from imagegen.models.registry import all_models

if TYPE_CHECKING:
    from .cli import Context

_REGION_IN_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")
# An error answer exits by its code (error.code, as the same error would locally: see cli.exit_code);
# these HTTP statuses -> exit codes are for an answer without a code the CLI knows, such as API
# Gateway's own {"message": ...} (a missing key or signature 403, throttling 429, a 504 timeout).
# 503 is shared by retryable and final errors, so a 503 without a known code is "the service failed".
STATUS_EXIT = {400: 2, 401: 6, 403: 6, 404: 2, 413: 2, 422: 3, 429: 4, 500: 1, 502: 8, 503: 8, 504: 8}


def limit_choices(limit: str) -> list[str]:
    """Every value some registry model takes for a limit such as "qualities", in catalog order."""
    return list(dict.fromkeys(value for model in all_models() for value in model.limits.get(limit, ())))


def add_parser(commands: Any, parents: list[argparse.ArgumentParser]) -> None:
    api = commands.add_parser(
        "api",
        help="the same operations against a deployed API",
        description="Call a deployed BedrockImageGenEval API, signed with SigV4 (or with an API "
        "key). Its URL comes from --api-url, $IMAGEGEN_API_URL, or the ApiUrl output "
        "of the CloudFormation stack.",
    )
    operations = api.add_subparsers(dest="operation", required=True, metavar="OPERATION")
    where = argparse.ArgumentParser(add_help=False, parents=parents)
    where.add_argument(
        "--api-url", help="the API's base URL, ending in /prd/ (default: $IMAGEGEN_API_URL or the stack's)"
    )
    where.add_argument(
        "--stack-name",
        default="BedrockImageGenEval",
        help="the stack whose ApiUrl output to use (default: %(default)s)",
    )
    where.add_argument("--api-key", help="send this API key instead of signing (default: $IMAGEGEN_API_KEY)")

    gen = operations.add_parser(
        "generate",
        parents=[where],
        help="POST /generate-image",
        description="Generate an image through the deployed API and print its URL and verdict.",
    )
    gen.add_argument("prompt", help="what the image should show")
    gen.add_argument("--model", help="a generation model the deployment allows")
    gen.add_argument("--size", help="WIDTHxHEIGHT, such as 1024x1024")
    gen.add_argument("--aspect-ratio", help="W:H, such as 16:9")
    gen.add_argument("--seed", type=int, help="seed (default: one the API chooses and reports)")
    gen.add_argument("--count", type=int, help="how many images (Titan, Canvas)")
    gen.add_argument("--negative-prompt", help="what the image should not show")
    gen.add_argument(
        "--quality", type=str.lower, choices=limit_choices("qualities"), help="image quality (Titan, Canvas)"
    )
    gen.add_argument("--judge-model", help="a judge model the deployment allows")
    gen.add_argument("--no-evaluate", action="store_true", help="skip the judge")

    ev = operations.add_parser(
        "evaluate",
        parents=[where],
        help="POST /evaluate-image",
        description="Judge a stored image again through the deployed API.",
    )
    ev.add_argument("image_id", help="the image's id")
    ev.add_argument("--judge-model", help="a judge model the deployment allows")

    mod = operations.add_parser(
        "modify",
        parents=[where],
        help="POST /modify-image",
        description="Modify a stored image through the deployed API.",
    )
    mod.add_argument("image_id", help="the image's id")
    mod.add_argument("prompt", nargs="?", help="the change (not needed for erase, remove-background, upscale)")
    mod.add_argument("--mode", choices=MODIFY_MODES, default="variation", help="what to do (default: %(default)s)")
    mod.add_argument("--model", help="a model the deployment allows for this mode")
    mod.add_argument("--mask-prompt", help="what to change (replace, recolor, inpaint, erase)")
    mod.add_argument("--strength", type=float, help="how far from the source, 0 (keep) to 1 (ignore it)")
    mod.add_argument("--seed", type=int, help="seed")
    mod.add_argument("--evaluate", action="store_true", help="judge the edit too")

    get = operations.add_parser(
        "get",
        parents=[where],
        help="GET /images/{id}",
        description="Show an image's metadata, fresh URLs, verdict and edits.",
    )
    get.add_argument("image_id", help="the image's id")


def run(ctx: Context, env: dict[str, str]) -> int:
    args = ctx.args
    session = boto3.Session(profile_name=args.aws_profile) if args.aws_profile else boto3.Session()
    base = api_url(args, env, session)
    method, path, body = request_for(args)
    status, answer = send(method, base + path, body, session, args, env)
    if status != 200:
        code, message = _error_of(answer, status)
        raise ApiError(code, message, STATUS_EXIT.get(status, 1))
    if not isinstance(answer, dict):
        raise ApiError("unexpected_answer", f"the API answered {status} with something that is not a JSON object", 8)
    evaluation = answer.get("evaluation") or {}
    human = [f"{args.operation}: {answer.get('image_id')}"]
    if answer.get("url"):
        human.append(f"  url     {answer['url']}")
    if evaluation.get("status") == "done":
        human.append(f"  score   {evaluation['score']}/10 ({evaluation['judge_model']}): {evaluation['reason']}")
        human.append(f"  better  {evaluation['suggestions']}")
    elif evaluation:
        human.append(f"  verdict {evaluation.get('status')}")
    ctx.emit("\n".join(human), {"command": f"api {args.operation}", "status": status, "answer": answer})
    return 0


def _error_of(answer: Any, status: int) -> tuple[str, str]:
    """The code and message of an API error, whatever shape the body has."""
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error.get("code") or "http_error"), error["message"]
    message = answer.get("message") if isinstance(answer, dict) else None
    return "http_error", message if isinstance(message, str) and message else f"the API answered HTTP {status}"


def request_for(args: argparse.Namespace) -> tuple[str, str, dict[str, Any] | None]:
    if getattr(args, "image_id", None) is not None:
        checked_image_id(args.image_id)  # never sign and send a path of the caller's making

    def pick(*names: str) -> dict[str, Any]:
        return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}

    if args.operation == "generate":
        body = {
            "prompt": args.prompt,
            **pick("model", "size", "aspect_ratio", "seed", "count", "negative_prompt", "quality", "judge_model"),
        }
        if args.no_evaluate:
            body["evaluate"] = False
        return "POST", "generate-image", body
    if args.operation == "evaluate":
        return "POST", "evaluate-image", {"image_id": args.image_id, **pick("judge_model")}
    if args.operation == "modify":
        body = {
            "image_id": args.image_id,
            "mode": args.mode,
            **pick("prompt", "model", "mask_prompt", "strength", "seed"),
        }
        if args.evaluate:
            body["evaluate"] = True
        return "POST", "modify-image", body
    return "GET", f"images/{args.image_id}", None


def api_url(args: argparse.Namespace, env: dict[str, str], session: Any) -> str:
    url = args.api_url or env.get("IMAGEGEN_API_URL")
    if not url:
        region = args.region or env.get("AWS_REGION") or session.region_name
        try:
            stacks = session.client("cloudformation", region_name=region).describe_stacks(StackName=args.stack_name)
        except ClientError as exc:  # no such stack, no permission: say what to pass instead
            reason = exc.response.get("Error", {}).get("Message") or str(exc)
            raise ConfigurationError(
                f"no API URL: pass --api-url or set IMAGEGEN_API_URL (stack {args.stack_name} in {region}: {reason})"
            ) from None
        except NoCredentialsError:
            raise CredentialsMissing(
                f"no AWS credentials to read stack {args.stack_name}: pass --api-url or set IMAGEGEN_API_URL, "
                "and configure credentials to sign the request"
            ) from None
        except BotoCoreError as exc:  # no region, no endpoint
            raise ConfigurationError(
                f"no API URL: pass --api-url or set IMAGEGEN_API_URL (reading stack {args.stack_name} failed: {exc})"
            ) from None
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks["Stacks"][0].get("Outputs", [])}
        url = outputs.get("ApiUrl")
        if not url:
            raise ConfigurationError(f"stack {args.stack_name} has no ApiUrl output")
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigurationError(f"the API URL must start with https:// (or http:// for a local server), not {url!r}")
    return url if url.endswith("/") else url + "/"


def send(
    method: str, url: str, body: dict[str, Any] | None, session: Any, args: argparse.Namespace, env: dict[str, str]
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"}
    api_key = args.api_key or env.get("IMAGEGEN_API_KEY")
    if api_key:
        headers["x-api-key"] = api_key
    else:
        credentials = session.get_credentials()
        if credentials is None:
            raise CredentialsMissing("no AWS credentials to sign the request: set AWS_PROFILE or configure credentials")
        region = _region_of(url) or args.region or env.get("AWS_REGION") or session.region_name or "us-east-1"
        signed = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            try:
                return response.status, json.load(response)
            except ValueError:
                return response.status, None
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.load(exc)
        except ValueError:
            return exc.code, {}
    except urllib.error.URLError as exc:
        raise ConfigurationError(f"cannot reach {url}: {exc.reason}") from None


def _region_of(url: str) -> str | None:
    match = _REGION_IN_HOST.search(url)
    return match.group(1) if match else None


class ApiError(ImageGenError):
    """An error the API answered, carried to the CLI's one-line report and exit code: the code's
    (cli.exit_code), or `status_exit` for a code the CLI does not know."""

    def __init__(self, code: str, message: str, status_exit: int) -> None:
        super().__init__(message)
        self.code = code  # type: ignore[misc]
        self.status_exit = status_exit
