"""The emulator rejects what Bedrock rejects, with Bedrock's error shape, through a plain boto3
client: this is how a payload bug is caught offline."""

import base64
import json

import boto3
import pytest
from botocore.exceptions import ClientError
from imagegen import png

from tests.imagefactory import rgba_png


def invoke(client, model_id, body):
    return client.invoke_model(
        modelId=model_id, body=json.dumps(body), contentType="application/json", accept="application/json"
    )


def rejected(client, model_id, body):
    with pytest.raises(ClientError) as caught:
        invoke(client, model_id, body)
    return caught.value.response


def assert_validation(response, message_start):
    assert response["Error"]["Code"] == "ValidationException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert response["Error"]["Message"].startswith(message_start), response["Error"]["Message"]


def test_a_body_with_a_wrong_key_is_malformed(bedrock):
    response = rejected(bedrock, "stability.stable-image-core-v1:1", {"prompt": "a fox", "cfg_scale": 7})
    assert_validation(response, "Malformed input request: #: extraneous key [cfg_scale] is not permitted")


@pytest.fixture
def us_east_1_with_retired_models(emulator, local_env):
    """An account that still has Titan v2 and Nova Canvas, in us-east-1 where both ran."""
    emulator.configure(serve_retired=True)
    return boto3.client("bedrock-runtime", region_name="us-east-1")


def test_a_titan_v2_size_not_in_its_list_is_rejected(us_east_1_with_retired_models):
    client = us_east_1_with_retired_models
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 1000, "height": 1000, "seed": 1},
    }
    assert_validation(rejected(client, "amazon.titan-image-generator-v2:0", body), "Invalid image size 1000x1000")
    body["imageGenerationConfig"].update(width=1173, height=640)
    assert json.loads(invoke(client, "amazon.titan-image-generator-v2:0", body)["body"].read())["images"]


def test_a_canvas_size_not_divisible_by_16_is_rejected(us_east_1_with_retired_models):
    client = us_east_1_with_retired_models
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {"numberOfImages": 1, "width": 1000, "height": 1008},
    }
    assert_validation(
        rejected(client, "amazon.nova-canvas-v1:0", body),
        "Invalid image size 1000x1008: each side must be 320-4096 px and divisible by 16",
    )


def _variation(width=None, height=None, source=(640, 384)):
    config = {"numberOfImages": 1, "seed": 1}
    config.update({k: v for k, v in (("width", width), ("height", height)) if v is not None})
    return {
        "taskType": "IMAGE_VARIATION",
        "imageVariationParams": {"images": [base64.b64encode(png.solid(*source, (90, 120, 30))).decode()]},
        "imageGenerationConfig": config,
    }


def _size_of(answer):
    raster = png.decode(base64.b64decode(json.loads(answer["body"].read())["images"][0]))
    return raster.width, raster.height


def test_a_titan_v2_variation_is_held_to_the_size_list_and_answers_at_the_requested_size(
    us_east_1_with_retired_models,
):
    client = us_east_1_with_retired_models
    assert_validation(
        rejected(client, "amazon.titan-image-generator-v2:0", _variation(1000, 1000)), "Invalid image size 1000x1000"
    )
    assert _size_of(invoke(client, "amazon.titan-image-generator-v2:0", _variation(512, 512))) == (512, 512)
    assert _size_of(invoke(client, "amazon.titan-image-generator-v2:0", _variation())) == (640, 384)  # no size given


def test_a_canvas_variation_is_held_to_the_canvas_size_rules(us_east_1_with_retired_models):
    client = us_east_1_with_retired_models
    assert_validation(
        rejected(client, "amazon.nova-canvas-v1:0", _variation(1000, 1008)),
        "Invalid image size 1000x1008: each side must be 320-4096 px and divisible by 16",
    )
    assert _size_of(invoke(client, "amazon.nova-canvas-v1:0", _variation(768, 432 + 16))) == (768, 448)


@pytest.mark.parametrize("model_id", ["amazon.nova-canvas-v1:0", "amazon.titan-image-generator-v2:0"])
@pytest.mark.parametrize(("side", "other"), [("width", "height"), ("height", "width")])
def test_one_side_without_the_other_is_rejected(us_east_1_with_retired_models, model_id, side, other):
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {"numberOfImages": 1, side: 512},
    }
    assert_validation(
        rejected(us_east_1_with_retired_models, model_id, body), f"Invalid image size: {side} was given without {other}"
    )


def test_inpainting_keeps_the_source_size(us_east_1_with_retired_models):
    source = base64.b64encode(png.solid(640, 384, (90, 120, 30))).decode()
    body = {
        "taskType": "INPAINTING",
        "inPaintingParams": {"image": source, "text": "a hat", "maskPrompt": "the head"},
        "imageGenerationConfig": {"numberOfImages": 1},
    }
    assert _size_of(invoke(us_east_1_with_retired_models, "amazon.nova-canvas-v1:0", body)) == (640, 384)


def test_an_anthropic_body_sent_to_nova_lite_is_malformed(bedrock):
    body = {
        "anthropic_version": "bedrock-2023-05-31",
        "max_tokens": 300,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "score this image"}]}],
    }
    response = rejected(bedrock, "us.amazon.nova-lite-v1:0", body)
    assert_validation(response, "Malformed input request: #: extraneous key [anthropic_version] is not permitted")
    nova = {"messages": [{"role": "user", "content": [{"text": "score this image"}]}]}
    assert json.loads(invoke(bedrock, "us.amazon.nova-lite-v1:0", nova)["body"].read())["stopReason"] == "end_turn"


def test_a_stability_request_with_a_wrong_aspect_ratio_is_malformed(bedrock):
    response = rejected(bedrock, "stability.stable-image-ultra-v1:1", {"prompt": "a fox", "aspect_ratio": "4:3"})
    assert_validation(response, "Malformed input request: #/aspect_ratio: 4:3 is not a valid enum value")


@pytest.mark.parametrize(
    ("model_id", "code", "status", "message"),
    [
        ("stability.stable-image-core-v2:0", "ValidationException", 400, "The provided model identifier is invalid."),
        (
            "amazon.nova-lite-v1:0",
            "ValidationException",
            400,
            "Invocation of model ID amazon.nova-lite-v1:0 with on-demand throughput isn\u2019t supported",
        ),
        ("eu.amazon.nova-lite-v1:0", "ValidationException", 400, "The provided model identifier is invalid."),
        (
            "amazon.nova-canvas-v1:0",
            "ValidationException",
            400,
            "The provided model identifier is invalid.",
        ),  # not in us-west-2
    ],
)
def test_unknown_misrouted_and_unoffered_ids_get_bedrocks_answers(bedrock, model_id, code, status, message):
    response = rejected(bedrock, model_id, {"prompt": "a fox"})
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (code, status)
    assert response["Error"]["Message"].startswith(message)


def test_a_retired_model_answers_end_of_life(emulator, local_env):
    client = boto3.client("bedrock-runtime", region_name="us-east-1")
    response = rejected(
        client, "amazon.nova-canvas-v1:0", {"taskType": "TEXT_IMAGE", "textToImageParams": {"text": "x"}}
    )
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == (
        "ResourceNotFoundException",
        404,
    )
    assert "end of its life" in response["Error"]["Message"]


def test_faults_access_denied_and_throttling(emulator, bedrock):
    emulator.configure(deny_models=["stability.stable-image-core-v1:1"])
    response = rejected(bedrock, "stability.stable-image-core-v1:1", {"prompt": "a fox"})
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDeniedException", 403)
    emulator.configure(deny_models=[], throttle_rate=1.0)
    response = rejected(bedrock, "stability.stable-image-core-v1:1", {"prompt": "a fox"})
    assert (response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]) == ("ThrottlingException", 429)


def test_converse_refuses_an_image_model_and_an_image_labelled_with_the_wrong_format(bedrock):
    picture = png.solid(64, 64, (1, 2, 3))
    messages = [
        {"role": "user", "content": [{"image": {"format": "jpeg", "source": {"bytes": picture}}}, {"text": "judge"}]}
    ]
    with pytest.raises(ClientError) as caught:
        bedrock.converse(modelId="stability.stable-image-core-v1:1", messages=messages)
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as caught:
        bedrock.converse(modelId="us.amazon.nova-lite-v1:0", messages=messages)
    assert "does not match the image bytes, which are png" in caught.value.response["Error"]["Message"]


def test_claude_4_5_refuses_temperature_and_top_p_together(bedrock):
    messages = [{"role": "user", "content": [{"text": "hello"}]}]
    with pytest.raises(ClientError) as caught:
        bedrock.converse(
            modelId="us.anthropic.claude-haiku-4-5-20251001-v1:0",
            messages=messages,
            inferenceConfig={"temperature": 0.2, "topP": 0.9},
        )
    assert "cannot both be specified" in caught.value.response["Error"]["Message"]


def test_images_are_real_pngs_of_the_implied_size_marked_emulated_and_deterministic(bedrock):
    first = json.loads(
        invoke(bedrock, "stability.stable-image-core-v1:1", {"prompt": "a fox", "aspect_ratio": "21:9", "seed": 5})[
            "body"
        ].read()
    )
    again = json.loads(
        invoke(bedrock, "stability.stable-image-core-v1:1", {"prompt": "a fox", "aspect_ratio": "21:9", "seed": 5})[
            "body"
        ].read()
    )
    data = base64.b64decode(first["images"][0])
    raster = png.decode(data)
    assert (raster.width, raster.height) == (1536, 640)
    assert b"EMULATED" in data  # in the PNG's text chunk, and drawn across the middle
    assert first == again
    middle = raster.rows[raster.height // 2]
    assert b"\xff\xff\xff" in middle and b"\x20\x20\x20" in middle  # the white band and its dark letters


def _b64(data):
    return base64.b64encode(data).decode()


@pytest.mark.parametrize("model_id", ["amazon.nova-canvas-v1:0"])
def test_a_canvas_source_with_a_semi_transparent_pixel_is_rejected(us_east_1_with_retired_models, model_id):
    body = {
        "taskType": "INPAINTING",
        "inPaintingParams": {
            "text": "a hat",
            "maskPrompt": "the head",
            "image": _b64(rgba_png(512, 512, alpha_at={(3, 4): 254})),
        },
        "imageGenerationConfig": {"numberOfImages": 1, "seed": 1},
    }
    assert_validation(
        rejected(us_east_1_with_retired_models, model_id, body),
        "image: the image must not contain transparent or semi-transparent pixels",
    )
    body["inPaintingParams"]["image"] = _b64(rgba_png(512, 512))  # an alpha channel, opaque everywhere
    assert json.loads(invoke(us_east_1_with_retired_models, model_id, body)["body"].read())["images"]


def test_stability_inpaint_takes_transparent_pixels_as_the_mask_but_not_an_opaque_alpha_channel(bedrock):
    inpaint = "us.stability.stable-image-inpaint-v1:0"
    body = {"prompt": "a hat", "image": _b64(rgba_png(512, 512))}
    assert_validation(rejected(bedrock, inpaint, body), "A mask is required unless the image has transparent pixels")
    body["image"] = _b64(rgba_png(512, 512, alpha_at={(10, 10): 0}))
    assert json.loads(invoke(bedrock, inpaint, body)["body"].read())["images"]


@pytest.mark.parametrize("field", ["image", "maskImage"])
def test_a_png_with_corrupt_image_data_is_a_validation_error_not_a_server_error(us_east_1_with_retired_models, field):
    good = png.solid(512, 512, (9, 9, 9))
    corrupt = good[:33] + b"\x00\x00\x00\x08IDAT" + b"\xde\xad\xbe\xef" * 2 + b"\x00\x00\x00\x00" + good[-12:]
    params = {"text": "a hat", "image": _b64(good), "maskImage": _b64(png.solid(512, 512, (0, 0, 0)))}
    params[field] = _b64(corrupt)
    body = {"taskType": "INPAINTING", "inPaintingParams": params, "imageGenerationConfig": {"seed": 1}}
    response = rejected(us_east_1_with_retired_models, "amazon.nova-canvas-v1:0", body)
    assert response["Error"]["Code"] == "ValidationException" and response["ResponseMetadata"]["HTTPStatusCode"] == 400
