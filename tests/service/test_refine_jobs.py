"""Refine jobs against moto S3 and the fake Bedrock: POST /refine-image, GET /jobs/{id}, and the
worker run in-process (as the dev API and Lambda run it), crashes and all."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from imagegen.handlers import refine, schemas
from imagegen.models.registry import resolve
from imagegen.runtime import Runtime
from jsonschema import Draft4Validator

from tests.fakes import VERDICT, LambdaContext, api_event, converse_answer
from tests.service.conftest import settings_for

PROMPT = "a red fox sitting in fresh snow"
LOW = {  # a verdict whose score stays under any target above 4
    **VERDICT,
    "sub_scores": {
        "prompt_adherence": {"score": 4, "reason": "The fox is small."},
        "visual_quality": {"score": 4, "reason": "Blurry."},
    },
    "score": 4,
}
FILTERED = {"seeds": [1], "finish_reasons": ["Filter reason: output image"]}
BAD_JUDGE = converse_answer({"description": "no score at all"})


class Crash(BaseException):
    """The worker's process dying (a timeout, an out-of-memory kill): nothing catches it."""


def crash(request: Any) -> Any:
    raise Crash()


class Jobs:
    """The refine function and its worker over one world; `started` are the worker invocations asked for."""

    def __init__(self, world: Any) -> None:
        self.world = world
        self.started: list[str] = []

    def runtime(self) -> Runtime:
        rt = self.world.runtime()
        services = dataclasses.replace(rt.pipeline.services, start_refine=self.started.append)
        rt.pipeline.services = services
        return rt

    def post(self, body: Any, headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
        event = self.world.received(api_event("POST", "/refine-image", body))
        event["headers"] = {**(event.get("headers") or {}), **(headers or {})}
        return self._answer(refine.make_handler(self.runtime)(event, LambdaContext(clock=self.world.clock)))

    def get(self, job_id: str) -> tuple[int, dict[str, Any]]:
        event = self.world.received(api_event("GET", "/jobs/{id}", path={"id": job_id}))
        return self._answer(refine.make_handler(self.runtime)(event, LambdaContext(clock=self.world.clock)))

    def work(self, job_id: str, owner: str = "worker-1", on_round: Any = None) -> Any:
        """The worker's invocation `owner` (Lambda's request id; a retry keeps it)."""
        rt = self.runtime()
        deadline = refine.api.deadline_for(
            LambdaContext(remaining_ms=900_000, clock=self.world.clock), rt.pipeline.clock, api=False
        )
        return rt.pipeline.run_refine(job_id, owner, deadline, on_round)

    @staticmethod
    def _answer(response: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        return response["statusCode"], json.loads(response["body"])


@pytest.fixture
def jobs(world):
    return Jobs(world)


def started_job(jobs: Jobs, **body: Any) -> str:
    status, answer = jobs.post({"prompt": PROMPT, **body})
    assert status == 202, answer
    return answer["job_id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("target_score", 0),
        ("target_score", 11),
        ("target_score", 7.5),
        ("target_score", "8"),
        ("max_rounds", 0),
        ("max_rounds", 7),
        ("budget_usd", -0.01),
        ("budget_usd", True),
    ],
)
def test_an_out_of_range_number_is_a_400_naming_the_field_in_the_handler_and_the_request_model(jobs, field, value):
    body = {"prompt": PROMPT, field: value}
    status, answer = jobs.post(body)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_parameter", field)
    assert not Draft4Validator(schemas.REFINE).is_valid(body)
    assert jobs.started == []


def test_a_missing_prompt_or_an_unknown_field_is_a_400_naming_it(jobs):
    assert jobs.post({"target_score": 8})[1]["error"]["field"] == "prompt"
    assert jobs.post({"prompt": PROMPT, "rounds": 3})[1]["error"]["field"] == "rounds"


def test_post_answers_202_queued_and_starts_one_worker_for_the_job(jobs):
    status, answer = jobs.post({"prompt": PROMPT})
    assert status == 202
    assert answer == {"job_id": answer["job_id"], "status": "queued", "links": {"self": f"/jobs/{answer['job_id']}"}}
    assert jobs.started == [answer["job_id"]]
    status, shown = jobs.get(answer["job_id"])
    assert (status, shown["status"], shown["target_score"], shown["max_rounds"], shown["rounds"]) == (
        200,
        "queued",
        8,
        3,
        [],
    )


def test_a_repeat_with_the_same_idempotency_key_answers_the_same_job_and_starts_nothing(jobs):
    first = jobs.post({"prompt": PROMPT, "client_token": "refine-once"})[1]
    again = jobs.post({"prompt": PROMPT}, headers={"Idempotency-Key": "refine-once"})[1]
    assert again["job_id"] == first["job_id"] and again["replayed"] is True
    assert jobs.started == [first["job_id"]]
    status, other = jobs.post({"prompt": "another prompt", "client_token": "refine-once"})
    assert (status, other["error"]["code"]) == (422, "idempotency_key_reused")


def test_an_unknown_job_is_a_404(jobs):
    status, answer = jobs.get("A" * 22)
    assert (status, answer["error"]["code"]) == (404, "job_not_found")


def test_a_job_stops_at_its_target_and_shows_fresh_urls_and_the_best_image(jobs, world):
    job_id = started_job(jobs, target_score=8, max_rounds=4)
    ended = jobs.work(job_id)
    assert (ended["status"], ended["stop_reason"], len(ended["rounds"])) == ("done", "target_reached", 1)
    shown = jobs.get(job_id)[1]
    (only,) = shown["rounds"]
    assert only["url"].startswith("https://") and only["score"] == 8 and only["sub_scores"]
    assert shown["best"]["image_id"] == only["image_id"] and shown["best"]["round"] == 1
    assert shown["spent_usd"] == only["cost_usd"] > 0


def test_a_worker_killed_mid_round_resumes_and_pays_for_no_round_twice(jobs, world):
    world.bedrock.verdict = LOW
    job_id = started_job(jobs, target_score=9, max_rounds=3)
    world.bedrock.judge_outcomes = [converse_answer(LOW), crash]  # round 2's image is made, then the worker dies
    with pytest.raises(Crash):
        jobs.work(job_id)
    assert len(world.bedrock.invocations) == 2 and len(jobs.get(job_id)[1]["rounds"]) == 1

    ended = jobs.work(job_id)  # Lambda's retry of the same event: the same request id
    assert (ended["status"], ended["stop_reason"], len(ended["rounds"])) == ("done", "round_limit", 3)
    assert len(world.bedrock.invocations) == 3  # round 2's image was replayed, not made again
    assert len(world.bedrock.conversations) == 4  # three verdicts, and the one the crash took
    assert [r["round"] for r in ended["rounds"]] == [1, 2, 3]


def test_a_worker_stopped_between_rounds_resumes_from_the_last_recorded_round(jobs, world):
    world.bedrock.verdict = LOW
    job_id = started_job(jobs, target_score=9, max_rounds=2)

    def die(job, entry):
        raise Crash()

    with pytest.raises(Crash):
        jobs.work(job_id, on_round=die)
    ended = jobs.work(job_id)
    assert (len(ended["rounds"]), len(world.bedrock.invocations), len(world.bedrock.conversations)) == (2, 2, 2)


def test_two_workers_on_one_job_one_runs_and_the_other_exits(jobs, world):
    world.bedrock.verdict = LOW
    job_id = started_job(jobs, target_score=9, max_rounds=2)
    seen = []

    def second_worker(job, entry):
        seen.append(jobs.work(job_id, owner="worker-2"))

    ended = jobs.work(job_id, on_round=second_worker)
    assert seen == [None, None] and len(ended["rounds"]) == 2
    assert len(world.bedrock.invocations) == 2
    assert jobs.work(job_id, owner="worker-3") is None  # an ended job: nothing to do


def test_a_filtered_prompt_in_round_two_fails_the_job_with_the_filter_code_keeping_round_one(jobs, world):
    world.bedrock.verdict = LOW
    job_id = started_job(jobs, target_score=9, max_rounds=3)
    world.bedrock.image_outcomes = [lambda request: world.bedrock._images(json.loads(request["body"])), FILTERED]
    ended = jobs.work(job_id)
    assert (ended["status"], ended["error"]["code"]) == ("failed", "content_filtered")
    first, second = ended["rounds"]
    assert first["status"] == "done" and first["image_id"]
    assert (second["status"], second["image_id"], second["error"]["code"]) == ("failed", None, "content_filtered")
    assert jobs.get(job_id)[1]["best"]["image_id"] == first["image_id"]


def test_a_judge_that_fails_is_tried_once_more_then_the_job_fails(jobs, world):
    job_id = started_job(jobs, target_score=8, max_rounds=3)
    world.bedrock.judge_outcomes = [BAD_JUDGE, BAD_JUDGE, converse_answer(VERDICT)]
    ended = jobs.work(job_id)
    (only,) = ended["rounds"]
    assert (ended["status"], only["status"], only["judge_attempts"]) == ("failed", "failed", 2)
    assert ended["error"]["code"] == only["error"]["code"] == "judge_answer_invalid"
    assert len(world.bedrock.invocations) == 1 and len(world.bedrock.conversations) == 2


def test_a_judge_that_fails_once_then_answers_records_the_round_as_done(jobs, world):
    job_id = started_job(jobs, target_score=8, max_rounds=3)
    world.bedrock.judge_outcomes = [BAD_JUDGE]
    ended = jobs.work(job_id)
    (only,) = ended["rounds"]
    assert (ended["stop_reason"], only["status"], only["judge_attempts"], "error" in only) == (
        "target_reached",
        "done",
        2,
        False,
    )


def test_a_budget_too_small_for_a_second_round_stops_the_job_after_the_first(jobs, world):
    world.bedrock.verdict = LOW
    settings = world.settings
    one_round = resolve(settings.generation_models[0]).record.price.image_cost(1) + resolve(
        settings.judge_models[0]
    ).record.price.token_cost(1200, 90)  # the fake judge's usage
    job_id = started_job(jobs, target_score=9, max_rounds=5, budget_usd=round(1.5 * one_round, 6))
    ended = jobs.work(job_id)
    (only,) = ended["rounds"]
    assert only["cost_usd"] == pytest.approx(one_round)
    assert (ended["status"], ended["stop_reason"]) == ("done", "budget")
    no_money = started_job(jobs, target_score=9, budget_usd=0)
    assert jobs.work(no_money)["rounds"] == [] and len(world.bedrock.invocations) == 1


def test_a_job_no_worker_has_written_for_longer_than_a_worker_can_live_reads_as_lost_with_its_rounds(jobs, world):
    """Lambda gives up on a worker's event after its maximum age (the event goes to the failed-refine-runs
    queue): the job would read as running for ever. Past that and one more run it reads as job_lost."""
    from imagegen import jobs as job_documents

    job_id = started_job(jobs, target_score=10, max_rounds=3)
    world.clock.now += job_documents.LOST_AFTER.total_seconds() - 60
    assert jobs.get(job_id)[1]["status"] == "queued"
    world.clock.now += 61
    status, shown = jobs.get(job_id)
    assert (status, shown["status"], shown["error"]["code"], shown["rounds"]) == (200, "failed", "job_lost", [])
    assert "failed-refine-runs queue" in shown["error"]["message"]
    stored, _ = job_documents.Jobs(world.runtime().pipeline.store).load(job_id)
    assert stored["status"] == "queued"  # shown as lost, not rewritten: a late worker still finds its job


@pytest.mark.parametrize("value", [10**400, -(10**400)])
def test_a_budget_too_large_for_a_number_is_a_400_naming_it_not_a_500(jobs, value):
    status, answer = jobs.post({"prompt": PROMPT, "budget_usd": value})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_parameter", "budget_usd")
    assert jobs.started == []


def test_what_round_one_would_refuse_is_refused_before_any_job(jobs, world):
    """The first round's request is checked when the job is asked for, as POST /generate-image checks it:
    a prompt over the model's limit (Titan's 512 characters, in the original model set), a retired model."""
    world.settings = settings_for("original")
    status, answer = jobs.post({"prompt": "a fox " * 100, "model": "amazon.titan-image-generator-v2:0"})
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_parameter", "prompt")
    world.settings = dataclasses.replace(settings_for(), generation_models=("amazon.titan-image-generator-v1",))
    status, answer = jobs.post({"prompt": PROMPT})
    assert answer["error"]["code"] == "model_retired"
    assert jobs.started == []


def test_a_judge_the_deployment_no_longer_has_ends_the_job_failed_with_its_code_not_lost(jobs, world):
    """What fails before the judge is called (a judge dropped from the configuration between the POST
    and the run) is a failed round like any judging that failed: the job ends with that code, and
    is not left running until it reads as job_lost."""
    job_id = started_job(jobs, target_score=10, max_rounds=2, judge_model="anthropic.claude-haiku-4-5-20251001-v1:0")
    world.settings = dataclasses.replace(world.settings, judge_models=("amazon.nova-lite-v1:0",))
    ended = jobs.work(job_id)
    assert (ended["status"], ended["error"]["code"]) == ("failed", "invalid_parameter"), ended["error"]
    assert [r["status"] for r in ended["rounds"]] == ["failed"] and ended["rounds"][0]["image_id"]
