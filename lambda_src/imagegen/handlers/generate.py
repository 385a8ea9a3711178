"""POST /generate-image"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import idempotency
from ..runtime import Runtime, built_at_init
from . import api, requests
from .routes import served_by


def generate(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    given = requests.generate_input(request.body, idempotency.header_of(request.headers))
    return 200, rt.pipeline.generate(given, request.deadline)


ROUTES: api.Routes = api.bind(served_by("generate"), {"/generate-image": generate})


def make_handler(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    return api.handler_for(ROUTES, runtime)


handler = make_handler(built_at_init(Runtime.from_env))
