"""API Gateway REST proxy events in, proxy responses out: the only module that knows HTTP.

Every error leaves as JSON {"error": {"code", "message", ...}} with the status its class
carries; an unexpected exception is a 500 that names the request id and nothing else.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..clock import Clock, Deadline
from ..errors import ImageGenError, InvalidRequest, NoSuchRoute
from ..log import Logger, crash_fields, error_fields
from ..runtime import Runtime
from .routes import Route as RouteSpec

API_TIMEOUT_SECONDS = 29.0  # API Gateway's REST integration limit
SAFETY_SECONDS = 2.0  # kept back to answer after the last step


@dataclass(frozen=True)
class ApiRequest:
    path_parameters: Mapping[str, str]
    body: dict[str, Any]
    request_id: str
    deadline: Deadline
    query: Mapping[str, Any] = field(default_factory=dict)  # queryStringParameters: the last value of each
    headers: Mapping[str, str] = field(default_factory=dict)  # as API Gateway passes them (any case)


Route = Callable[[Runtime, ApiRequest], tuple[int, dict[str, Any]]]
Routes = Mapping[tuple[str, str], Route]


def serve(event: Any, context: Any, routes: Routes, runtime: Callable[[], Runtime]) -> dict[str, Any]:
    request_id = _request_id(event, context)
    try:
        rt = runtime()
    except ImageGenError as exc:
        Logger(service="imagegen", request_id=request_id).error(
            "configuration", **error_fields(exc), message=exc.message
        )
        return respond(exc.http_status, {"error": exc.to_dict()}, request_id)
    log = rt.log.bind(request_id=request_id)
    cors = rt.settings.cors_origin
    method, resource = str(event.get("httpMethod", "")), str(event.get("resource", ""))
    try:
        route = routes.get((method, resource))
        if route is None:
            raise NoSuchRoute(f"{method} {resource} is not a route of this function", method=method, resource=resource)
        received_ms = (event.get("requestContext") or {}).get("requestTimeEpoch")
        request = ApiRequest(
            path_parameters=event.get("pathParameters") or {},
            body=parse_body(event),
            request_id=request_id,
            headers=_mapping(event.get("headers")),
            deadline=deadline_for(
                context,
                rt.pipeline.clock,
                api=True,
                elapsed_seconds=_since(received_ms, rt.pipeline.now().timestamp()),
            ),
            query=_mapping(event.get("queryStringParameters")),
        )
        log.info("request", method=method, resource=resource)
        status, payload = route(_with_log(rt, log), request)
        log.info("response", status=status)
        return respond(status, payload, request_id, cors_origin=cors)
    except ImageGenError as exc:
        log.warning("request_failed", **error_fields(exc))
        return respond(
            exc.http_status, {"error": exc.to_dict()}, request_id, retry_after=exc.retryable, cors_origin=cors
        )
    except Exception as exc:
        log.error("request_crashed", **crash_fields(exc))
        message = f"internal error; quote request id {request_id} when reporting it"
        return respond(500, {"error": {"code": "internal_error", "message": message}}, request_id, cors_origin=cors)


def bind(table: Sequence[RouteSpec], functions: Mapping[str, Route]) -> dict[tuple[str, str], Route]:
    """This function's routes from the route table, each with the code that serves it."""
    if {r.resource for r in table} != set(functions):
        raise ValueError(f"routes {sorted(r.resource for r in table)} need code; got {sorted(functions)}")
    return {(r.method, r.resource): functions[r.resource] for r in table}


def handler_for(routes: Routes, runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    """A Lambda handler serving `routes` with the runtime `runtime()` returns."""
    return lambda event, context: serve(event, context, routes, runtime)


def parse_body(event: Mapping[str, Any]) -> dict[str, Any]:
    raw = event.get("body")
    if raw in (None, ""):
        return {}
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError, TypeError) as exc:  # TypeError: a body that is not text
            raise InvalidRequest("the request body is not valid base64 UTF-8 text") from exc
    try:
        body = json.loads(raw, parse_constant=_no_constant, parse_float=_finite)
    except (ValueError, RecursionError, TypeError) as exc:
        raise InvalidRequest(f"the request body is not valid JSON ({_reason(exc)})") from exc
    if not isinstance(body, dict):
        raise InvalidRequest("the request body must be a JSON object")
    return body


def respond(
    status: int, payload: dict[str, Any], request_id: str, *, retry_after: bool = False, cors_origin: str | None = None
) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", "X-Request-Id": request_id}
    if cors_origin:
        headers["Access-Control-Allow-Origin"] = cors_origin
    if retry_after:
        headers["Retry-After"] = "5"
    return {"statusCode": status, "headers": headers, "body": json.dumps(payload), "isBase64Encoded": False}


def deadline_for(context: Any, clock: Clock, *, api: bool, elapsed_seconds: float = 0.0) -> Deadline:
    """The time this invocation may use: what Lambda leaves, capped for API requests by API
    Gateway's limit less the time since API Gateway received the request (a cold start
    counts), and less a margin to answer in."""
    remaining = context.get_remaining_time_in_millis() / 1000 if context is not None else 900.0
    if api:
        remaining = min(remaining, API_TIMEOUT_SECONDS - elapsed_seconds)
    return Deadline.after(clock, max(0.0, remaining - SAFETY_SECONDS))


def _since(received_ms: Any, now_seconds: float) -> float:
    """Seconds since API Gateway received the request (requestContext.requestTimeEpoch)."""
    if isinstance(received_ms, (int, float)) and not isinstance(received_ms, bool):
        return max(0.0, now_seconds - received_ms / 1000)
    return 0.0


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:20]} is too large")
    return value


def _reason(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return str(exc).split(":")[0][:80]


def _request_id(event: Any, context: Any) -> str:
    if isinstance(event, Mapping):
        from_api = (event.get("requestContext") or {}).get("requestId")
        if from_api:
            return str(from_api)
    return str(getattr(context, "aws_request_id", "local"))


def _with_log(rt: Runtime, log: Any) -> Runtime:
    """The runtime with a pipeline whose logs carry this request's id."""
    return Runtime(rt.settings, rt.pipeline.with_log(log), log)
