"""The field table is the one definition of a request's fields: ImageRequest, the API's schemas and
the handlers' reading all agree with it."""

import dataclasses
import typing

import pytest
from imagegen.handlers import requests, schemas
from imagegen.models import fields
from imagegen.models.fields import FIELDS, Kind
from imagegen.models.request import ImageRequest, Margins, Task

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
    assert options == {"model", "image_id", "mode", "size", "evaluate", "judge_model", "client_token", "style_image_id"}
    assert not options & {f.name for f in dataclasses.fields(ImageRequest)}


@pytest.mark.parametrize("body", [fields.GENERATE, fields.MODIFY, fields.EVALUATE], ids=lambda b: b.title)
def test_each_schema_property_is_a_row_described_by_its_help(body):
    schema = schemas.schema(body)
    assert schema["title"] == body.title
    assert list(schema["properties"]) == [row.name for row in body.fields()]
    for row in body.fields():
        assert schema["properties"][row.name]["description"] == row.described()
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
    modify = {row.name for row in fields.MODIFY.fields()}
    assert {"margins", "mask_image", "mask_prompt", "strength", "outpaint_mode", "grow_mask", "creativity"} <= modify
    assert {"output_format", "seed", "style", "negative_prompt", "judge_model", "evaluate"} <= modify
    assert {"size", "width", "height"} <= modify  # a Titan or Canvas variation's output size
    assert {"aspect_ratio"} <= modify  # a style guide's output
    assert {"control_strength", "fidelity", "style_image", "style_image_id", "change_strength"} <= modify
    assert not {"colors", "reference_image"} & modify


class _Allowed(Exception):
    """Stops a builder at its list of the fields it takes."""

    def __init__(self, names):
        super().__init__()
        self.names = set(names)


def taken_by_builders(monkeypatch):
    """task -> the request fields some registry model's builder takes for it."""
    from imagegen.models.checks import Checker
    from imagegen.models.images import build_request
    from imagegen.models.registry import all_models

    def stop(self, names):
        raise _Allowed(names)

    monkeypatch.setattr(Checker, "only", stop)
    taken: dict = {}
    for record in all_models():
        for task in record.tasks:
            if task is Task.JUDGE:
                continue
            try:
                build_request(record.id, ImageRequest(task=task), allow_retired=True)
            except _Allowed as allowed:
                taken.setdefault(task, set()).update(allowed.names - {"images"})  # sources come from storage
    return taken


def test_a_fields_tasks_are_the_tasks_some_builder_takes_it_for(monkeypatch):
    taken = taken_by_builders(monkeypatch)
    claimed = {task: {row.name for row in FIELDS if row.request and task in row.tasks} for task in taken}
    assert claimed == taken
