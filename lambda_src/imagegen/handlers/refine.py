"""POST /refine-image, GET /jobs/{id} (the refine function), and the refine worker the refine
function starts as an asynchronous invocation ({"job_id"})."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .. import idempotency
from ..errors import ImageGenError, InvalidParameter
from ..log import Logger, error_fields
from ..runtime import Runtime, built_at_init
from . import api, requests
from .routes import served_by

_JOB_ID = re.compile(r"[A-Za-z0-9_-]{22}")


def refine(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    given = requests.refine_input(request.body, idempotency.header_of(request.headers))
    return 202, rt.pipeline.start_refine(given)


def show(rt: Runtime, request: api.ApiRequest) -> tuple[int, dict[str, Any]]:
    job_id = request.path_parameters.get("id")
    if not isinstance(job_id, str) or not _JOB_ID.fullmatch(job_id):
        raise InvalidParameter("id", job_id, "a job id as POST /refine-image answered it (22 characters)")
    return 200, rt.pipeline.show_job(job_id)


ROUTES: api.Routes = api.bind(served_by("refine"), {"/refine-image": refine, "/jobs/{id}": show})


def make_handler(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    return api.handler_for(ROUTES, runtime)


def make_worker(runtime: Callable[[], Runtime]) -> Callable[[Any, Any], dict[str, Any]]:
    """The worker: run the job's remaining rounds. An error it cannot record (no runtime, S3
    failing, too little time left for the next round) is raised: Lambda tries the event again
    (same request id, so the retry takes the job's lease over) and the job resumes where it was."""

    def worker(event: Any, context: Any) -> dict[str, Any]:
        try:
            rt = runtime()
        except ImageGenError as exc:
            Logger(service="imagegen").error("configuration", **error_fields(exc), message=exc.message)
            raise
        owner = str(getattr(context, "aws_request_id", "local"))
        job_id = str(event.get("job_id")) if isinstance(event, dict) else ""
        log = rt.log.bind(request_id=owner, job_id=job_id)
        deadline = api.deadline_for(context, rt.pipeline.clock, api=False)
        job = rt.pipeline.with_log(log).run_refine(job_id, owner, deadline)
        if job is None:
            return {"job_id": job_id, "status": "skipped"}
        return {"job_id": job_id, "status": job["status"], "stop_reason": job["stop_reason"]}

    return worker


_runtime = built_at_init(Runtime.from_env)  # one per container: the API function's or the worker's
handler = make_handler(_runtime)
worker = make_worker(_runtime)
