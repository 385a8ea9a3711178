"""Calls to a deployed BedrockImageGenEval API: where it is, and a request signed with SigV4
(IAM authorization, the default) or sent with an API key."""

from __future__ import annotations

import argparse
import json
import re
import urllib.error
import urllib.request
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError
from imagegen import errors
from imagegen.errors import ConfigurationError, CredentialsMissing, ImageGenError

from .exits import STATUS_EXIT

_REGION_IN_HOST = re.compile(r"\.execute-api\.([a-z0-9-]+)\.amazonaws\.com")


class ApiError(ImageGenError):
    """An error the API answered, carried to the command's one-line report. It exits as the error
    its code names does here, else by its HTTP `status` (an answer of API Gateway's own)."""

    def __init__(self, code: str, message: str, status: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, **(details or {}))
        self.code = code  # type: ignore[misc]  # an instance's code: the one the API answered
        self.status = status
        kind = errors.by_code(code)
        self.exit_code = kind.exit_code if kind else STATUS_EXIT.get(status, 1)


def api_url(args: argparse.Namespace, env: dict[str, str], session: Any) -> str:
    """--api-url, $IMAGEGEN_API_URL, else the ApiUrl output of the stack --stack-name."""
    url = args.api_url or env.get("IMAGEGEN_API_URL")
    if not url:
        url = _stack_url(args, env, session)
    if not re.match(r"^https?://[^/\s]+", url):
        raise ConfigurationError(f"the API URL must start with https:// (or http:// for a local server), not {url!r}")
    return url if url.endswith("/") else url + "/"


def _stack_url(args: argparse.Namespace, env: dict[str, str], session: Any) -> str:
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
    return str(url)


def send(
    method: str, url: str, body: dict[str, Any] | None, session: Any, args: argparse.Namespace, env: dict[str, str]
) -> tuple[int, Any]:
    """(status, the answer's JSON, or None when it is not JSON), signed unless an API key is given."""
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
        from botocore.auth import SigV4Auth  # with the SDK's HTTP stack: loaded where a request is signed
        from botocore.awsrequest import AWSRequest

        signed = AWSRequest(method=method, url=url, data=data, headers=headers)
        SigV4Auth(credentials.get_frozen_credentials(), "execute-api", region).add_auth(signed)
        headers = dict(signed.headers.items())
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, _json(response)
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc)
    except urllib.error.URLError as exc:
        raise ConfigurationError(f"cannot reach {url}: {exc.reason}") from None


def error_of(answer: Any, status: int) -> ApiError:
    """The API's error, whatever shape its body has."""
    error = answer.get("error") if isinstance(answer, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        details = {key: value for key, value in error.items() if key not in ("code", "message")}
        return ApiError(str(error.get("code") or "http_error"), error["message"], status, details)
    message = answer.get("message") if isinstance(answer, dict) else None
    text = message if isinstance(message, str) and message else f"the API answered HTTP {status}"
    return ApiError("http_error", text, status)


def _json(response: Any) -> Any:
    try:
        return json.load(response)
    except ValueError:
        return None


def _region_of(url: str) -> str | None:
    match = _REGION_IN_HOST.search(url)
    return match.group(1) if match else None
