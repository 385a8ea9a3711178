"""An image the model made (and was paid for) reaches the caller whatever S3 does: its writes
are retried within the time left, and an image S3 never took comes back inline."""

import base64
import threading

import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from imagegen import png
from imagegen.handlers import api
from imagegen.models.contracts import GeneratedImage
from imagegen.usecases import unstored

PROMPT = "a red fox sitting in fresh snow"
SLOW_DOWN = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
)


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_):
        yield self.data


def s3_unavailable(world, key_suffix, times=1_000):
    """S3 answers 503 SlowDown on the wire to PutObject of keys ending with `key_suffix`, `times`
    times: botocore sees real 503 answers (and retries them itself, as it is configured to)."""
    answered = []

    def answer(request, **_):
        if request.url.split("?")[0].endswith(key_suffix) and len(answered) < times:
            answered.append(request.url)
            request.url = "https://s3-unavailable.invalid/"  # every before-send handler runs: moto's takes no such URL
            return AWSResponse(request.url, 503, HTTPHeaders(), _Body(SLOW_DOWN))
        return None

    world.s3.meta.events.register_first("before-send.s3.PutObject", answer)
    return answered


def model_image(world):
    return png.solid(*world.bedrock.size, (180, 40, 30))


def test_two_503_answers_to_the_image_put_still_store_the_image(world):
    refused = s3_unavailable(world, "/image.png", times=2)
    status, body = world.generate({"prompt": PROMPT, "evaluate": False})
    assert len(refused) == 2
    assert status == 200, body
    assert world.object(body["key"])["Body"].read() == model_image(world)
    assert len(world.bedrock.invocations) == 1


def test_the_metadata_write_is_retried_too(world):
    s3_unavailable(world, "/meta.json", times=3)
    status, body = world.generate({"prompt": PROMPT, "evaluate": False})
    assert status == 200 and "warnings" not in body, body
    assert world.json_object(f"images/{body['image_id']}/meta.json")["prompt"] == PROMPT


def test_an_image_s3_never_takes_comes_back_inline_with_a_503_that_says_it_was_not_stored(world):
    started = world.clock.now
    s3_unavailable(world, "/image.png")
    status, body = world.generate({"prompt": PROMPT, "evaluate": False})
    assert status == 503, body
    error = body["error"]
    assert error["code"] == "image_not_stored"
    assert "not stored" in error["message"]
    (image,) = error["images"]
    assert base64.b64decode(image["image_base64"]) == model_image(world)
    assert (image["format"], image["width"], image["height"]) == ("png", 96, 64)
    assert isinstance(image["seed"], int)
    assert world.clock.now - started <= 29.0 - api.SAFETY_SECONDS  # the retries kept to the time left
    assert len(world.bedrock.invocations) == 1
    assert not [k for k in world.stored_keys() if k.endswith("/image.png")]


def test_the_retries_of_an_image_write_wait_on_the_request_clock_and_stop_before_its_end(world):
    s3_unavailable(world, "/image.png")
    world.generate({"prompt": PROMPT, "evaluate": False})
    assert len(world.clock.slept) >= 2  # more than one try beyond botocore's own
    waits = [line for line in world.log_lines() if line["event"] == "retry_wait"]
    assert waits and all(line["code"] == "storage_unavailable" for line in waits)


def test_an_image_too_large_to_answer_inline_is_named_in_the_error_without_its_bytes():
    big = GeneratedImage(data=b"\0" * (unstored.INLINE_IMAGE_BYTES + 1), format="png", width=1, height=1, seed=1)
    small = GeneratedImage(data=b"\1" * 10, format="png", width=1, height=1, seed=2)
    shown = unstored.inline_images([big, small])
    assert "image_base64" not in shown[0] and shown[0]["inline"] is False
    assert base64.b64decode(shown[1]["image_base64"]) == b"\1" * 10 and shown[1]["inline"] is True


@pytest.mark.parametrize("fits", [True, False])
def test_the_inline_images_of_one_answer_fit_lambdas_payload_limit_together(fits):
    share = unstored.INLINE_IMAGE_BYTES // 2 - (0 if fits else -10)
    images = [GeneratedImage(data=b"\2" * share, format="png", width=1, height=1, seed=i) for i in range(2)]
    shown = unstored.inline_images(images)
    assert [item["inline"] for item in shown] == ([True, True] if fits else [True, False])


def test_a_verdict_paid_for_an_image_s3_never_takes_comes_back_inline_beside_it(world):
    """The judge looks at the image while its writes run: when S3 then refuses the image, the
    verdict (paid for too) is given with the image, not dropped."""
    judged = threading.Event()
    called = world.bedrock.converse

    def converse(**kwargs):
        answer = called(**kwargs)
        judged.set()
        return answer

    world.bedrock.converse = converse
    world.s3.meta.events.register(
        "before-parameter-build.s3.PutObject",
        lambda params, **_: judged.wait(timeout=5) if params["Key"].endswith("/image.png") else None,
    )
    s3_unavailable(world, "/image.png")
    status, body = world.generate({"prompt": PROMPT, "evaluate": True})
    assert status == 503 and body["error"]["code"] == "image_not_stored", body
    assert world.bedrock.conversations, "the judge was not called"
    (image,) = body["error"]["images"]
    verdict = image["evaluation"]
    assert verdict["status"] == "done" and 1 <= verdict["score"] <= 10
    assert verdict["judge_model"] and verdict["suggestions"]
