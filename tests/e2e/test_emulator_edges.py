"""The emulator answers every request (never a dropped connection), checks what the docs say
Bedrock checks, and its fault settings do what they say."""

import base64
import io
import json
import random
import time

import boto3
import pytest
from botocore.exceptions import ClientError
from imagegen import png
from PIL import Image

from imagegen_local.emulator import jpeg
from imagegen_local.http import call_json

PICTURE = png.solid(64, 64, (10, 20, 30))


def raw_converse(bedrock, model, body):
    """Converse with a body botocore would never build, sent as it is (the emulator must still answer)."""

    def inject(request, **_):
        request.data = json.dumps(body).encode()
        request.headers["Content-Length"] = str(len(request.data))

    bedrock.meta.events.register("before-sign.bedrock-runtime.Converse", inject)
    try:
        bedrock.converse(modelId=model, messages=[{"role": "user", "content": [{"text": "x"}]}])
    except ClientError as exc:
        return exc.response
    finally:
        bedrock.meta.events.unregister("before-sign.bedrock-runtime.Converse", inject)
    raise AssertionError("accepted")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": ["hi"]}, "must start with a user message"),
        (
            {"messages": [{"role": "user", "content": [{"text": "a"}]}, {"role": "user", "content": [{"text": "b"}]}]},
            "must alternate",
        ),
        ({"messages": [{"role": "user", "content": []}]}, "content field in the Message object"),
        (
            {"messages": [{"role": "user", "content": [{"text": "   "}]}]},
            "text field in the ContentBlock object is blank",
        ),
        (
            {"messages": [{"role": "user", "content": [{"text": "a"}]}], "toolConfig": [1]},
            "toolConfig must be an object",
        ),
        (
            {
                "messages": [{"role": "user", "content": [{"text": "a"}]}],
                "toolConfig": {
                    "tools": [{"toolSpec": {"name": "t", "inputSchema": {"json": {"type": "object"}}}}],
                    "toolChoice": {"tool": "a"},
                },
            },
            "toolChoice",
        ),
        (
            {"messages": [{"role": "user", "content": [{"text": "a"}]}], "inferenceConfig": {"temperature": "hot"}},
            "temperature must be a number",
        ),
        (
            {"messages": [{"role": "user", "content": [{"text": "a"}]}], "inferenceConfig": {"maxTokens": 1_000_000}},
            "maximum tokens",
        ),
    ],
)
def test_converse_bodies_bedrock_rejects_are_rejected_with_a_400(bedrock, body, message):
    response = raw_converse(bedrock, "us.amazon.nova-lite-v1:0", body)
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    assert message in response["Error"]["Message"]


def test_more_than_twenty_images_are_rejected(bedrock):
    content = [{"image": {"format": "png", "source": {"bytes": PICTURE}}} for _ in range(21)] + [{"text": "judge"}]
    with pytest.raises(ClientError, match="at most 20"):
        bedrock.converse(modelId="us.amazon.nova-lite-v1:0", messages=[{"role": "user", "content": content}])


def test_a_malformed_anthropic_body_gets_an_answer_not_a_dropped_connection(bedrock):
    body = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 10, "messages": [{"role": "user", "content": [1]}]}
    with pytest.raises(ClientError) as caught:
        bedrock.invoke_model(modelId="us.anthropic.claude-haiku-4-5-20251001-v1:0", body=json.dumps(body))
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] in (400, 500)


def test_a_body_over_25_mb_is_rejected(bedrock):
    with pytest.raises(ClientError, match="at most 25,000,000"):
        bedrock.invoke_model(
            modelId="stability.stable-image-core-v1:1", body=b'{"prompt": "' + b"x" * 25_000_001 + b'"}'
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"prompt": "x", "image": base64.b64encode(PICTURE).decode(), "aspect_ratio": "1:1"},
            "aspect_ratio is only allowed for text-to-image",
        ),
        ({"prompt": "x", "strength": 0.5}, "strength is only allowed with an image"),
    ],
)
def test_ultra_image_to_image_rules(bedrock, body, message):
    with pytest.raises(ClientError, match=message):
        bedrock.invoke_model(modelId="stability.stable-image-ultra-v1:1", body=json.dumps(body))


def test_jpeg_output_is_a_real_jpeg_and_webp_is_a_named_emulator_limit(bedrock):
    answer = json.loads(
        bedrock.invoke_model(
            modelId="stability.stable-image-core-v1:1", body=json.dumps({"prompt": "x", "output_format": "jpeg"})
        )["body"].read()
    )
    data = base64.b64decode(answer["images"][0])
    assert data[:3] == b"\xff\xd8\xff" and data.endswith(b"\xff\xd9") and b"EMULATED" in data
    with pytest.raises(ClientError) as caught:
        bedrock.invoke_model(
            modelId="stability.sd3-5-large-v1:0", body=json.dumps({"prompt": "x", "output_format": "webp"})
        )
    assert (caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "EmulatorLimitationException",
        501,
    )


def test_the_jpeg_writer_codes_every_block_and_stuffs_ff_bytes():
    dice = random.Random(7)  # a block's colour is sampled at its centre: one colour per 8x8 block
    colours = [[tuple(dice.randrange(256) for _ in range(3)) for _ in range(16)] for _ in range(12)]
    rows = [b"".join(bytes(colours[y // 8][x // 8]) for x in range(128)) for y in range(96)]
    data = jpeg.encode(128, 96, rows)
    scan = data[data.index(b"\xff\xda") + 14 : -2]
    ff_at = [i for i in range(len(scan)) if scan[i] == 0xFF]
    assert len(ff_at) >= 3  # random DC differences code into 0xFF bytes that need stuffing
    assert all(i + 1 < len(scan) and scan[i + 1] == 0x00 for i in ff_at)
    decoded = Image.open(io.BytesIO(data))
    decoded.load()  # an unstuffed 0xFF reads as a marker: the scan would end early or decode wrong
    for by, line in enumerate(colours):
        for bx, colour in enumerate(line):
            got = decoded.getpixel((bx * 8 + 4, by * 8 + 4))
            assert max(abs(a - b) for a, b in zip(got, colour, strict=True)) <= 3, (bx, by, got, colour)


def test_the_faults_endpoint_changes_settings_and_refuses_bad_ones(emulator, local_env):
    status, _ = call_json("POST", f"{emulator.url}/_emulator/faults", {"throttle_rate": "x"})
    assert status == 400 and emulator.faults.throttle_rate == 0.0
    status, faults = call_json("POST", f"{emulator.url}/_emulator/faults", {"latency_seconds": 0.3})
    assert status == 200 and faults["latency_seconds"] == 0.3
    client = boto3.client("bedrock-runtime", region_name="us-west-2")
    started = time.monotonic()
    client.invoke_model(modelId="stability.stable-image-core-v1:1", body=json.dumps({"prompt": "x"}))
    assert time.monotonic() - started >= 0.3


def test_the_today_fault_moves_the_lifecycle(emulator, local_env):
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    body = json.dumps({"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}})
    emulator.configure(today="2026-05-01")  # before Titan v2's end of life
    assert json.loads(client.invoke_model(modelId="amazon.titan-image-generator-v2:0", body=body)["body"].read())[
        "images"
    ]
    emulator.configure(today="2026-07-01")
    with pytest.raises(ClientError, match="end of its life"):
        client.invoke_model(modelId="amazon.titan-image-generator-v2:0", body=body)


def test_a_verdict_says_it_is_emulated_wherever_it_reads_as_an_opinion(bedrock):
    tool = {"toolSpec": {"name": "evaluation", "inputSchema": {"json": {"type": "object"}}}}
    answer = bedrock.converse(
        modelId="us.amazon.nova-lite-v1:0",
        messages=[
            {
                "role": "user",
                "content": [{"image": {"format": "png", "source": {"bytes": PICTURE}}}, {"text": '"a fox"'}],
            }
        ],
        toolConfig={"tools": [tool], "toolChoice": {"tool": {"name": "evaluation"}}},
    )
    verdict = answer["output"]["message"]["content"][0]["toolUse"]["input"]
    assert all("emulated" in verdict[key].lower() for key in ("description", "reason", "suggestions"))
    assert len(verdict["suggestions"].split()) <= 20  # the judge schema's limit
    assert verdict["revised_prompt"].startswith("a fox, ")  # a plain prompt, ready to send back to a generator


@pytest.mark.parametrize(
    ("model", "body", "pointer"),
    [
        ("stability.stable-image-core-v1:1", {"prompt": "a fox \ud800"}, "#/prompt"),
        ("stability.sd3-5-large-v1:0", {"prompt": "a fox", "negative_prompt": "\udfff"}, "#/negative_prompt"),
        (
            "us.amazon.nova-lite-v1:0",
            {"messages": [{"role": "user", "content": [{"text": "judge \ud800"}]}]},
            "#/messages/0/content/0/text",
        ),
    ],
)
def test_a_lone_surrogate_escape_in_an_invoke_body_is_a_validation_exception(bedrock, model, body, pointer):
    with pytest.raises(ClientError) as caught:
        bedrock.invoke_model(modelId=model, body=json.dumps(body))  # json.dumps writes "\ud800" escapes
    error = caught.value.response
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    assert pointer in error["Error"]["Message"] and "surrogate" in error["Error"]["Message"]


def test_a_lone_surrogate_escape_in_a_converse_body_is_a_validation_exception(bedrock):
    body = {"messages": [{"role": "user", "content": [{"text": "judge \udbff this"}]}]}
    error = raw_converse(bedrock, "us.amazon.nova-lite-v1:0", body)
    assert (error["Error"]["Code"], error["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    assert "#/messages/0/content/0/text" in error["Error"]["Message"]


def test_a_surrogate_pair_escape_is_one_character_to_the_emulator(bedrock):
    answer = bedrock.invoke_model(
        modelId="stability.stable-image-core-v1:1", body=json.dumps({"prompt": "a fox \U0001f98a"})
    )
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
