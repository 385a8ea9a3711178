"""What the functions count in CloudWatch (EMF lines in their logs), through the handlers: images
generated and judged, evaluations deferred, Bedrock's throttles, failures by code, the cost."""

from __future__ import annotations

from collections import Counter

import pytest
from imagegen.handlers import evaluate
from imagegen.runtime import Runtime, function_log

from tests.fakes import LambdaContext, throttle
from tests.unit.test_metrics_emf import check_emf

PROMPT = "a red fox sitting in fresh snow"
JUDGE = "amazon.nova-lite-v1:0"


@pytest.fixture
def metered(world):
    """The world's handlers, logging as a deployed function does (runtime.function_log), under
    the function name `world.function`."""
    plain = world.runtime
    world.function = "gen-fn"

    def runtime() -> Runtime:
        rt = plain()
        log = function_log(world.logs, world.function)
        return Runtime(rt.settings, rt.pipeline.with_log(log), log)

    world.runtime = runtime
    return world


def counted(world) -> Counter:
    """(metric, function, the other dimension's value) -> the sum of its values, from every EMF line."""
    totals: Counter = Counter()
    for line in world.log_lines():
        if "_aws" not in line:
            continue
        for name, value, dims in check_emf(line):
            if len(dims) == 2:
                other = next(v for k, v in dims.items() if k != "function")
                totals[(name, dims["function"], other)] += value
    return totals


def test_a_generation_judged_in_the_request_counts_the_image_the_verdict_and_their_cost(metered):
    status, body = metered.generate({"prompt": PROMPT})
    assert status == 200 and body["evaluation"]["status"] == "done"
    model, judge = metered.settings.generation_models[0], JUDGE  # the deployment's defaults
    totals = counted(metered)
    assert totals[("ImagesGenerated", "gen-fn", model)] == 1
    assert totals[("ImagesJudged", "gen-fn", judge)] == 1
    image_cost = totals[("EstimatedCostUSD", "gen-fn", model)]
    judge_cost = totals[("EstimatedCostUSD", "gen-fn", judge)]
    assert image_cost > 0 and judge_cost > 0
    assert image_cost + judge_cost == pytest.approx(body["estimated_cost_usd"])
    assert not [k for k in totals if k[0] in ("RequestsFailed", "EvaluationsFailed", "Throttled")]


def test_a_judge_throttled_in_the_request_counts_each_throttle_and_the_deferral(metered):
    metered.bedrock.judge_outcomes = [throttle("Converse")] * 10
    status, body = metered.generate({"prompt": PROMPT})
    assert status == 200 and body["evaluation"]["status"] == "pending"
    totals = counted(metered)
    calls = len(metered.bedrock.conversations)
    assert calls >= 2
    assert totals[("Throttled", "gen-fn", JUDGE)] == calls
    assert totals[("EvaluationsFailed", "gen-fn", "throttled")] == 1
    assert totals[("EvaluationsDeferred", "gen-fn", JUDGE)] == 1
    assert totals[("ImagesJudged", "gen-fn", JUDGE)] == 0


def test_every_throttle_is_counted_under_the_function_alone_too(metered):
    metered.bedrock.image_outcomes = [throttle(), throttle()]
    status, _ = metered.generate({"prompt": PROMPT, "evaluate": False})
    assert status == 200
    by_function = Counter()
    for line in metered.log_lines():
        if "_aws" in line:
            for name, value, dims in check_emf(line):
                if dims == {"function": "gen-fn"}:
                    by_function[name] += value
    assert by_function == {"Throttled": 2}


def test_a_failed_request_counts_its_error_code(metered):
    metered.bedrock.image_outcomes = [throttle()] * 20  # throttled until the request gives up
    status, body = metered.generate({"prompt": PROMPT})
    assert status >= 400
    code = body["error"]["code"]
    totals = counted(metered)
    assert totals[("RequestsFailed", "gen-fn", code)] == 1
    assert totals[("Throttled", "gen-fn", metered.settings.generation_models[0])] == len(metered.bedrock.invocations)
    assert totals[("ImagesGenerated", "gen-fn", metered.settings.generation_models[0])] == 0


def _run_deferred(world, image_id):
    world.function = "evaluate-fn"
    return evaluate.make_handler(world.runtime)(
        {"image_id": image_id, "judge_model": JUDGE}, LambdaContext(remaining_ms=60_000, clock=world.clock)
    )


def test_a_deferred_evaluation_counts_its_verdict_in_the_evaluate_function(metered):
    metered.bedrock.image_delay = 20.0  # too little time left to judge in the request
    _, body = metered.generate({"prompt": PROMPT})
    assert body["evaluation"]["status"] == "pending"
    metered.bedrock.image_delay = 0.0
    assert _run_deferred(metered, body["image_id"]) == {"status": "done"}
    totals = counted(metered)
    assert totals[("EvaluationsDeferred", "gen-fn", JUDGE)] == 1
    assert totals[("ImagesJudged", "evaluate-fn", JUDGE)] == 1
    assert totals[("EstimatedCostUSD", "evaluate-fn", JUDGE)] > 0
    assert not [k for k in totals if k[0] == "DeferredEvaluationsFailed"]


def test_a_deferred_evaluation_that_fails_counts_its_code(metered):
    metered.bedrock.image_delay = 20.0
    _, body = metered.generate({"prompt": PROMPT})
    image_id = body["image_id"]
    metered.s3.delete_object(Bucket="imagegen-test-images", Key=f"images/{image_id}/image.png")
    assert _run_deferred(metered, image_id) == {"status": "failed"}
    _, described = metered.describe(image_id)
    code = described["evaluation"]["error"]["code"]
    assert counted(metered)[("DeferredEvaluationsFailed", "evaluate-fn", code)] == 1
