"""The emulator's HTTP server: the bedrock-runtime wire protocol that boto3 speaks.

    POST /model/{modelId}/invoke     InvokeModel: the request body as sent, the answer as the model's JSON
    POST /model/{modelId}/converse   Converse: restJson, image bytes base64-encoded
    GET  /_emulator/health           liveness
    GET  /_emulator/calls            what was called, with the outcome (for tests)
    POST /_emulator/faults           change the fault settings (JSON object of Faults fields)
    GET  /foundation-models, /inference-profiles, /foundation-model-availability/{modelId}
                                     the control plane (service bedrock), as control.py answers it

The region is read from the request's SigV4 credential scope, as Bedrock's regional endpoint
knows its own. Point a client at it with AWS_ENDPOINT_URL_BEDROCK_RUNTIME=http://127.0.0.1:PORT, and
the control plane's with AWS_ENDPOINT_URL_BEDROCK (the same URL).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import json
import random
import re
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import unquote

from imagegen.errors import ImageGenError
from imagegen.models.registry import ModelRecord, resolve

from ..loopback import LoopbackServer
from . import art, control, errors, judging, shapes, verdicts
from .errors import BedrockError

MAX_BODY_BYTES = 25_000_000  # InvokeModel's documented limit
_ROUTE = re.compile(r"^/model/(?P<model>[^/]+)/(?P<operation>invoke|converse)$")
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/(?P<region>[a-z0-9-]+)/bedrock/aws4_request")


@dataclasses.dataclass
class Faults:
    """What can go wrong, on purpose. Changeable while the server runs (POST /_emulator/faults)."""

    latency_seconds: float = 0.0
    throttle_rate: float = 0.0  # the share of model calls answered ThrottlingException
    deny_models: list[str] = dataclasses.field(default_factory=list)  # AccessDeniedException for these ids
    # the control plane's drift: these answer LEGACY; these are not listed (and invalid to call); these profiles
    legacy_models: list[str] = dataclasses.field(default_factory=list)
    unlisted_models: list[str] = dataclasses.field(default_factory=list)
    unlisted_profiles: list[str] = dataclasses.field(default_factory=list)
    prompt_filter_word: str = "[blocked]"  # a prompt holding it is refused by the input filter
    output_filter_word: str = "[withheld]"  # a prompt holding it gets its output filtered
    judge_filter_word: str = "[unjudgeable]"  # the judge answers stopReason content_filtered
    judge_text_answers: bool = False  # the judge answers in text instead of calling the tool
    serve_retired: bool = False  # an account that still has access to models past end of life
    today: str | None = None  # ISO date for lifecycle decisions; default: the real date
    seed: int = 0  # the throttling dice


class _Handler(BaseHTTPRequestHandler):
    owner: Emulator
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY: http.server sends the headers and the body apart, and with Nagle's algorithm the
    # body waits for a keep-alive client's delayed ACK of the headers (about 40 ms an answer)
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/_emulator/faults":
            try:
                self.owner.configure(**json.loads(body or b"{}"))
            except (TypeError, ValueError) as exc:
                return self._send(400, {"Content-Type": "application/json"}, json.dumps({"message": str(exc)}).encode())
            return self._send(
                200, {"Content-Type": "application/json"}, json.dumps(dataclasses.asdict(self.owner.faults)).encode()
            )
        match = _ROUTE.match(self.path.split("?", 1)[0])
        if not match:
            return self._send(
                404, {"Content-Type": "application/json", "x-amzn-ErrorType": "UnknownOperationException"}, b"{}"
            )
        scope = _SCOPE.search(self.headers.get("Authorization", ""))
        region = scope.group("region") if scope else "us-west-2"
        self._send(*self.owner.handle(unquote(match.group("model")), match.group("operation"), body, region))

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/_emulator/health":
            return self._send(200, {"Content-Type": "application/json"}, b'{"status": "ok"}')
        if self.path == "/_emulator/calls":
            return self._send(200, {"Content-Type": "application/json"}, json.dumps(self.owner.calls).encode())
        if control.handles(self.path):
            scope = _SCOPE.search(self.headers.get("Authorization", ""))
            return self._send(*self.owner.control_plane(self.path, scope.group("region") if scope else "us-west-2"))
        self._send(404, {"Content-Type": "application/json"}, b"{}")

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in {**headers, "Content-Length": str(len(body)), "x-amzn-RequestId": "emulated"}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: calls are kept in Emulator.calls
        pass


class Emulator(LoopbackServer):
    handler = _Handler
    thread_name = "bedrock-emulator"

    def __init__(self, faults: Faults | None = None, port: int = 0) -> None:
        self.faults = faults or Faults()
        self.calls: list[dict[str, Any]] = []
        self._dice = random.Random(self.faults.seed)
        self._lock = threading.Lock()
        super().__init__(port)

    def configure(self, **changes: Any) -> None:
        """Change faults; a value of the wrong kind is refused (ValueError), never stored."""
        faults = dataclasses.replace(self.faults, **changes)
        _check_faults(faults)
        with self._lock:
            self.faults = faults
            self._dice = random.Random(self.faults.seed)

    def control_plane(self, path: str, region: str) -> tuple[int, dict[str, str], bytes]:
        """A control-plane call (control.py), recorded in `calls` as the runtime's are."""
        faults = self.faults
        drift = control.Drift(
            today=date.fromisoformat(faults.today) if faults.today else date.today(),
            **{name: frozenset(getattr(faults, name)) for name in _DRIFT_LISTS},
        )
        record: dict[str, Any] = {"operation": control.operation(path), "region": region}
        try:
            payload = control.answer(path, region, drift)
            record.update(status=200)
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        except BedrockError as exc:
            return self._error(record, exc)
        finally:
            with self._lock:
                self.calls.append(record)

    # --- one call ----------------------------------------------------------------------------

    def handle(self, model_id: str, operation: str, body: bytes, region: str) -> tuple[int, dict[str, str], bytes]:
        record: dict[str, Any] = {"model": model_id, "operation": operation, "region": region}
        try:
            if len(body) > MAX_BODY_BYTES:
                raise errors.validation(
                    f"The request body is {len(body):,} bytes; at most {MAX_BODY_BYTES:,} are accepted."
                )
            resolved = self._available(model_id, region)
            self._faults_for(model_id)
            if operation == "converse":
                payload = self._converse(resolved, _json(body))
            else:
                payload = self._invoke(resolved, _json(body))
            record.update(status=200)
            return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()
        except BedrockError as exc:
            return self._error(record, exc)
        except Exception as exc:  # an emulator bug answers like a service failure, never a dropped connection
            return self._error(record, BedrockError("InternalServerException", f"emulator failure: {exc!r}", 500))
        finally:
            with self._lock:
                self.calls.append(record)

    def _error(self, record: dict[str, Any], exc: BedrockError) -> tuple[int, dict[str, str], bytes]:
        record.update(status=exc.status, error=exc.code, message=exc.message)
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": exc.code}
        return exc.status, headers, json.dumps({"message": exc.message}).encode()

    def _available(self, model_id: str, region: str) -> ModelRecord:
        try:
            resolved = resolve(model_id)
        except ImageGenError:
            raise errors.invalid_model() from None
        record = resolved.record
        if resolved.profile_prefix:
            sources = record.profiles.get(resolved.profile_prefix, ())
            if "*" not in sources and region not in sources:
                raise errors.invalid_model()
        elif region not in record.regions:
            if any("*" in sources or region in sources for sources in record.profiles.values()):
                raise errors.profile_required(record.id)
            raise errors.invalid_model()
        today = date.fromisoformat(self.faults.today) if self.faults.today else None
        if record.lifecycle.state(today) == "retired" and not self.faults.serve_retired:
            raise errors.end_of_life()
        if {model_id, record.id} & {*self.faults.unlisted_models, *self.faults.unlisted_profiles}:
            raise errors.invalid_model()
        if model_id in self.faults.deny_models or record.id in self.faults.deny_models:
            raise errors.access_denied()
        return record

    def _faults_for(self, model_id: str) -> None:
        with self._lock:
            roll = self._dice.random()
        if self.faults.latency_seconds:
            time.sleep(self.faults.latency_seconds)
        if roll < self.faults.throttle_rate:
            raise errors.throttled()

    def _invoke(self, record: ModelRecord, body: dict[str, Any]) -> dict[str, Any]:
        if record.family == "converse-judge":
            request = judging.legacy_request(record.id, body)
            answer = json.dumps(verdicts.first_version(record.id, "\n".join(request["texts"]), request["images"]))
            if request["vendor"] == "nova":
                return {
                    "output": {"message": {"role": "assistant", "content": [{"text": answer}]}},
                    "stopReason": "end_turn",
                    "usage": {"inputTokens": 1500, "outputTokens": 120, "totalTokens": 1620},
                }
            return {
                "id": "msg_emulated",
                "type": "message",
                "role": "assistant",
                "model": record.id,
                "content": [{"type": "text", "text": answer}],
                "stop_reason": "end_turn",
                "usage": {"input_tokens": 1500, "output_tokens": 120},
            }
        validate = shapes.validator_for(record.id)
        if validate is None:
            raise BedrockError("EmulatorLimitationException", f"the emulator has no reading of {record.id}", 501)
        request = validate(body)
        if self.faults.prompt_filter_word in request["prompt"]:
            raise errors.blocked("text prompt")
        withheld = self.faults.output_filter_word in request["prompt"]
        fmt = request.get("format", "png")
        if fmt not in ("png", "jpeg"):
            raise BedrockError("EmulatorLimitationException", f"the emulator renders png and jpeg, not {fmt}", 501)
        width, height = request["size"]
        images = (
            []
            if withheld
            else [
                base64.b64encode(
                    art.render(
                        width,
                        height,
                        prompt=request["prompt"],
                        seed=request["seed"] + i,
                        model=record.id,
                        fmt=fmt,
                        edit=request["edit"],
                    )
                ).decode()
                for i in range(request["count"])
            ]
        )
        if record.family in ("titan-image", "nova-canvas"):
            error = "All of the generated images have been blocked by our content filters." if withheld else None
            return {"images": images, "error": error}
        if withheld:
            return {"seeds": [request["seed"]], "finish_reasons": ["Filter reason: output image"]}
        return {"seeds": [request["seed"]], "finish_reasons": [None], "images": images}

    def _converse(self, record: ModelRecord, body: dict[str, Any]) -> dict[str, Any]:
        if record.family != "converse-judge":
            raise errors.unsupported_operation()
        request = judging.converse_request(record.id, body)
        prompt_text = "\n".join(request["texts"])
        input_tokens = 200 + sum(len(t) for t in request["texts"]) // 4 + 800 * len(request["images"])
        usage = {"inputTokens": input_tokens, "outputTokens": 140, "totalTokens": input_tokens + 140}
        if self.faults.judge_filter_word in prompt_text:
            return {
                "output": {"message": {"role": "assistant", "content": []}},
                "stopReason": "content_filtered",
                "usage": usage,
                "metrics": {"latencyMs": 5},
            }
        verdict = verdicts.answer(record.id, prompt_text, request["images"], request["fields"])
        content: list[dict[str, Any]]
        if request["tool"] and not self.faults.judge_text_answers:
            content = [{"toolUse": {"toolUseId": "tooluse_emulated", "name": request["tool"], "input": verdict}}]
            stop = "tool_use"
        else:
            content = [{"text": f"Here is my evaluation:\n```json\n{json.dumps(verdict)}\n```"}]
            stop = "end_turn"
        return {
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": stop,
            "usage": usage,
            "metrics": {"latencyMs": 5},
        }


_DRIFT_LISTS = ("legacy_models", "unlisted_models", "unlisted_profiles", "deny_models")


def _check_faults(faults: Faults) -> None:
    numbers = {"latency_seconds": (0, 60), "throttle_rate": (0, 1)}
    for name, (low, high) in numbers.items():
        value = getattr(faults, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"{name} must be a number from {low} to {high}")
    for name in ("judge_text_answers", "serve_retired"):
        if not isinstance(getattr(faults, name), bool):
            raise ValueError(f"{name} must be true or false")
    for name in ("prompt_filter_word", "output_filter_word", "judge_filter_word"):
        if not isinstance(getattr(faults, name), str) or not getattr(faults, name):
            raise ValueError(f"{name} must be a non-empty string")
    for name in _DRIFT_LISTS:
        value = getattr(faults, name)
        if not isinstance(value, list) or not all(isinstance(m, str) for m in value):
            raise ValueError(f"{name} must be a list of model ids")
    if not isinstance(faults.seed, int):
        raise ValueError("seed must be a whole number")
    if faults.today is not None:
        date.fromisoformat(faults.today)


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise errors.malformed("#: the request body is not valid JSON") from None
    if not isinstance(value, dict):
        raise errors.malformed("#: expected type: JSONObject, found: JSONArray")
    _refuse_lone_surrogates(value)
    return value


def _refuse_lone_surrogates(body: dict[str, Any]) -> None:
    """JSON lets a string escape half of a UTF-16 pair ("\\ud800" alone); Bedrock reads bodies
    as Unicode text, and such a string holds no character: refused as malformed input, at its
    JSON pointer, like any other value the model's schema cannot read."""
    pending: list[tuple[str, Any]] = [("#", body)]
    while pending:
        pointer, value = pending.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                pending.extend([(pointer, key), (f"{pointer}/{key}", item)])
        elif isinstance(value, list):
            pending.extend((f"{pointer}/{i}", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                lone = f"\\u{ord(value[exc.start]):04x}"
                where = pointer.encode("utf-8", "backslashreplace").decode()
                raise errors.malformed(f"{where}: unpaired surrogate {lone} is not a Unicode character") from None


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Bedrock runtime emulator on loopback.")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every model call")
    parser.add_argument("--throttle-rate", type=float, default=0.0, help="share of calls answered ThrottlingException")
    parser.add_argument("--serve-retired", action="store_true", help="serve models past their end of life")
    args = parser.parse_args()
    faults = Faults(latency_seconds=args.latency, throttle_rate=args.throttle_rate, serve_retired=args.serve_retired)
    with Emulator(faults, port=args.port) as emulator:
        print(
            f"Bedrock runtime emulator on {emulator.url}\nexport AWS_ENDPOINT_URL_BEDROCK_RUNTIME={emulator.url}"
            f"\nexport AWS_ENDPOINT_URL_BEDROCK={emulator.url}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
