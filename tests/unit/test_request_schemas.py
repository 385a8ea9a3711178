"""The JSON schemas API Gateway validates with accept what the handlers accept, and keep out junk."""

import pytest
from imagegen.errors import InvalidParameter
from imagegen.handlers import requests, schemas
from imagegen.models import fields
from imagegen.models.fields import Kind
from jsonschema import Draft4Validator


def test_the_schemas_are_valid_draft_4():
    for schema in (schemas.GENERATE, schemas.MODIFY, schemas.EVALUATE):
        Draft4Validator.check_schema(schema)


IMAGE_ID = "AbCdEfGhIjKlMnOpQrStUv"
# a kind -> a value of it, and a value of the wrong JSON type
SAMPLES = {
    Kind.TEXT: ("a hat", 5),
    Kind.INTEGER: (3, "3"),
    Kind.NUMBER: (0.5, "half"),
    Kind.FLAG: (True, "yes"),
    Kind.SIZE: ("1024x768", "big"),
    Kind.COLORS: (["#FF9800"], "#FF9800"),
    Kind.IMAGE: ("iVBORw0KGgo=", 5),
    Kind.MARGINS: ({"left": 64}, 64),
    Kind.MODEL: ("stability.stable-image-core-v1:1", 5),
    Kind.IMAGE_ID: (IMAGE_ID, "../etc/passwd"),
    Kind.MODE: ("upscale", "sharpen"),
}
BODIES = [
    (fields.GENERATE, schemas.GENERATE, requests.generate_input, {"prompt": "a fox"}),
    (fields.MODIFY, schemas.MODIFY, requests.modify_input, {"image_id": IMAGE_ID, "mode": "variation"}),
    (fields.EVALUATE, schemas.EVALUATE, requests.evaluate_input, {"image_id": IMAGE_ID}),
]
CASES = [(body, schema, read, base, row) for body, schema, read, base in BODIES for row in body.fields()]


@pytest.mark.parametrize(
    ("body", "schema", "read", "base", "row"), CASES, ids=[f"{c[0].title}.{c[4].name}" for c in CASES]
)
def test_the_gateway_and_the_handler_agree_on_every_field(body, schema, read, base, row):
    good, wrong_type = SAMPLES[row.kind]
    Draft4Validator(schema).validate({**base, row.name: good})
    read({**base, row.name: good})
    assert list(Draft4Validator(schema).iter_errors({**base, row.name: wrong_type}))
    with pytest.raises(InvalidParameter) as refused:
        read({**base, row.name: wrong_type})
    assert refused.value.field == row.name


def test_an_empty_colour_list_is_refused_by_both_not_read_as_no_colours():
    body = {"prompt": "a poster", "colors": []}
    assert list(Draft4Validator(schemas.GENERATE).iter_errors(body))
    with pytest.raises(InvalidParameter) as refused:
        requests.generate_input(body)
    assert refused.value.field == "colors"


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (schemas.GENERATE, {"prompt": "a fox"}),
        (
            schemas.GENERATE,
            {
                "prompt": "a fox",
                "size": "1024x768",
                "seed": 3,
                "count": 2,
                "evaluate": False,
                "model": "m",
                "quality": "premium",
            },
        ),
        (schemas.MODIFY, {"image_id": IMAGE_ID, "mode": "outpaint", "margins": {"left": 100}, "creativity": 0.5}),
        (schemas.MODIFY, {"image_id": IMAGE_ID, "mode": "inpaint", "prompt": "a hat", "mask_image": "iVBORw0KGgo="}),
        (schemas.EVALUATE, {"image_id": IMAGE_ID, "judge_model": "amazon.nova-lite-v1:0"}),
    ],
)
def test_valid_bodies_pass_the_gateway_and_the_handler(schema, body):
    Draft4Validator(schema).validate(body)
    parse = {
        "GenerateImageRequest": requests.generate_input,
        "ModifyImageRequest": requests.modify_input,
        "EvaluateImageRequest": requests.evaluate_input,
    }[schema["title"]]
    parse(body)


@pytest.mark.parametrize(
    ("schema", "body"),
    [
        (schemas.GENERATE, {}),
        (schemas.GENERATE, {"prompt": ""}),
        (schemas.GENERATE, {"prompt": "a fox", "colour": "red"}),
        (schemas.GENERATE, {"prompt": "a fox", "seed": -1}),
        (schemas.GENERATE, {"prompt": "a fox", "size": "big"}),
        (schemas.GENERATE, {"prompt": "a fox", "count": 9}),
        (schemas.MODIFY, {"image_id": "../etc/passwd", "mode": "inpaint"}),
        (schemas.MODIFY, {"image_id": IMAGE_ID, "mode": "sharpen"}),
        (schemas.MODIFY, {"image_id": IMAGE_ID, "mode": "outpaint", "margins": {"sideways": 3}}),
        (schemas.EVALUATE, {"judge_model": "x"}),
    ],
)
def test_junk_is_refused_at_the_gateway(schema, body):
    assert list(Draft4Validator(schema).iter_errors(body))
