"""No request outlives API Gateway's 29 s, whatever mix of slow calls and throttles Bedrock
serves, as long as each call ends within its client's read timeout."""

import json
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagegen.handlers import api

from tests.fakes import LambdaContext, api_event, throttle
from tests.service.conftest import settings_for

PROMPT = "a red fox sitting in fresh snow"
IMAGE_CALL = 24.0  # the pipeline's image-call budget in these worlds (see the fixture below)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    image_delay=st.floats(0, IMAGE_CALL),
    judge_delay=st.floats(0, 12.0),
    image_throttles=st.integers(0, 3),
    judge_throttles=st.integers(0, 3),
    background=st.booleans(),
)
def test_every_request_answers_within_the_api_limit(
    world, image_delay, judge_delay, image_throttles, judge_throttles, background
):
    world.settings = settings_for(evaluate_function="imagegen-evaluate" if background else None)
    world.bedrock.image_delay, world.bedrock.judge_delay = image_delay, judge_delay
    world.bedrock.image_outcomes = [throttle()] * image_throttles
    world.bedrock.judge_outcomes = [throttle("Converse")] * judge_throttles
    started = world.clock.now
    status, body = world.generate({"prompt": PROMPT})
    elapsed = world.clock.now - started
    assert elapsed <= 29.0 - api.SAFETY_SECONDS, (status, body)
    assert status in (200, 429)
    if status == 200:
        assert body["evaluation"]["status"] in ("done", "pending", "failed")
    world.bedrock.image_outcomes.clear()
    world.bedrock.judge_outcomes.clear()


def test_the_deadline_is_lambdas_remaining_time_capped_by_the_api_limit_less_a_margin(clock):
    assert api.deadline_for(LambdaContext(remaining_ms=60_000), clock, api=True).remaining() == 27.0
    assert api.deadline_for(LambdaContext(remaining_ms=10_000), clock, api=True).remaining() == 8.0
    assert api.deadline_for(LambdaContext(remaining_ms=60_000), clock, api=False).remaining() == 58.0
    assert api.deadline_for(None, clock, api=False).remaining() == 898.0


def test_time_spent_before_the_handler_runs_counts_against_the_api_limit(world):
    """API Gateway's clock starts when it receives the request: a cold start spends it too."""
    world.bedrock.image_delay = 14.0
    event = api_event("POST", "/generate-image", {"prompt": PROMPT})
    event["requestContext"]["requestTimeEpoch"] = int((time.time() - 1.5) * 1000)  # received 1.5 s ago
    from imagegen.handlers import generate

    response = generate.make_handler(world.runtime)(event, LambdaContext(clock=world.clock))
    body = json.loads(response["body"])
    # 29 - 1.5 - 2 = 25.5 s; 14 went to the image, 11.5 are left, the judge needs 12: deferred
    # (had the request arrived just now, 13 s would be left and it would be judged at once)
    assert body["evaluation"]["status"] == "pending"


def _arrived_seconds_ago(seconds, resource="/generate-image", body=None):
    event = api_event("POST", resource, body or {"prompt": PROMPT})
    event["requestContext"]["requestTimeEpoch"] = int((time.time() - seconds) * 1000)
    return event


def test_no_image_call_starts_when_it_could_not_finish_before_the_api_gives_up(world):
    """Received 20 s ago: 29 - 20 - 2 = 7 s are left and an image call may take 25 s. Starting it
    would pay for an image whose id the caller never gets (API Gateway answers 504 first)."""
    from imagegen.handlers import generate

    response = generate.make_handler(world.runtime)(_arrived_seconds_ago(20), LambdaContext(clock=world.clock))
    body = json.loads(response["body"])
    assert response["statusCode"] == 503
    assert body["error"]["code"] == "no_time_left"
    assert response["headers"]["Retry-After"] == "5"  # a new request has the whole time again
    assert world.bedrock.invocations == [] and world.stored_keys() == []


def test_an_evaluation_with_too_little_time_left_fails_fast_without_calling_the_judge(world):
    from imagegen.handlers import evaluate

    _, generated = world.generate({"prompt": PROMPT, "evaluate": False})
    event = _arrived_seconds_ago(20, "/evaluate-image", {"image_id": generated["image_id"]})
    response = evaluate.make_handler(world.runtime)(event, LambdaContext(clock=world.clock))
    assert (response["statusCode"], json.loads(response["body"])["error"]["code"]) == (503, "no_time_left")
    assert world.bedrock.conversations == []
