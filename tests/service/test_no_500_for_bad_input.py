"""Whatever a caller sends, the answer is never a 500: arbitrary JSON bodies against each route,
half of them a valid request with a few fields overwritten."""

import json

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from imagegen.handlers import evaluate, generate, modify
from imagegen.models import fields

from tests.fakes import api_event

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 5000)
    | st.floats(allow_nan=False)
    | st.text(max_size=15)
    | st.sampled_from(
        ["1024x1024", "16:9", "inpaint", "upscale", "recolor", "#FF0000", "stability.stable-image-core-v1:1"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["left", "up", "x"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def names(body: fields.Body) -> tuple[str, ...]:
    return tuple(row.name for row in body.fields())


ROUTES = {
    "generate": (generate, "/generate-image", names(fields.GENERATE), lambda image_id: {"prompt": "a red fox"}),
    "modify": (
        modify,
        "/modify-image",
        names(fields.MODIFY),
        lambda image_id: {"image_id": image_id, "mode": "recolor", "prompt": "blue", "mask_prompt": "the fox"},
    ),
    "evaluate": (evaluate, "/evaluate-image", names(fields.EVALUATE), lambda image_id: {"image_id": image_id}),
}


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(name=st.sampled_from(sorted(ROUTES)), from_valid=st.booleans(), data=st.data())
def test_no_request_body_makes_a_500(world, name, from_valid, data):
    module, resource, fields, valid = ROUTES[name]
    if not hasattr(world, "known_id"):
        world.known_id = world.generate({"prompt": "a red fox", "evaluate": False})[1]["image_id"]
    body = valid(world.known_id) if from_valid else {}
    overlay = st.dictionaries(st.sampled_from([*fields, "unknown"]), values, max_size=1 if from_valid else 5)
    body.update(data.draw(st.just({}) | overlay if from_valid else overlay))
    status, answer = world.call(module, api_event("POST", resource, body))
    event(f"{name} -> {status}")
    assert status != 500, json.dumps(answer)
    assert status == 200 or set(answer["error"]) >= {"code", "message"}
