"""A request sent again with its idempotency key (header Idempotency-Key or body client_token)
answers what the first one stored, and never calls (or pays for) the model twice."""

import json
import re
import threading
import time
from datetime import timedelta

from imagegen import idempotency

from tests.fakes import api_event, throttle

PROMPT = "a red fox sitting in fresh snow"
KEY = "4c1f0a7e-retry-me"
ROUNDS = 25


def keyed(resource, body, key=KEY):
    event = api_event("POST", resource, body)
    event["headers"]["Idempotency-Key"] = key
    return event


def generate_with_key(world, body, key=KEY):
    from imagegen.handlers import generate

    return world.call(generate, keyed("/generate-image", body, key))


def test_a_retried_generate_with_the_same_key_calls_the_model_once_and_answers_the_same_image(world):
    status, first = generate_with_key(world, {"prompt": PROMPT})
    again_status, again = generate_with_key(world, {"prompt": PROMPT})
    assert (status, again_status) == (200, 200)
    assert len(world.bedrock.invocations) == 1 and len(world.bedrock.conversations) == 1
    assert again["image_id"] == first["image_id"] and again["key"] == first["key"]
    assert "X-Amz-Signature=" in again["url"]  # signed for this answer
    assert again["evaluation"] == first["evaluation"] and again["replayed"] is True
    assert again["estimated_cost_usd"] == first["estimated_cost_usd"]


def test_the_body_field_client_token_is_the_same_key_as_the_header(world):
    _, first = world.generate({"prompt": PROMPT, "client_token": KEY, "evaluate": False})
    _, again = generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    assert again["image_id"] == first["image_id"] and len(world.bedrock.invocations) == 1


def test_a_header_and_a_body_token_that_differ_are_refused_before_any_call(world):
    status, body = generate_with_key(world, {"prompt": PROMPT, "client_token": "another-key"})
    assert (status, body["error"]["code"], body["error"]["field"]) == (400, "invalid_parameter", "client_token")
    assert world.bedrock.invocations == []


def test_a_key_sent_again_with_another_body_is_refused_without_calling_the_model(world):
    generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    status, body = generate_with_key(world, {"prompt": "a grey wolf", "evaluate": False})
    assert (status, body["error"]["code"]) == (422, "idempotency_key_reused")
    assert len(world.bedrock.invocations) == 1


def test_a_key_that_is_not_printable_ascii_is_refused(world):
    status, body = world.generate({"prompt": PROMPT, "client_token": "clé-1"})
    assert (status, body["error"]["code"], body["error"]["field"]) == (400, "invalid_parameter", "client_token")


def test_a_request_that_paid_for_nothing_frees_its_key_so_that_a_retry_runs(world):
    world.bedrock.image_outcomes = [throttle()] * 6
    status, body = generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    assert (status, body["error"]["code"]) == (429, "throttled")
    assert not [k for k in world.stored_keys() if k.startswith("idempotency/")]
    world.bedrock.image_outcomes.clear()
    tried = len(world.bedrock.invocations)
    status, body = generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    assert status == 200 and len(world.bedrock.invocations) == tried + 1


def test_a_key_left_running_by_a_request_that_died_is_taken_over(world):
    record = {"state": "running", "fingerprint": "", "started_at": ""}
    given = idempotency.from_request({"prompt": PROMPT, "evaluate": False}, KEY, "generate")
    died_at = world.wall() - timedelta(seconds=idempotency.STALE_SECONDS + 1)
    record.update(fingerprint=given.fingerprint, started_at=died_at.isoformat(timespec="seconds"))
    world.s3.put_object(
        Bucket="imagegen-test-images", Key=idempotency.record_key("generate", KEY), Body=json.dumps(record).encode()
    )
    status, _ = generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    assert status == 200 and len(world.bedrock.invocations) == 1


def test_a_retried_modify_with_the_same_key_makes_one_edit(world):
    from imagegen.handlers import modify

    _, parent = world.generate({"prompt": PROMPT, "evaluate": False})
    body = {"image_id": parent["image_id"], "mode": "upscale"}
    _, first = world.call(modify, keyed("/modify-image", body))
    _, again = world.call(modify, keyed("/modify-image", body))
    assert again["image_id"] == first["image_id"] and (again["parent_id"], again["mode"]) == (
        parent["image_id"],
        "upscale",
    )
    assert len(world.bedrock.invocations) == 2  # the parent's and one edit
    assert len([k for k in world.stored_keys() if k.startswith(f"images/{parent['image_id']}/edits/")]) == 1


def test_the_same_key_for_generate_and_modify_names_two_requests(world):
    _, parent = generate_with_key(world, {"prompt": PROMPT, "evaluate": False})
    from imagegen.handlers import modify

    status, edit = world.call(modify, keyed("/modify-image", {"image_id": parent["image_id"], "mode": "upscale"}))
    assert status == 200 and edit["parent_id"] == parent["image_id"]


def test_every_stored_key_is_an_images_prefix_or_an_idempotency_record(world):
    generate_with_key(world, {"prompt": PROMPT, "count": 1})
    layout = re.compile(
        r"images/[A-Za-z0-9_-]{22}/(image\.png|meta\.json|evaluation\.json)|idempotency/[0-9a-f]{64}\.json"
        r"|images/\.newest/[0-9]{13}-[A-Za-z0-9_-]{22}"  # GET /images' index
    )
    assert world.stored_keys() and all(layout.fullmatch(key) for key in world.stored_keys())


def test_two_requests_at_once_with_one_key_call_the_model_once(world):
    """In real threads, many rounds: of two requests sent at the same moment with one key, one
    calls the model; the other is told it is in progress (409, retryable) or, when it comes
    after the first has stored its image, answers that image."""
    from imagegen.handlers import generate

    real_invoke = world.bedrock.invoke_model

    def slow_invoke(**kwargs):
        time.sleep(0.01)  # real time: the other request runs meanwhile
        return real_invoke(**kwargs)

    world.bedrock.invoke_model = slow_invoke
    seen = []
    for round_ in range(ROUNDS):
        key = f"race-{round_}"
        start = threading.Barrier(2)
        answers = []

        def send(key=key, start=start, answers=answers):
            handler = generate.make_handler(world.runtime)
            event = world.received(keyed("/generate-image", {"prompt": PROMPT, "evaluate": False}, key))
            start.wait()
            answers.append(handler(event, None))

        threads = [threading.Thread(target=send) for _ in range(2)]
        before = len(world.bedrock.invocations)
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(world.bedrock.invocations) - before == 1, f"round {round_}: the model was called twice"
        outcomes = sorted((a["statusCode"], json.loads(a["body"]).get("error", {}).get("code")) for a in answers)
        assert outcomes in ([(200, None), (200, None)], [(200, None), (409, "request_in_progress")]), outcomes
        for answer in answers:
            if answer["statusCode"] == 409:
                assert answer["headers"]["Retry-After"] == "5"
        seen.append(outcomes[-1][0])
    assert 409 in seen  # the race was run, not only the sequential case
