"""The handlers' request schemas (JSON Schema dicts, draft 4) as the models API Gateway validates
bodies with, and the body of API Gateway's own error answers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aws_cdk import aws_apigateway as apigw

_TYPES = {
    "null": apigw.JsonSchemaType.NULL,
    "boolean": apigw.JsonSchemaType.BOOLEAN,
    "object": apigw.JsonSchemaType.OBJECT,
    "array": apigw.JsonSchemaType.ARRAY,
    "number": apigw.JsonSchemaType.NUMBER,
    "integer": apigw.JsonSchemaType.INTEGER,
    "string": apigw.JsonSchemaType.STRING,
}

# Keywords whose value is passed on as it is: JSON Schema's name -> CDK JsonSchema's.
_VALUES = {
    "title": "title",
    "description": "description",
    "default": "default",
    "enum": "enum",
    "format": "format",
    "pattern": "pattern",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",  # draft 4: a flag on minimum
    "exclusiveMaximum": "exclusive_maximum",
    "multipleOf": "multiple_of",
    "minItems": "min_items",
    "maxItems": "max_items",
    "uniqueItems": "unique_items",
    "required": "required",
    "minProperties": "min_properties",
    "maxProperties": "max_properties",
}


def json_schema(schema: Mapping[str, Any]) -> apigw.JsonSchema:
    """A request body's draft-4 JSON Schema as CDK's JsonSchema (`$schema` added at its top).

    Raises ValueError on a keyword with no mapping here, rather than leave it out of the model
    API Gateway checks bodies against."""
    return _convert(schema, {"schema": apigw.JsonSchemaVersion.DRAFT4})


def _convert(schema: Mapping[str, Any], args: dict[str, Any]) -> apigw.JsonSchema:
    for key, value in schema.items():
        if key in _VALUES:
            args[_VALUES[key]] = value
        elif key == "type":
            args["type"] = [_TYPES[t] for t in value] if isinstance(value, list) else _TYPES[value]
        elif key == "properties":
            args["properties"] = {name: _convert(sub, {}) for name, sub in value.items()}
        elif key == "items":  # one schema for every item, or one per position
            args["items"] = [_convert(sub, {}) for sub in value] if isinstance(value, list) else _convert(value, {})
        elif key == "additionalProperties":  # false, or the schema the other properties follow
            args["additional_properties"] = value if isinstance(value, bool) else _convert(value, {})
        else:
            raise ValueError(f"JSON Schema keyword {key!r} has no CDK mapping yet (in {sorted(schema)})")
    return apigw.JsonSchema(**args)


def gateway_error_template(code: str) -> str:
    """A response template in the handlers' error shape, {"error": {"code", "message"}}, with API
    Gateway's message ($context.error.messageString is already a quoted JSON string)."""
    placeholder = "__MESSAGE__"
    return json.dumps({"error": {"code": code, "message": placeholder}}).replace(
        f'"{placeholder}"', "$context.error.messageString"
    )
