"""Judges as Bedrock serves them: Converse (one shape for every vendor) and the legacy
InvokeModel bodies, which differ per vendor (the original pipeline's failure: an Anthropic body
sent to Nova Lite). Each judge's behaviour comes from the emulator's own table (judges.py), by
exact model id; an id not in it is refused. The verdicts themselves: verdicts.py."""

from __future__ import annotations

import base64
import re
from typing import Any

from .errors import malformed, validation
from .judges import judge_for
from .rules import check, enum, image_bytes, integer, number, obj, sniff

MAX_IMAGE_BYTES = 3_750_000  # Converse: each image at most 3.75 MB and 8000 px a side
MAX_SIDE = 8000
MAX_IMAGES = 20
NO_USER_MESSAGE = (
    "A conversation must start with a user message. Try again with a conversation that starts with a user message."
)
TOOL_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


def converse_request(model: str, body: dict[str, Any]) -> dict[str, Any]:
    """Check a Converse request; return what the verdict depends on."""
    judge_for(model)  # an unknown judge is refused before its body is read, as Bedrock does
    allowed = {
        "messages",
        "system",
        "inferenceConfig",
        "toolConfig",
        "additionalModelRequestFields",
        "additionalModelResponseFieldPaths",
        "guardrailConfig",
        "promptVariables",
        "requestMetadata",
        "performanceConfig",
    }
    for key in body:
        if key not in allowed:
            raise validation(
                f"1 validation error detected: Value at '{key}' failed to satisfy constraint: unknown field"
            )
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
        raise validation(NO_USER_MESSAGE)
    if messages[0].get("role") != "user":
        raise validation(NO_USER_MESSAGE)
    texts, images = [], []
    for index, message in enumerate(messages):
        if message.get("role") not in ("user", "assistant"):
            raise validation("messages.role must be user or assistant")
        if index and message["role"] == messages[index - 1]["role"]:
            raise validation(
                "A conversation must alternate between user and assistant roles. Make sure the "
                "conversation alternates between user and assistant roles and try again."
            )
        content = message.get("content")
        if not isinstance(content, list) or not content or not all(isinstance(b, dict) for b in content):
            raise validation(
                "The content field in the Message object at messages.0 is empty. Add a ContentBlock object "
                "to the content field and try again."
            )
        for block in content:
            if len(block) != 1:
                raise validation(
                    "each content block must hold exactly one of text, image, document, toolUse, toolResult"
                )
            if "text" in block:
                if not isinstance(block["text"], str) or not block["text"].strip():
                    raise validation(
                        "The text field in the ContentBlock object is blank. Add text to the text field, and try again."
                    )
                texts.append(block["text"])
            elif "image" in block:
                images.append(_converse_image(block["image"]))
    if len(images) > MAX_IMAGES:
        raise validation(f"Too many images: {len(images)}; a request can carry at most {MAX_IMAGES}.")
    _inference_config(model, body.get("inferenceConfig"))
    tool, fields = _tool_choice(body.get("toolConfig"))
    return {"texts": texts, "images": images, "tool": tool, "fields": fields}


def _inference_config(model: str, config: Any) -> None:
    if config is None:
        return
    if not isinstance(config, dict):
        raise validation("inferenceConfig must be an object")
    max_tokens = config.get("maxTokens")
    ceiling = max_output_tokens(model)
    if max_tokens is not None and (
        isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or not 1 <= max_tokens <= ceiling
    ):
        raise validation(
            f"The maximum tokens you requested ({max_tokens}) must be from 1 to this model's limit of {ceiling}."
        )
    for key in ("temperature", "topP"):
        value = config.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1
        ):
            raise validation(f"inferenceConfig.{key} must be a number from 0 to 1")
    if "temperature" in config and "topP" in config and judge_for(model).one_sampling_parameter:
        raise validation("temperature and top_p cannot both be specified for this model. Please use only one.")


def max_output_tokens(model: str) -> int:
    """Each judge's output ceiling, from the emulator's table (the model cards)."""
    return judge_for(model).max_output_tokens


def _converse_image(image: Any) -> bytes:
    if not isinstance(image, dict):
        raise validation("image must be an object with format and source")
    declared = image.get("format")
    if declared not in ("png", "jpeg", "gif", "webp"):
        raise validation(
            f"1 validation error detected: Value '{declared}' at 'image.format' failed to satisfy "
            "constraint: Member must satisfy enum value set: [gif, jpeg, png, webp]"
        )
    try:
        data = base64.b64decode(image["source"]["bytes"], validate=True)
    except (KeyError, TypeError, ValueError):
        raise validation("image.source.bytes must be base64-encoded image bytes") from None
    actual, width, height = sniff(data)
    if actual != declared:
        raise validation(f"The image format {declared} does not match the image bytes, which are {actual}.")
    if len(data) > MAX_IMAGE_BYTES:
        raise validation(f"The image is {len(data):,} bytes; an image can be at most 3.75 MB.")
    if max(width, height) > MAX_SIDE:
        raise validation(f"The image is {width}x{height}; each side can be at most 8000 pixels.")
    return data


def _tool_choice(config: Any) -> tuple[str | None, dict[str, Any] | None]:
    """The tool the model must call (None when it may answer in text), and the properties its
    input schema asks for (of the first tool when none is forced; None without tools)."""
    if config is None:
        return None, None
    if not isinstance(config, dict):
        raise validation("toolConfig must be an object")
    tools = config.get("tools")
    if not isinstance(tools, list) or not tools or not all(isinstance(t, dict) for t in tools):
        raise validation("toolConfig.tools must hold at least one tool")
    names = []
    schemas: list[dict[str, Any]] = []
    for tool in tools:
        spec = tool.get("toolSpec") if isinstance(tool.get("toolSpec"), dict) else {}
        if not TOOL_NAME.match(str(spec.get("name", ""))):
            raise validation("toolSpec.name must match [a-zA-Z0-9_-]{1,64}")
        schema = spec.get("inputSchema", {}).get("json") if isinstance(spec.get("inputSchema"), dict) else None
        if not isinstance(schema, dict) or schema.get("type") != "object":
            raise validation("The value at toolConfig.tools.0.toolSpec.inputSchema.json.type must be object")
        names.append(spec["name"])
        schemas.append(schema)
    choice = config.get("toolChoice") or {"auto": {}}
    if not isinstance(choice, dict) or len(choice) != 1 or next(iter(choice)) not in ("auto", "any", "tool"):
        raise validation("toolChoice must be one of auto, any or tool")
    forced: str | None = names[0] if "any" in choice else None
    if "tool" in choice:
        if not isinstance(choice["tool"], dict) or choice["tool"].get("name") not in names:
            raise validation("toolChoice.tool.name must name one of the tools")
        forced = choice["tool"]["name"]
    properties = schemas[names.index(forced) if forced else 0].get("properties")
    return forced, properties if isinstance(properties, dict) else {}


# --- legacy InvokeModel bodies ----------------------------------------------------------------------------

NOVA_IMAGE = obj({"format": enum("png", "jpeg", "gif", "webp"), "source": obj({"bytes": {"type": "string"}})})
NOVA_BODY = obj(
    {
        "messages": {
            "type": "array",
            "minItems": 1,
            "items": obj(
                {
                    "role": enum("user", "assistant"),
                    "content": {
                        "type": "array",
                        "items": obj(optional={"text": {"type": "string"}, "image": NOVA_IMAGE}),
                    },
                }
            ),
        }
    },
    {
        "schemaVersion": enum("messages-v1"),
        "system": {"type": "array", "items": obj({"text": {"type": "string"}})},
        "inferenceConfig": obj(
            optional={
                "maxTokens": integer(1, 10000),
                "max_new_tokens": integer(1, 10000),
                "temperature": number(0, 1),
                "topP": number(0, 1),
                "topK": integer(0, 128),
                "stopSequences": {"type": "array"},
            }
        ),
        "toolConfig": {"type": "object"},
    },
)
ANTHROPIC_BODY = obj(
    {
        "anthropic_version": enum("bedrock-2023-05-31"),
        "max_tokens": integer(1, 64000),
        "messages": {"type": "array", "minItems": 1, "items": obj({"role": enum("user", "assistant"), "content": {}})},
    },
    {
        "system": {},
        "temperature": number(0, 1),
        "top_p": number(0, 1),
        "top_k": integer(0, 500),
        "stop_sequences": {"type": "array"},
        "tools": {"type": "array"},
        "tool_choice": {"type": "object"},
    },
)


def legacy_request(model: str, body: dict[str, Any]) -> dict[str, Any]:
    """An InvokeModel body for a judge: Nova's messages-v1 or Anthropic's Messages API, each
    refused by the other vendor's models."""
    texts: list[str] = []
    images: list[bytes] = []
    if judge_for(model).vendor == "nova":
        check(NOVA_BODY, body)
        for message in body["messages"]:
            for block in message["content"]:
                if "text" in block:
                    texts.append(block["text"])
                if "image" in block:
                    images.append(
                        image_bytes(
                            block["image"]["source"]["bytes"],
                            "#/messages/content/image",
                            ("png", "jpeg", "gif", "webp"),
                        )[0]
                    )
        return {"vendor": "nova", "texts": texts, "images": images, "tool": None}
    check(ANTHROPIC_BODY, body)
    for message in body["messages"]:
        content = message["content"]
        for block in [content] if isinstance(content, str) else content:
            if isinstance(block, str):
                texts.append(block)
            elif block.get("type") == "text":
                texts.append(block.get("text", ""))
            elif block.get("type") == "image":
                source = block.get("source") or {}
                data = image_bytes(source.get("data"), "#/messages/content/source/data", ("png", "jpeg", "gif", "webp"))
                if source.get("media_type") != f"image/{data[1]}":
                    raise validation(
                        f"messages.0.content.0.image.source.base64.media_type: the image is {data[1]}, "
                        f"not {source.get('media_type')}"
                    )
                images.append(data[0])
            else:
                raise malformed(f"#/messages/content: unsupported block type {block.get('type')}")
    return {"vendor": "anthropic", "texts": texts, "images": images, "tool": None}
