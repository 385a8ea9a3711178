"""The API's routes, once: which function serves each, and the JSON schema API Gateway checks
the body against. The stack builds the REST API from this table, the handlers serve it, and
the dev API server mirrors it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import schemas

STAGE = "prd"  # the REST API's one stage: its URL ends in /prd/


@dataclass(frozen=True)
class Route:
    method: str
    resource: str
    function: str  # generate | evaluate | modify | refine | batches
    schema: dict[str, Any] | None = None  # the body's model; None: no body
    query: tuple[str, ...] = ()  # the optional query string parameters it reads


ROUTES: tuple[Route, ...] = (
    Route("POST", "/generate-image", "generate", schemas.GENERATE),
    Route("POST", "/evaluate-image", "evaluate", schemas.EVALUATE),
    Route("POST", "/modify-image", "modify", schemas.MODIFY),
    Route("GET", "/images/{id}", "evaluate", query=("limit", "cursor")),
    Route("GET", "/images", "evaluate", query=("limit", "cursor")),
    Route("GET", "/models", "evaluate"),
    Route("POST", "/refine-image", "refine", schemas.REFINE),
    Route("GET", "/jobs/{id}", "refine"),
    Route("POST", "/batches", "batches", schemas.BATCH),
    Route("GET", "/batches/{id}", "batches", query=("limit", "cursor")),
)


def served_by(function: str) -> list[Route]:
    return [route for route in ROUTES if route.function == function]


# API Gateway's own refusals, answered in the handlers' error shape: response type -> (status, code).
# API Gateway fills the message in ($context.error.messageString).
GATEWAY_ERRORS: dict[str, tuple[str | None, str]] = {
    "BAD_REQUEST_BODY": ("400", "invalid_request"),
    "THROTTLED": ("429", "throttled"),
    "QUOTA_EXCEEDED": ("429", "quota_exceeded"),
    "UNAUTHORIZED": ("401", "sign_in_required"),  # authMode=cognito: no ID token, or one no longer valid
    "INTEGRATION_TIMEOUT": ("504", "upstream_timeout"),
    "DEFAULT_4XX": (None, "request_refused"),
    "DEFAULT_5XX": (None, "gateway_error"),
}
