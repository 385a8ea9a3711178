"""A deferred evaluation that cannot record its outcome fails its invocation, so that Lambda sends
the event to the failed-evaluations queue (the stack's on-failure destination) instead of the
verdict silently staying pending until it reads as lost."""

import io
import json

import pytest
from imagegen.errors import ConfigurationError
from imagegen.handlers import evaluate

from tests.fakes import LambdaContext


def test_without_a_runtime_the_deferred_evaluation_raises_and_logs_why(world, monkeypatch):
    def broken():
        raise ConfigurationError("IMAGEGEN_BUCKET is not set")

    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    handler = evaluate.make_handler(broken)
    with pytest.raises(ConfigurationError, match="IMAGEGEN_BUCKET"):
        handler({"image_id": "A" * 22, "judge_model": "amazon.nova-lite-v1:0"}, LambdaContext(remaining_ms=60_000))
    (line,) = [json.loads(text) for text in out.getvalue().splitlines()]
    assert (line["event"], line["code"]) == ("configuration", "configuration_error")


def test_a_deferred_evaluation_that_records_a_failure_ends_normally(world):
    """Once the verdict can be stored, a failure is the verdict's, and the invocation succeeds
    (a raise would send an evaluation already recorded to the queue)."""
    result = evaluate.make_handler(world.runtime)(
        {"image_id": "B" * 22, "judge_model": "amazon.nova-lite-v1:0"},
        LambdaContext(remaining_ms=60_000, clock=world.clock),
    )
    assert result == {"status": "failed"}
