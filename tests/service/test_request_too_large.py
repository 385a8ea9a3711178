"""POST /modify-image of a stored image too large for InvokeModel's 25,000,000-byte body: a 400
naming the limit, and no model call."""

import base64

from tests.unit.test_invoke_body_limit import big_source


def test_modifying_an_image_too_large_for_invoke_model_is_a_400_naming_the_limit_before_any_call(world):
    answer = {"seeds": [7], "finish_reasons": [None], "images": [base64.b64encode(big_source()).decode()]}
    world.bedrock.image_outcomes.append(answer)
    status, generated = world.generate({"prompt": "a fox", "evaluate": False})
    assert status == 200
    calls = len(world.bedrock.invocations)
    status, body = world.modify(
        {"image_id": generated["image_id"], "mode": "variation", "prompt": "the fox in autumn", "strength": 0.5}
    )
    assert status == 400
    assert body["error"]["code"] == "request_too_large"
    assert "InvokeModel takes at most 25,000,000 bytes" in body["error"]["message"]
    assert len(world.bedrock.invocations) == calls
