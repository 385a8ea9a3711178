"""POST /evaluate-image, GET /images/{id}, GET /images, GET /models, and the deferred evaluation the generate function
starts as an asynchronous invocation ({"image_id", "judge_model"})."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import pages
from ..errors import ImageGenError
from ..ids import checked_image_id
from ..log import Logger, error_fields
from ..runtime import Runtime, built_at_init
from ..usecases import listing
from . import api, requests
from .routes import served_by

JUDGE_TIMEOUT_SECONDS = 20.0  # this function also serves API routes, which end after 29 s


def evaluate(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    image_id, judge_model = requests.evaluate_input(request.body)
    return 200, rt.pipeline.evaluate(image_id, request.deadline, judge_model)


def describe(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    image_id = checked_image_id(request.path_parameters.get("id"), "id")
    limit = pages.checked_limit(request.query.get("limit", pages.DEFAULT_LIMIT))
    cursor = request.query.get("cursor")
    return 200, rt.pipeline.describe(image_id, limit=limit, cursor=cursor, deadline=request.deadline)


def list_images(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    query = request.query
    limit = listing.checked_limit(query.get("limit", listing.DEFAULT_LIMIT))
    return 200, rt.pipeline.list_images(limit=limit, cursor=query.get("cursor"), deadline=request.deadline)


def models(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    return 200, rt.pipeline.offered()


ROUTES: api.Routes = api.bind(
    served_by("evaluate"),
    {"/evaluate-image": evaluate, "/images/{id}": describe, "/images": list_images, "/models": models},
)


def make_handler(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    serve_api = api.handler_for(ROUTES, runtime)

    def handler(event: Any, context: Any) -> dict[str, Any]:
        if isinstance(event, dict) and "httpMethod" not in event and "image_id" in event:
            return deferred(runtime, event, context)
        return serve_api(event, context)

    return handler


def deferred(runtime: Callable[[], Runtime], event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Finish an evaluation the generate function could not fit in its request. The stored
    verdict becomes done or failed, and nothing is raised: the verdict records the failure.
    Without a runtime nothing can be recorded, so its error is raised: Lambda (which the stack
    lets try once) sends the event to the failed-evaluations queue, to be redriven once fixed."""
    try:
        rt = runtime()
    except ImageGenError as exc:
        Logger(service="imagegen").error("configuration", **error_fields(exc), message=exc.message)
        raise
    log = rt.log.bind(request_id=getattr(context, "aws_request_id", "local"), image_id=event.get("image_id"))
    deadline = api.deadline_for(context, rt.pipeline.clock, api=False)
    evaluation = rt.pipeline.with_log(log).finish_deferred(
        str(event.get("image_id")), event.get("judge_model"), deadline
    )
    log.info("deferred_evaluation_finished", status=evaluation["status"], code=evaluation.get("error", {}).get("code"))
    return {"status": evaluation["status"]}


handler = make_handler(built_at_init(lambda: Runtime.from_env(judge_timeout=JUDGE_TIMEOUT_SECONDS)))
