"""The emulator's own reading of Control Sketch, Control Structure, Style Guide and Style Transfer
(its table keyed by exact model id, written apart from the catalog): it refuses what Bedrock
refuses, in Bedrock's words, through a plain boto3 client, and the images it answers say they
are emulated and what was done."""

import base64
import json

import pytest
from botocore.exceptions import ClientError
from imagegen import png

from imagegen_local.emulator import art

SKETCH = "us.stability.stable-image-control-sketch-v1:0"
STRUCTURE = "us.stability.stable-image-control-structure-v1:0"
STYLE_GUIDE = "us.stability.stable-image-style-guide-v1:0"
STYLE_TRANSFER = "us.stability.stable-style-transfer-v1:0"


def b64(data):
    return base64.b64encode(data).decode()


SOURCE = b64(png.solid(320, 256, (90, 120, 30)))
STYLE = b64(png.solid(128, 128, (200, 20, 20)))


def invoke(client, model_id, body):
    answer = client.invoke_model(modelId=model_id, body=json.dumps(body), contentType="application/json")
    return json.loads(answer["body"].read())


def refusal(client, model_id, body):
    with pytest.raises(ClientError) as caught:
        invoke(client, model_id, body)
    error = caught.value.response["Error"]
    assert (error["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)
    return error["Message"]


@pytest.mark.parametrize(
    ("model_id", "body", "mode", "size"),
    [
        (SKETCH, {"prompt": "a castle", "image": SOURCE, "control_strength": 0.7}, "CONTROL-SKETCH", (320, 256)),
        (STRUCTURE, {"prompt": "a castle", "image": SOURCE, "style_preset": "anime"}, "CONTROL-STRUCTURE", (320, 256)),
        (STYLE_GUIDE, {"prompt": "a castle", "image": SOURCE, "aspect_ratio": "16:9"}, "STYLE-GUIDE", (1344, 768)),
        (STYLE_TRANSFER, {"init_image": SOURCE, "style_image": STYLE, "change_strength": 0.5}, "STYLE-TRANSFER", None),
    ],
)
def test_each_new_service_answers_an_image_that_says_it_is_emulated(bedrock, model_id, body, mode, size):
    answer = invoke(bedrock, model_id, body)
    assert answer["finish_reasons"] == [None]
    data = base64.b64decode(answer["images"][0])
    raster = png.decode(data)
    assert (raster.width, raster.height) == (size or (320, 256))
    shown = art.read_text(data)
    assert shown[0] == "EMULATED" and any(line.startswith(mode) for line in shown)


def test_style_transfer_tints_its_source_with_the_style_images_colour(bedrock):
    answer = invoke(bedrock, STYLE_TRANSFER, {"init_image": SOURCE, "style_image": STYLE, "change_strength": 0.9})
    raster = png.decode(base64.b64decode(answer["images"][0]))
    middle = raster.rows[raster.height // 2]
    red, green, _ = middle[raster.width // 2 * 3 : raster.width // 2 * 3 + 3]
    assert red > 150 and green < 60  # the source was green; the style image red


@pytest.mark.parametrize(
    ("model_id", "body", "message"),
    [
        (SKETCH, {"prompt": "x", "image": SOURCE, "control_strength": 1.1}, "#/control_strength: 1.1 is not less"),
        (STRUCTURE, {"prompt": "x", "image": SOURCE, "control_strength": -0.1}, "#/control_strength: -0.1 is not"),
        (SKETCH, {"image": SOURCE}, "#: required key [prompt] not found"),
        (SKETCH, {"prompt": "x", "image": SOURCE, "fidelity": 0.5}, "#: extraneous key [fidelity]"),
        (STYLE_GUIDE, {"prompt": "x", "image": SOURCE, "fidelity": 1.5}, "#/fidelity: 1.5 is not less"),
        (STYLE_GUIDE, {"prompt": "x", "image": SOURCE, "aspect_ratio": "4:3"}, "#/aspect_ratio: 4:3 is not a valid"),
        (STYLE_TRANSFER, {"init_image": SOURCE}, "#: required key [style_image] not found"),
        (STYLE_TRANSFER, {"image": SOURCE, "style_image": STYLE}, "#: required key [init_image] not found"),
        (STYLE_TRANSFER, {"init_image": SOURCE, "style_image": STYLE, "seed": 3}, "#: extraneous key [seed]"),
        (
            STYLE_TRANSFER,
            {"init_image": SOURCE, "style_image": STYLE, "change_strength": 0.05},
            "#/change_strength: 0.05 is not greater",
        ),
        (
            STYLE_TRANSFER,
            {"init_image": SOURCE, "style_image": b64(png.solid(63, 64, (1, 2, 3)))},
            "image dimensions 63x64 are too small",
        ),
        (
            STYLE_TRANSFER,
            {"init_image": SOURCE, "style_image": b64(png.solid(161, 64, (1, 2, 3)))},
            "image aspect ratio 161x64",
        ),
    ],
)
def test_the_emulator_refuses_what_the_docs_do_not_allow(bedrock, model_id, body, message):
    assert message in refusal(bedrock, model_id, body)


def test_the_new_services_run_only_through_their_profile(bedrock):
    """Like every Image Service: the bare id has no on-demand throughput."""
    message = refusal(bedrock, SKETCH.removeprefix("us."), {"prompt": "x", "image": SOURCE})
    assert "inference profile" in message
