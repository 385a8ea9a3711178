"""POST /evaluate-image, GET /images/{id}, and the deferred evaluation the generate function
starts as an asynchronous invocation ({"image_id", "judge_model"})."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import ImageGenError
from ..ids import checked_image_id
from ..runtime import Runtime, cached
from . import api, requests

JUDGE_TIMEOUT_SECONDS = 60.0  # this function has no API limit when it runs in the background


def evaluate(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    image_id, judge_model = requests.evaluate_input(request.body)
    return 200, rt.pipeline.evaluate(image_id, request.deadline, judge_model)


def describe(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    return 200, rt.pipeline.describe(checked_image_id(request.path_parameters.get("id"), "id"))


ROUTES: api.Routes = {("POST", "/evaluate-image"): evaluate, ("GET", "/images/{id}"): describe}


def make_handler(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    def handler(event: Any, context: Any) -> dict[str, Any]:
        if isinstance(event, dict) and "httpMethod" not in event and "image_id" in event:
            return deferred(runtime, event, context)
        return api.serve(event, context, ROUTES, runtime)

    return handler


def deferred(runtime: Callable[[], Runtime], event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Finish an evaluation the generate function could not fit in its request. The outcome,
    done or failed, is stored for GET /images/{id}; nothing is raised, so Lambda does not
    retry an evaluation that already retried its throttles."""
    rt = runtime()
    log = rt.log.bind(request_id=getattr(context, "aws_request_id", "local"), image_id=event.get("image_id"))
    deadline = api.deadline_for(context, rt.pipeline.clock, api=False)
    try:
        result = rt.pipeline.with_log(log).evaluate(str(event["image_id"]), deadline, event.get("judge_model"))
        log.info("deferred_evaluation_done", score=result["evaluation"].get("score"))
        return {"status": "done"}
    except ImageGenError as exc:
        log.warning("deferred_evaluation_failed", code=exc.code, message=exc.message)
        return {"status": "failed", "error": exc.to_dict()}


handler = make_handler(cached(lambda: Runtime.from_env(judge_timeout=JUDGE_TIMEOUT_SECONDS)))
