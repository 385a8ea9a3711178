"""The field table is the one definition of a request's fields: ImageRequest, the API's schemas and
the handlers' reading all agree with it."""

import dataclasses
import typing

import pytest
from imagegen.handlers import requests, schemas
from imagegen.models import fields
from imagegen.models.fields import FIELDS, Kind
from imagegen.models.request import ImageRequest, Margins

# the Python type an ImageRequest field of each kind has
PYTHON_TYPES = {
    Kind.TEXT: str | None,
    Kind.INTEGER: int | None,
    Kind.NUMBER: float | None,
    Kind.IMAGE: bytes | None,
    Kind.COLORS: tuple[str, ...],
    Kind.MARGINS: Margins | None,
}


def test_every_request_row_is_an_image_request_field_of_its_kinds_type():
    hints = typing.get_type_hints(ImageRequest)
    declared = {f.name for f in dataclasses.fields(ImageRequest)} - {"task", "images"}
    rows = {row.name: row for row in FIELDS if row.request}
    assert set(rows) == declared
    for name, row in rows.items():
        wanted = int if name == "count" else PYTHON_TYPES[row.kind]  # count defaults to 1, never None
        assert hints[name] == wanted, name


def test_options_of_a_call_are_not_image_request_fields():
    options = {row.name for row in FIELDS if not row.request}
    assert options == {"model", "image_id", "mode", "size", "evaluate", "judge_model"}
    assert not options & {f.name for f in dataclasses.fields(ImageRequest)}


@pytest.mark.parametrize("body", [fields.GENERATE, fields.MODIFY, fields.EVALUATE], ids=lambda b: b.title)
def test_each_schema_property_is_a_row_described_by_its_help(body):
    schema = schemas.schema(body)
    assert schema["title"] == body.title
    assert list(schema["properties"]) == [row.name for row in body.fields()]
    for row in body.fields():
        assert schema["properties"][row.name]["description"] == row.help
    assert set(schema["required"]) <= set(schema["properties"])


def test_a_body_default_is_in_its_schema_and_in_what_the_handler_reads():
    assert schemas.GENERATE["properties"]["evaluate"]["default"] is True
    assert schemas.MODIFY["properties"]["evaluate"]["default"] is False
    assert requests.generate_input({"prompt": "a fox"}).evaluate is True
    assert requests.modify_input({"image_id": "A" * 22, "mode": "upscale"}).evaluate is False


def test_size_is_read_by_the_one_parser_into_width_and_height():
    request = requests.generate_input({"prompt": "a fox", "size": " 1280 x 720 "}).request
    assert (request.width, request.height) == (1280, 720)


def test_the_generate_body_takes_colour_guidance_and_the_output_format():
    request = requests.generate_input(
        {"prompt": "a poster", "colors": ["#FF0000"], "reference_image": "iVBORw0KGgo=", "output_format": "jpeg"}
    ).request
    assert (request.colors, request.reference_image[:4], request.output_format) == (("#FF0000",), b"\x89PNG", "jpeg")


def test_every_field_of_a_modification_is_in_the_modify_body():
    modify = set(requests.MODIFY_FIELDS)
    assert {"margins", "mask_image", "mask_prompt", "strength", "outpaint_mode", "grow_mask", "creativity"} <= modify
    assert {"output_format", "seed", "style", "negative_prompt", "judge_model", "evaluate"} <= modify
    assert not {"size", "colors", "reference_image", "aspect_ratio"} & modify
