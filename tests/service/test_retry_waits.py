"""A throttled call's backoff is logged as it starts (`retry_wait`): Lambda's logs show why a
request was slow, and a terminal can say what it waits for."""

from tests.fakes import throttle

PROMPT = "a red fox sitting in fresh snow"


def test_every_backoff_is_logged_with_the_model_the_error_and_the_time_waited(world):
    world.bedrock.image_outcomes = [throttle(), throttle()]
    world.bedrock.judge_outcomes = [throttle("Converse")]
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200 and body["evaluation"]["status"] == "done"
    waits = [line for line in world.log_lines() if line["event"] == "retry_wait"]
    image_model, judge_model = world.settings.generation_models[0], body["evaluation"]["judge_model"]
    assert [(w["model"], w["code"], w["attempt"]) for w in waits] == [
        (image_model, "throttled", 1),
        (image_model, "throttled", 2),
        (judge_model, "throttled", 1),
    ]
    slept = world.clock.slept
    assert [w["wait_s"] for w in waits] == [round(s, 2) for s in slept]
    assert [w["waited_s"] for w in waits] == [round(slept[0], 2), round(slept[0] + slept[1], 2), round(slept[2], 2)]
    assert all(w["level"] == "INFO" and w["request_id"] for w in waits)  # bound to the request, like every line
