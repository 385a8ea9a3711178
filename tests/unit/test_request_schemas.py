"""The JSON schemas API Gateway validates with accept what the handlers accept, and keep out junk."""

import pytest
from imagegen.handlers import requests, schemas
from jsonschema import Draft4Validator


def test_the_schemas_are_valid_draft_4():
    for schema in (schemas.GENERATE, schemas.MODIFY, schemas.EVALUATE):
        Draft4Validator.check_schema(schema)


def test_the_handlers_accept_exactly_the_schema_fields():
    assert tuple(schemas.GENERATE["properties"]) == requests.GENERATE_FIELDS
    assert tuple(schemas.MODIFY["properties"]) == requests.MODIFY_FIELDS
    assert tuple(schemas.EVALUATE["properties"]) == requests.EVALUATE_FIELDS


IMAGE_ID = "AbCdEfGhIjKlMnOpQrStUv"


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
