"""Whatever a caller sends, the answer is never a 500: arbitrary JSON bodies against each route,
half of them a valid request with a few fields overwritten."""

import json

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from imagegen.handlers import evaluate, generate, modify
from imagegen.models import fields

from tests.fakes import api_event

# any code point, lone surrogates too (a JSON body holds them as "\\ud800" escapes); st.text
# would all but never draw a surrogate, so the strings are joined from characters
CHARACTERS = st.characters(codec=None, exclude_categories=()) | st.characters(
    min_codepoint=0xD800, max_codepoint=0xDFFF
)
TEXT = st.lists(CHARACTERS, max_size=15).map("".join)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-10, 5000)
    | st.floats(allow_nan=False)
    | TEXT
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
@given(name=st.sampled_from(sorted(ROUTES)), from_valid=st.booleans(), encoded=st.booleans(), data=st.data())
def test_no_request_body_makes_a_500(world, name, from_valid, encoded, data):
    module, resource, fields, valid = ROUTES[name]
    if not hasattr(world, "known_id"):
        world.known_id = world.generate({"prompt": "a red fox", "evaluate": False})[1]["image_id"]
    body = valid(world.known_id) if from_valid else {}
    overlay = st.dictionaries(st.sampled_from([*fields, "unknown"]), values, max_size=1 if from_valid else 5)
    body.update(data.draw(st.just({}) | overlay if from_valid else overlay))
    status, answer = world.call(module, api_event("POST", resource, body, base64_body=encoded))
    event(f"{name} -> {status}{' (base64)' if encoded else ''}")
    assert status != 500, json.dumps(answer)
    assert status == 200 or set(answer["error"]) >= {"code", "message"}
    if lone_surrogate_in(body):
        event(f"lone surrogate -> {status}")
        assert status == 400, json.dumps(answer)


def lone_surrogate_in(value: object) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(lone_surrogate_in(v) for v in value.values())
    return isinstance(value, list) and any(lone_surrogate_in(v) for v in value)


@pytest.mark.parametrize("encoded", [True, False], ids=["base64", "text"])
@pytest.mark.parametrize("body", [{"prompt": "a red fox"}, ["a red fox"], 42, True], ids=type)
def test_a_body_that_is_not_a_string_is_a_400(world, body, encoded):
    event = api_event("POST", "/generate-image", raw_body="")
    event.update(body=body, isBase64Encoded=encoded)
    status, answer = world.call(generate, event)
    assert (status, answer["error"]["code"]) == (400, "invalid_request"), json.dumps(answer)
    assert ("base64" if encoded else "not valid JSON") in answer["error"]["message"]
    assert world.bedrock.invocations == []


LONE = ["\ud800", "\udfff", "a fox \udc80 in snow"]


@pytest.mark.parametrize("text", LONE)
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("generate", lambda text, image_id: {"prompt": text}),
        ("generate", lambda text, image_id: {"prompt": "a red fox", "negative_prompt": text}),
        ("generate", lambda text, image_id: {"prompt": "a red fox", "colors": ["#FF0000", text]}),
        (
            "modify",
            lambda text, image_id: {"image_id": image_id, "mode": "recolor", "prompt": "blue", "mask_prompt": text},
        ),
        ("evaluate", lambda text, image_id: {"image_id": image_id, "judge_model": text}),
    ],
)
def test_text_holding_a_lone_surrogate_is_a_400_naming_the_field_before_any_call(world, name, body, text):
    module, resource, _, _ = ROUTES[name]
    known_id = world.generate({"prompt": "a red fox", "evaluate": False})[1]["image_id"]
    calls = len(world.bedrock.invocations)
    sent = body(text, known_id)
    field = next(key for key, value in sent.items() if text in (value if isinstance(value, list) else [value]))
    status, answer = world.call(module, api_event("POST", resource, sent))
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_parameter", field)
    assert "surrogate" in answer["error"]["message"]
    json.dumps(answer, ensure_ascii=False).encode()  # the answer itself is UTF-8 text
    assert len(world.bedrock.invocations) == calls


@pytest.mark.parametrize("encoded", [False, True])
def test_a_json_surrogate_escape_in_the_raw_body_is_a_400_naming_the_field(world, encoded):
    event = api_event("POST", "/generate-image", raw_body='{"prompt": "a red fox \\ud83e"}', base64_body=encoded)
    status, answer = world.call(generate, event)
    assert (status, answer["error"]["code"], answer["error"]["field"]) == (400, "invalid_parameter", "prompt")
    assert world.bedrock.invocations == []


def test_a_surrogate_pair_escape_is_ordinary_text(world):
    status, _ = world.call(
        generate, api_event("POST", "/generate-image", raw_body='{"prompt": "a red fox \\ud83e\\udd8a"}')
    )
    assert status == 200
