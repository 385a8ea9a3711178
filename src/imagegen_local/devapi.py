"""The API on this machine: the routes of the deployed BedrockImageGenEval API (stage prd),
served by feeding the real Lambda handlers API Gateway REST proxy events.

Deferred evaluations, which the deployed generate function hands to the evaluate function as
an asynchronous invocation, run here in a background thread through the same handler; so do
refine jobs' workers, at most `refine_workers` at once (the deployed worker's reserved
concurrency): a job started past that waits for a thread, as Lambda holds an event back.
With a batch queue configured (IMAGEGEN_BATCH_QUEUE_URL), `batches.DEFAULT_CONCURRENCY` pollers feed
the batch worker as its event source mapping does (sqs_poller).

Given the gallery page's folder (`page`), it serves the page beside the stage, at its root (the
deployed stack serves it from CloudFront), with an offline config.json (site.py).
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

from imagegen import batches as batch_limits
from imagegen import jobs
from imagegen.handlers import batches, evaluate, generate, modify, refine
from imagegen.handlers.routes import GATEWAY_ERRORS, ROUTES, STAGE
from imagegen.runtime import Runtime, cached
from jsonschema import Draft4Validator

from .loopback import HOST, LoopbackServer
from .site import Site, offline_config

INTEGRATION_TIMEOUT_SECONDS = 29.0  # API Gateway REST's default integration timeout
PREFLIGHT_HEADERS = "Content-Type,X-Amz-Date,Authorization,X-Api-Key,X-Amz-Security-Token"
# function -> (handler module, its Lambda timeout in seconds), as the stack deploys them
FUNCTIONS = {
    "generate": (generate, 29),
    "evaluate": (evaluate, 60),
    "modify": (modify, 29),
    "refine": (refine, 29),
    "batches": (batches, 29),
}
WORKER_TIMEOUT_SECONDS = jobs.WORKER_SECONDS  # the refine worker's, as the stack deploys it
RETRY_PAUSE_SECONDS = 1.0  # before running a failed worker invocation again (Lambda waits minutes)


class LambdaContext:
    """What a handler reads of Lambda's context: the time left and the request id."""

    def __init__(self, timeout_seconds: float, request_id: str | None = None) -> None:
        self._ends = time.monotonic() + timeout_seconds
        self.aws_request_id = request_id or str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends - time.monotonic()) * 1000))


class _Handler(BaseHTTPRequestHandler):
    owner: DevApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are sent apart: no wait for a delayed ACK between

    def _answer(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, headers, payload = self.owner.serve(self.command, self.path, dict(self.headers.items()), body)
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(payload))}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    # every method reaches serve(), which refuses what API Gateway would (http.server's naming)
    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass


class DevApi(LoopbackServer):
    handler = _Handler
    thread_name = "dev-api"
    path = f"/{STAGE}/"

    def __init__(
        self,
        runtime: Callable[[], Runtime] | None = None,
        port: int = 0,
        log_stream: TextIO | None = None,
        integration_timeout: float = INTEGRATION_TIMEOUT_SECONDS,
        refine_workers: int = jobs.DEFAULT_CONCURRENCY,
        page: Path | None = None,
    ) -> None:
        """With no `runtime`, the handlers build theirs from the environment, as in Lambda;
        their JSON logs go to `log_stream` (default: stdout, as in Lambda). A handler still
        running after `integration_timeout` seconds gets API Gateway's 504, as deployed."""
        self.integration_timeout = integration_timeout
        factory = runtime or cached(
            lambda: Runtime.from_env(
                os.environ,
                schedule_evaluation=self._in_background,
                start_refine=self._start_refine,
                log_stream=log_stream,
            )
        )
        handlers = {name: (module.make_handler(factory), timeout) for name, (module, timeout) in FUNCTIONS.items()}
        self.routes = [
            (
                route,
                re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", route.resource) + "$"),
                *handlers[route.function],
            )
            for route in ROUTES
        ]
        self._evaluate = handlers["evaluate"][0]
        self._refine_worker = refine.make_worker(factory)
        self._refine_slots = threading.BoundedSemaphore(refine_workers)
        self.background: list[threading.Thread] = []
        self.received: list[tuple[str, str, dict[str, str]]] = []  # method, path, headers: what callers sent
        self.batch_poller = _batch_poller(factory)
        super().__init__(port)
        self.site = Site(page, offline_config(self.path)) if page is not None else None

    @property
    def page_url(self) -> str | None:
        """Where the gallery page is served, if it is."""
        return f"http://{HOST}:{self.port}/" if self.site is not None else None

    def stop(self) -> None:
        """Waits for the functions still running (deferred evaluations, timed-out requests) first."""
        for thread in self.background:
            thread.join(timeout=60)
        if self.batch_poller is not None:
            self.batch_poller.stop()
        super().stop()

    def _in_background(self, image_id: str, judge_model: str) -> None:
        """What the deployed stack does with an Event invocation of the evaluate function."""
        event = {"image_id": image_id, "judge_model": judge_model}
        thread = threading.Thread(target=self._evaluate, args=(event, LambdaContext(60)), name=f"evaluate-{image_id}")
        self.background.append(thread)
        thread.start()

    def _start_refine(self, job_id: str) -> None:
        """What the deployed stack does with an Event invocation of the refine worker: run it,
        once one of the `refine_workers` slots is free, and run an invocation that fails again,
        as Lambda does (jobs.WORKER_RETRIES times, with the same request id; here after a second,
        not Lambda's minutes). The job keeps what its rounds recorded, so a retry resumes it."""

        def run() -> None:
            context = LambdaContext(WORKER_TIMEOUT_SECONDS)
            for attempt in range(1 + jobs.WORKER_RETRIES):
                if attempt:
                    time.sleep(RETRY_PAUSE_SECONDS)
                    context = LambdaContext(WORKER_TIMEOUT_SECONDS, context.aws_request_id)
                try:
                    with self._refine_slots:
                        self._refine_worker({"job_id": job_id}, context)
                    return
                except Exception:  # Lambda logs the failed invocation (the worker's own log has it)
                    continue

        thread = threading.Thread(target=run, name=f"refine-{job_id}", daemon=True)
        self.background.append(thread)
        thread.start()

    def serve(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """What API Gateway does before and around the function: route, CORS preflight, the
        body's JSON schema model, and its own refusals in the handlers' error shape."""
        self.received.append((method, raw_path, headers))
        parts = urlsplit(raw_path)
        prefix = f"/{STAGE}"
        if self.site is not None and method == "GET" and not parts.path.startswith(prefix + "/"):
            return self.site.answer(parts.path)
        path = parts.path[len(prefix) :] if parts.path.startswith(prefix + "/") else ""
        matches = [
            (route, match, handler, timeout)
            for route, pattern, handler, timeout in self.routes
            if (match := pattern.match(path))
        ]
        cors = os.environ.get("IMAGEGEN_CORS_ORIGIN")
        if method == "OPTIONS" and matches and cors:
            allowed = ",".join(sorted({route.method for route, *_ in matches} | {"OPTIONS"}))
            return (
                204,
                {
                    "Access-Control-Allow-Origin": cors,
                    "Access-Control-Allow-Methods": allowed,
                    "Access-Control-Allow-Headers": PREFLIGHT_HEADERS,
                },
                b"",
            )
        for route, match, handler, timeout in matches:
            if route.method != method:
                continue
            if route.schema is not None and not _valid_body(route.schema, body):
                return _gateway_error("BAD_REQUEST_BODY", "Invalid request body", cors, status="400")
            event = _event(method, route.resource, path, match.groupdict() or None, headers, body, parts.query)
            response = self._integrate(handler, event, LambdaContext(timeout))
            if response is None:  # the stack's INTEGRATION_TIMEOUT gateway response, in the handlers' shape
                return _gateway_error("INTEGRATION_TIMEOUT", "Endpoint request timed out", cors, status="504")
            return response["statusCode"], response.get("headers") or {}, response.get("body", "").encode()
        return _gateway_error(
            "DEFAULT_4XX", "Missing Authentication Token", cors, status="403"
        )  # what IAM-authorized APIs answer

    def _integrate(
        self, handler: Callable[..., dict[str, Any]], event: dict[str, Any], context: LambdaContext
    ) -> dict[str, Any] | None:
        """The Lambda proxy integration: the handler's answer, or None once API Gateway stops waiting.
        As in Lambda, the function itself runs on to its end (stop() waits for it)."""
        outcome: dict[str, Any] = {}

        def invoke() -> None:
            try:
                outcome["response"] = handler(event, context)
            except BaseException as exc:  # handed to the request thread, as before
                outcome["error"] = exc

        worker = threading.Thread(target=invoke, name=f"lambda-{context.aws_request_id}", daemon=True)
        worker.start()
        worker.join(self.integration_timeout)
        if worker.is_alive():
            self.background.append(worker)
            return None
        if "error" in outcome:
            raise outcome["error"]
        return outcome["response"]


def _batch_poller(factory: Callable[[], Runtime]) -> Any:
    """The batch worker's event source mapping, when a batch queue is configured; a throttled item
    comes back after at most RETRY_PAUSE_SECONDS here (minutes when deployed)."""
    queue_url = os.environ.get("IMAGEGEN_BATCH_QUEUE_URL")
    if not queue_url:
        return None
    import boto3

    from .sqs_poller import EventSourceMapping

    sqs = boto3.client("sqs", region_name=os.environ.get("AWS_REGION"))
    worker = batches.make_worker(factory, longest_wait=round(RETRY_PAUSE_SECONDS))
    return EventSourceMapping(sqs, queue_url, worker).start(batch_limits.DEFAULT_CONCURRENCY)


def _valid_body(schema: dict[str, Any], body: bytes) -> bool:
    try:
        document = json.loads(body or b"null")
    except ValueError:
        return False
    return Draft4Validator(schema).is_valid(document)


def _gateway_error(kind: str, message: str, cors: str | None, status: str) -> tuple[int, dict[str, str], bytes]:
    code = GATEWAY_ERRORS[kind][1]
    headers = {"Content-Type": "application/json", **({"Access-Control-Allow-Origin": cors} if cors else {})}
    return int(status), headers, json.dumps({"error": {"code": code, "message": message}}).encode()


def _event(
    method: str,
    resource: str,
    path: str,
    path_parameters: dict[str, str] | None,
    headers: dict[str, str],
    body: bytes,
    query: str,
) -> dict[str, Any]:
    values = parse_qs(query, keep_blank_values=True)  # API Gateway passes ?cursor= as ""
    params = {k: v[-1] for k, v in values.items()} or None
    return {
        "resource": resource,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": params,
        "multiValueQueryStringParameters": values or None,
        "pathParameters": path_parameters,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/{STAGE}{path}",
            "stage": STAGE,
            "requestId": str(uuid.uuid4()),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": body.decode("utf-8", errors="replace") if body else None,
        "isBase64Encoded": False,
    }
