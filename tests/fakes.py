"""Test doubles: a Bedrock runtime client that answers like Bedrock (or fails like it), a clock
that tests drive, and real-shaped API Gateway events and Lambda contexts."""

from __future__ import annotations

import base64
import io
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from imagegen import png

VERDICT: dict[
    str, Any
] = {  # a second-version verdict whose derived score is 8 for a generation ((2 * 8 + 7) / 3) and an
    # edit ((2 * 8 + 8 + 8 + 7) / 5), rounded half up, nothing missing; a generation's ignores the edit's parts
    "description": "A red fox sitting in fresh snow.",
    "sub_scores": {
        "prompt_adherence": {"score": 8, "reason": "Fox and snow as asked."},
        "visual_quality": {"score": 7, "reason": "Sharp, but the lighting is flat."},
        "edit_success": {"score": 8, "reason": "The change is made."},
        "preservation": {"score": 8, "reason": "The rest is kept."},
    },
    "checklist": [
        {"element": "a red fox", "status": "present", "note": "sitting, centred"},
        {"element": "snow", "status": "present", "note": "fresh, covering the ground"},
    ],
    "reason": "Fox and snow match the prompt; lighting is flat.",
    "suggestions": "Add warm dawn light.",
    "revised_prompt": "a red fox sitting in fresh snow at dawn, warm light",
}


def scored(score: Any) -> dict[str, Any]:
    """VERDICT with every sub-score `score`: its derived score is `score` (nothing is missing)."""
    parts = {name: {**part, "score": score} for name, part in VERDICT["sub_scores"].items()}
    return {**VERDICT, "sub_scores": parts}


def client_error(code: str, message: str, status: int = 400, operation: str = "InvokeModel") -> ClientError:
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, operation
    )


def throttle(operation: str = "InvokeModel") -> ClientError:
    return client_error("ThrottlingException", "Too many requests, please wait before trying again.", 429, operation)


Outcome = Exception | dict[str, Any] | bytes | Callable[[dict[str, Any]], Any]


@dataclass
class FakeBedrock:
    """Answers InvokeModel like the image families and Converse like a judge calling the tool.

    `image_outcomes` and `judge_outcomes` are consumed in order before the default answer:
    an exception is raised, a dict is returned as the response document (bytes as the raw
    body), a callable gets the request and returns any of these. `judge_delay` advances `clock` on every Converse call.
    """

    region: str = "us-west-2"
    size: tuple[int, int] = (96, 64)
    verdict: dict[str, Any] = field(default_factory=lambda: dict(VERDICT))
    image_outcomes: list[Outcome] = field(default_factory=list)
    judge_outcomes: list[Outcome] = field(default_factory=list)
    clock: FakeClock | None = None
    judge_delay: float = 0.0
    image_delay: float = 0.0
    invocations: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def meta(self) -> Any:
        return SimpleNamespace(region_name=self.region)

    def invoke_model(self, **kwargs: Any) -> dict[str, Any]:
        self.invocations.append(kwargs)
        self._advance(self.image_delay)
        body = json.loads(kwargs["body"])
        doc = self._outcome(self.image_outcomes, kwargs, lambda: self._images(body))
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        return {"body": StreamingBody(io.BytesIO(data), len(data)), "contentType": "application/json"}

    def converse(self, **kwargs: Any) -> dict[str, Any]:
        self.conversations.append(kwargs)
        self._advance(self.judge_delay)
        return self._outcome(self.judge_outcomes, kwargs, lambda: converse_answer(self.verdict))

    def _images(self, body: dict[str, Any]) -> dict[str, Any]:
        picture = base64.b64encode(png.solid(*self.size, (180, 40, 30))).decode()
        if "taskType" in body:
            count = body.get("imageGenerationConfig", {}).get("numberOfImages", 1)
            return {"images": [picture] * count, "error": None}
        return {"seeds": [body.get("seed", 1234)], "finish_reasons": [None], "images": [picture]}

    def _outcome(self, plan: list[Outcome], request: dict[str, Any], default: Callable[[], Any]) -> Any:
        if not plan:
            return default()
        outcome = plan.pop(0)
        if callable(outcome) and not isinstance(outcome, Exception):
            outcome = outcome(request)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def _advance(self, seconds: float) -> None:
        if self.clock and seconds:
            self.clock.now += seconds


def converse_answer(verdict: dict[str, Any], stop: str = "tool_use") -> dict[str, Any]:
    return {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"toolUse": {"toolUseId": "tooluse_1", "name": "record_image_evaluation", "input": verdict}}
                ],
            }
        },
        "stopReason": stop,
        "usage": {"inputTokens": 1200, "outputTokens": 90, "totalTokens": 1290},
        "metrics": {"latencyMs": 900},
    }


@dataclass
class FakeClock:
    now: float = 1000.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class LambdaContext:
    """What the handlers read of Lambda's context object."""

    remaining_ms: int = 29_000
    aws_request_id: str = "lambda-req-1"
    clock: FakeClock | None = None
    _start: float = 0.0

    def __post_init__(self) -> None:
        self._start = self.clock.now if self.clock else 0.0

    def get_remaining_time_in_millis(self) -> int:
        spent = (self.clock.now - self._start) * 1000 if self.clock else 0
        return max(0, int(self.remaining_ms - spent))


def api_event(
    method: str,
    resource: str,
    body: Any = None,
    *,
    path: dict[str, str] | None = None,
    raw_body: str | None = None,
    base64_body: bool = False,
) -> dict[str, Any]:
    """An API Gateway REST proxy event as Lambda receives it."""
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    if base64_body and text is not None:
        text = base64.b64encode(text.encode()).decode()
    concrete = resource
    for name, value in (path or {}).items():
        concrete = concrete.replace("{" + name + "}", value)
    return {
        "resource": resource,
        "path": concrete,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Host": "abc123.execute-api.us-west-2.amazonaws.com"},
        "multiValueHeaders": {},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": path,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": method,
            "path": f"/prd{concrete}",
            "stage": "prd",
            "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": "203.0.113.7", "userArn": "arn:aws:iam::123456789012:user/tester"},
        },
        "body": text,
        "isBase64Encoded": base64_body,
    }
