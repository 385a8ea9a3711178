"""A request whose image S3 would not take answers it inline (503 image_not_stored); sent again
with the same idempotency key, it answers the same image, without paying for another."""

import base64

from tests.service.test_paid_image_kept import model_image, s3_unavailable

PROMPT = "a red fox sitting in fresh snow"


def test_a_retry_of_a_request_whose_image_was_not_stored_answers_the_same_image_without_a_model_call(world):
    s3_unavailable(world, "/image.png")  # every try of the image's PUT: the image is never stored
    body = {"prompt": PROMPT, "evaluate": False, "client_token": "fox-once"}
    status, first = world.generate(body)
    assert status == 503 and first["error"]["code"] == "image_not_stored", first
    status, again = world.generate(body)
    assert len(world.bedrock.invocations) == 1  # one model call, paid once
    assert status == 503 and again["error"]["code"] == "image_not_stored", again
    (image,) = again["error"]["images"]
    assert base64.b64decode(image["image_base64"]) == model_image(world)
    assert again["error"]["replayed"] is True


def test_a_retry_of_a_modify_whose_edit_was_not_stored_makes_no_second_edit(world):
    _, parent = world.generate({"prompt": PROMPT, "evaluate": False})
    s3_unavailable(world, "/image.png")
    body = {"image_id": parent["image_id"], "mode": "variation", "prompt": PROMPT, "client_token": "edit-once"}
    assert world.modify(body)[0] == 503
    status, again = world.modify(body)
    assert status == 503 and again["error"]["code"] == "image_not_stored", again
    assert len(world.bedrock.invocations) == 2  # the parent and one edit
