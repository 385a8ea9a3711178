"""The JSON Schema -> API Gateway model converter, keyword by keyword."""

import pytest

SCHEMA = {
    "title": "EveryKeywordRequest",
    "description": "a body that uses every keyword the request schemas may carry",
    "type": "object",
    "required": ["prompt"],
    "additionalProperties": False,
    "minProperties": 1,
    "maxProperties": 10,
    "properties": {
        "prompt": {"type": "string", "description": "what to draw", "minLength": 1, "maxLength": 1024},
        "style": {"type": "string", "enum": ["photo", "sketch"], "default": "photo", "description": "look"},
        "image_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$", "format": "uuid"},
        "count": {"type": "integer", "minimum": 1, "maximum": 5, "default": 1, "multipleOf": 1},
        "strength": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1, "exclusiveMaximum": False},
        "evaluate": {"type": "boolean", "default": True, "description": "judge the result"},
        "colors": {
            "type": "array",
            "description": "the palette",
            "items": {"type": "string", "pattern": "^#[0-9A-Fa-f]{6}$"},
            "minItems": 1,
            "maxItems": 10,
            "uniqueItems": True,
        },
        "size": {"type": "array", "items": [{"type": "integer"}, {"type": "integer"}]},
        "seed": {"type": ["integer", "null"]},
        "options": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def _rendered(schema, tmp_path):
    """The schema as API Gateway gets it: the Model's Schema property in a synthesized template."""
    import aws_cdk as cdk
    from aws_cdk import aws_apigateway as apigw
    from aws_cdk.assertions import Template

    from stacks.request_models import json_schema

    stack = cdk.Stack(cdk.App(outdir=str(tmp_path)), "Models")
    api = apigw.RestApi(stack, "Api", deploy=False)
    api.root.add_method("GET")  # a RestApi needs a method to synthesize
    api.add_model("Model", content_type="application/json", schema=json_schema(schema))
    models = Template.from_stack(stack).find_resources("AWS::ApiGateway::Model")
    (model,) = models.values()
    return model["Properties"]["Schema"]


def test_every_keyword_reaches_the_model_as_json_schema_spells_it(tmp_path):
    assert _rendered(SCHEMA, tmp_path) == {"$schema": "http://json-schema.org/draft-04/schema#", **SCHEMA}


def test_a_keyword_with_no_mapping_is_refused_not_dropped():
    from stacks.request_models import json_schema

    with pytest.raises(ValueError, match="'oneOf' has no CDK mapping"):
        json_schema({"title": "T", "type": "object", "properties": {"x": {"oneOf": [{"type": "string"}]}}})
