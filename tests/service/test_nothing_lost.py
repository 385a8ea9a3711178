"""Once an image is stored, no later failure (metadata, verdict, edit link, a second image,
a background evaluation) fails the request or leaves a verdict pending for ever."""

import base64
import random
import threading
import time
from datetime import timedelta

import pytest
from botocore.exceptions import NoCredentialsError
from imagegen.errors import ConfigurationError
from imagegen.handlers import evaluate
from imagegen.usecases import storing

from tests.fakes import LambdaContext, client_error, converse_answer

PROMPT = "a red fox sitting in fresh snow"


def test_metadata_that_cannot_be_stored_is_a_warning_and_the_image_is_returned(world):
    world.fail_s3("PutObject", "meta.json")
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert f"images/{body['image_id']}/image.png" in world.stored_keys()
    assert "X-Amz-Signature=" in body["url"]
    assert body["warnings"] == [
        {
            "step": "store the image's metadata",
            "code": "storage_unavailable",
            "message": "could not store the image's metadata in S3 (InternalError)",
        }
    ]


def test_an_image_whose_metadata_could_not_be_stored_can_still_be_fetched_and_modified(world):
    world.fail_s3("PutObject", "meta.json")
    _, generated = world.generate({"prompt": PROMPT, "evaluate": False})
    image_id = generated["image_id"]
    assert f"images/{image_id}/meta.json" not in world.stored_keys()
    status, described = world.describe(image_id)
    assert status == 200
    assert "X-Amz-Signature=" in described["url"]
    assert described["meta"]["partial"] is True
    assert (described["meta"]["image"]["key"], described["meta"]["image"]["format"]) == (
        f"images/{image_id}/image.png",
        "png",
    )
    status, edit = world.modify({"image_id": image_id, "mode": "upscale"})
    assert (status, edit["parent_id"]) == (200, image_id)


def test_an_image_whose_metadata_was_lost_is_not_judged_blindly_and_the_loss_is_the_servers(world):
    """The prompt to judge against was in the meta.json S3 refused: no request the caller can
    change brings it back, so the answer is a server error with its own code, not a 400."""
    world.fail_s3("PutObject", "meta.json")
    _, generated = world.generate({"prompt": PROMPT, "evaluate": False})
    status, answer = world.evaluate({"image_id": generated["image_id"]})
    assert (status, answer["error"]["code"]) == (500, "metadata_lost")
    assert "field" not in answer["error"]
    assert "its metadata could not be stored" in answer["error"]["message"]
    assert world.bedrock.conversations == []
    stored = world.json_object(f"images/{generated['image_id']}/evaluation.json")
    assert (stored["status"], stored["error"]["code"]) == ("failed", "metadata_lost")


def test_a_url_that_cannot_be_signed_is_a_warning_and_the_stored_image_keeps_its_id(world, monkeypatch):
    def cannot_sign(*args, **kwargs):
        raise NoCredentialsError()

    monkeypatch.setattr(world.s3, "generate_presigned_url", cannot_sign)
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert (body["url"], body["url_expires_at"], body["evaluation"]["status"]) == (None, None, "done")
    assert f"images/{body['image_id']}/image.png" in world.stored_keys()
    assert [(w["step"], w["code"]) for w in body["warnings"]] == [("sign the image's URL", "credentials_missing")]


def test_a_judge_that_fails_while_preparing_its_call_is_a_failed_verdict_not_a_failed_request(world, monkeypatch):
    from imagegen.usecases import evaluation

    def unusable(model):
        raise ConfigurationError("the model catalog cannot be read")

    monkeypatch.setattr(evaluation, "_prompt_limit", unusable)
    status, body = world.generate({"prompt": PROMPT})
    assert (status, body["evaluation"]["status"]) == (200, "failed")
    assert body["evaluation"]["error"]["code"] == "configuration_error"


def test_a_verdict_that_cannot_be_stored_is_still_answered(world):
    world.fail_s3("PutObject", "evaluation.json")
    status, body = world.generate({"prompt": PROMPT})
    assert status == 200
    assert body["evaluation_data"]["score"] == 8
    assert [w["step"] for w in body["warnings"]] == ["store the evaluation"]


def test_a_verdict_that_could_not_be_stored_later_reads_as_lost_not_as_never_requested(world):
    world.fail_s3("PutObject", "evaluation.json")
    _, generated = world.generate({"prompt": PROMPT})
    _, body = world.describe(generated["image_id"])
    assert body["evaluation"]["status"] == "failed"
    assert body["evaluation"]["error"]["code"] == "evaluation_lost"
    assert body["evaluation"]["judge_model"] == "amazon.nova-lite-v1:0"


def test_an_image_nobody_asked_to_judge_reads_as_not_requested(world):
    _, generated = world.generate({"prompt": PROMPT, "evaluate": False})
    _, body = world.describe(generated["image_id"])
    assert body["evaluation"] == {"status": "not_requested"}


def test_an_edit_whose_link_cannot_be_stored_is_still_returned(world):
    _, parent = world.generate({"prompt": PROMPT, "evaluate": False})
    world.fail_s3("PutObject", ".json", times=10)  # meta and link of the edit
    status, body = world.modify({"image_id": parent["image_id"], "mode": "upscale"})
    assert status == 200
    assert f"images/{body['image_id']}/image.png" in world.stored_keys()
    assert {w["step"] for w in body["warnings"]} == {"store the image's metadata", "link the edit to its parent"}


def test_when_one_of_several_images_cannot_be_stored_the_others_are_returned_and_it_inline(original_world):
    original_world.fail_s3("PutObject", "image.png", times=storing.S3_WRITE_ATTEMPTS)  # each try of the first
    status, body = original_world.generate({"prompt": PROMPT, "count": 3, "evaluate": False})
    assert status == 200
    assert len(body["images"]) == 2
    assert (body["warnings"][-1]["step"], body["warnings"][-1]["code"]) == ("store the image", "image_not_stored")
    assert body["warnings"][-1]["message"].startswith("1 generated image could not be stored in S3")
    (kept,) = body["images_not_stored"]
    assert base64.b64decode(kept["image_base64"])[:8] == b"\x89PNG\r\n\x1a\n"


def test_when_no_image_can_be_stored_the_request_fails_with_503(world):
    world.fail_s3("PutObject", "image.png")
    status, body = world.generate({"prompt": PROMPT})
    assert (status, body["error"]["code"]) == (503, "image_not_stored")
    assert "imagegen-test-images" not in body["error"]["message"]  # no bucket or key in answers


def _defer(world):
    world.bedrock.image_delay = 20.0
    _, body = world.generate({"prompt": PROMPT})
    assert body["evaluation"]["status"] == "pending"
    return body["image_id"]


def _run_deferred(world, image_id, judge_model="amazon.nova-lite-v1:0"):
    return evaluate.make_handler(world.runtime)(
        {"image_id": image_id, "judge_model": judge_model}, LambdaContext(remaining_ms=60_000, clock=world.clock)
    )


def test_a_deferred_evaluation_that_fails_before_judging_marks_the_verdict_failed(world):
    image_id = _defer(world)
    world.s3.delete_object(Bucket="imagegen-test-images", Key=f"images/{image_id}/image.png")
    assert _run_deferred(world, image_id) == {"status": "failed"}
    _, body = world.describe(image_id)
    assert body["evaluation"]["status"] == "failed"
    assert body["evaluation"]["error"]["code"] == "storage_unavailable"


def test_a_deferred_evaluation_with_a_judge_no_longer_allowed_marks_the_verdict_failed(world):
    image_id = _defer(world)
    assert _run_deferred(world, image_id, judge_model="amazon.nova-pro-v1:0") == {"status": "failed"}
    _, body = world.describe(image_id)
    assert body["evaluation"]["error"]["code"] == "invalid_parameter"


def test_a_deferred_evaluation_that_fails_after_the_image_was_judged_keeps_that_verdict(world):
    image_id = _defer(world)
    world.evaluate({"image_id": image_id})  # judged through the API in the meantime
    assert _run_deferred(world, image_id, judge_model="amazon.nova-pro-v1:0") == {"status": "failed"}
    stored = world.json_object(f"images/{image_id}/evaluation.json")
    assert (stored["status"], stored["score"]) == ("done", 8)
    assert stored["last_attempt"]["error"]["code"] == "invalid_parameter"


RACES = 40


def test_a_background_evaluation_that_fails_while_the_caller_judges_never_leaves_the_verdict_failed(world):
    """The background's judge fails while the caller's succeeds, at the same time, in real threads:
    whichever verdict S3 takes last, the stored one is the caller's done verdict."""
    background_judge = "anthropic.claude-haiku-4-5-20251001-v1:0"
    rng = random.Random(12)
    answer = converse_answer(world.bedrock.verdict)

    def converse(**kwargs):
        time.sleep(rng.uniform(0, 0.004))  # real time, so the threads interleave differently each round
        if "claude" in kwargs["modelId"]:
            raise client_error("AccessDeniedException", "no access to the model", 403, "Converse")
        return answer

    world.bedrock.converse = converse
    image_id = _defer(world)
    key = f"images/{image_id}/evaluation.json"
    pending = world.object(key)["Body"].read()
    both_read: list[threading.Barrier] = []
    first_write = threading.local()

    def meet_before_the_first_conditional_write(params, **_):
        """Each thread's first conditional write of the round waits for the other's, so both
        write over the version they read: the collision happens in every round, however the
        threads are scheduled (a loaded machine serializes them otherwise)."""
        conditional = "IfMatch" in params or "IfNoneMatch" in params
        if conditional and params["Key"] == key and getattr(first_write, "round", None) != len(both_read):
            first_write.round = len(both_read)
            both_read[-1].wait(timeout=10)

    world.s3.meta.events.register("before-parameter-build.s3.PutObject", meet_before_the_first_conditional_write)
    lost = []
    for _ in range(RACES):
        world.s3.put_object(Bucket="imagegen-test-images", Key=key, Body=pending)  # pending again
        both_read.append(threading.Barrier(2))
        start = threading.Barrier(2)
        outcomes = {}

        def background(image_id=image_id, start=start, outcomes=outcomes):
            start.wait()
            outcomes["background"] = _run_deferred(world, image_id, judge_model=background_judge)

        def caller(image_id=image_id, start=start, outcomes=outcomes):
            start.wait()
            outcomes["caller"] = world.evaluate({"image_id": image_id})[0]

        threads = [threading.Thread(target=background), threading.Thread(target=caller)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert outcomes == {"background": {"status": "failed"}, "caller": 200}
        stored = world.json_object(key)
        if (stored["status"], stored.get("score")) != ("done", 8):
            lost.append(stored["status"])
    assert lost == [], f"{len(lost)} of {RACES} races left the verdict {set(lost)}"
    collided = [line for line in world.log_lines() if line["event"] == "verdict_write_conflict"]
    assert len(collided) >= RACES, "the two writes did not meet in every round: the race was not exercised"


@pytest.mark.parametrize(
    "failure",
    [
        client_error("ModelTimeoutException", "Model timed out", 408, "Converse"),
        client_error("ServiceUnavailableException", "Service unavailable", 503, "Converse"),
    ],
)
def test_a_judge_that_times_out_or_is_unavailable_in_the_request_is_deferred(world, failure):
    world.bedrock.judge_outcomes = [failure] * 10
    status, body = world.generate({"prompt": PROMPT})
    assert (status, body["evaluation"]["status"]) == (200, "pending")
    assert world.scheduled == [(body["image_id"], "amazon.nova-lite-v1:0")]


def test_a_deferred_evaluation_for_an_unknown_image_writes_nothing(world):
    before = world.stored_keys()
    assert _run_deferred(world, "A" * 22) == {"status": "failed"}
    assert world.stored_keys() == before


def test_a_pending_verdict_older_than_any_background_run_reads_as_lost(world):
    image_id = _defer(world)
    later = world.wall() + timedelta(minutes=16)
    world.now = lambda: later
    _, body = world.describe(image_id)
    assert body["evaluation"]["status"] == "failed"
    assert body["evaluation"]["error"]["code"] == "evaluation_lost"


def test_an_error_on_modify_echoes_neither_the_prompt_nor_the_mask(world):
    _, parent = world.generate({"prompt": PROMPT, "evaluate": False})
    mask = base64.b64encode(b"GIF89a" + bytes(5000)).decode()  # base64, but not an image
    status, answer = world.modify(
        {"image_id": parent["image_id"], "mode": "inpaint", "prompt": "secret words", "mask_image": mask}
    )
    assert (status, answer["error"]["field"]) == (400, "mask_image")
    text = str(answer)
    assert "secret words" not in text and mask[:20] not in text
    assert "5006 bytes" in text


def test_a_deferred_evaluation_that_fails_replaces_a_verdict_it_cannot_read(world):
    """The pending verdict cannot be read, before the judge nor after it: the failure is stored
    anyway, so the verdict does not stay pending until it reads as lost."""
    image_id = _defer(world)
    world.bedrock.judge_outcomes = [client_error("AccessDeniedException", "no access to the model", 403, "Converse")]
    world.fail_s3("GetObject", "evaluation.json", times=2)
    assert _run_deferred(world, image_id) == {"status": "failed"}
    stored = world.json_object(f"images/{image_id}/evaluation.json")
    assert (stored["status"], stored["error"]["code"]) == ("failed", "model_access_denied")
    assert "unreadable_verdict_replaced" in [line["event"] for line in world.log_lines()]


def test_a_done_verdict_that_could_not_be_read_once_survives_a_failed_judge(world):
    _, body = world.generate({"prompt": PROMPT})
    image_id = body["image_id"]
    world.bedrock.judge_outcomes = [client_error("AccessDeniedException", "no access to the model", 403, "Converse")]
    world.fail_s3("GetObject", "evaluation.json", times=1)  # read again before the failure is stored
    _, answer = world.evaluate({"image_id": image_id})
    assert answer["error"]["code"] == "model_access_denied"
    stored = world.json_object(f"images/{image_id}/evaluation.json")
    assert (stored["status"], stored["score"]) == ("done", 8)
    assert stored["last_attempt"]["error"]["code"] == "model_access_denied"


def test_a_background_evaluation_that_cannot_start_logs_no_exception_message(world):
    world.schedule_error = RuntimeError(f"could not invoke the evaluate function for {PROMPT!r}")
    world.bedrock.image_delay = 20.0
    status, body = world.generate({"prompt": PROMPT})
    assert (status, body["evaluation"]["error"]["code"]) == (200, "evaluation_not_scheduled")
    (line,) = [line for line in world.log_lines() if line["event"] == "evaluation_not_scheduled"]
    assert line["error"] == "RuntimeError" and "trace" in line
    assert PROMPT not in world.logs.getvalue()
