"""The emulator's own reading of the corrected documentation (items 2-4 and 8 of issue 13), and the
builders meeting it at those edges; the emulator chooses each model's rules from its own table
keyed by exact model id, never from substrings of the id."""

import ast
import base64
import json
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from imagegen import png
from imagegen.models.images import invoke_image_model
from imagegen.models.registry import all_models
from imagegen.models.request import ImageRequest, Task

import imagegen_local.emulator
from tests.imagefactory import rgba_png

FAST = "us.stability.stable-fast-upscale-v1:0"
CREATIVE = "us.stability.stable-creative-upscale-v1:0"
CANVAS = "amazon.nova-canvas-v1:0"
TITAN = "amazon.titan-image-generator-v2:0"
EMULATOR = Path(imagegen_local.emulator.__file__).parent


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def answer(client, model_id, body):
    response = client.invoke_model(modelId=model_id, body=json.dumps(body))
    return json.loads(response["body"].read())


def refusal(client, model_id, body) -> str:
    with pytest.raises(ClientError) as caught:
        client.invoke_model(modelId=model_id, body=json.dumps(body))
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    return caught.value.response["Error"]["Message"]


def _png_size(encoded):
    data = base64.b64decode(encoded)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.fixture
def east(emulator, local_env):
    emulator.configure(serve_retired=True)
    return boto3.client("bedrock-runtime", region_name="us-east-1")


# --- Fast Upscale ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("size", "out"), [((1536, 320), (6144, 1280)), ((32, 32), (128, 128))], ids=str)
def test_the_emulator_fast_upscales_any_shape_within_32_to_1536_px_and_one_megapixel(bedrock, size, out):
    assert _png_size(answer(bedrock, FAST, {"image": b64(png.solid(*size, (5, 5, 5)))})["images"][0]) == out


@pytest.mark.parametrize(
    ("size", "message"),
    [
        ((31, 32), "image dimensions 31x32 are too small: each side must be at least 32 pixels"),
        ((1537, 320), "image dimensions 1537x320 are too large: at most 1536 pixels a side"),
        ((1024, 1025), "image dimensions 1024x1025 are too large: at most 1,048,576 pixels"),
    ],
    ids=str,
)
def test_the_emulator_refuses_a_fast_upscale_source_one_step_past_its_limits(bedrock, size, message):
    assert refusal(bedrock, FAST, {"image": b64(png.solid(*size, (5, 5, 5)))}) == message


# --- Creative Upscale -------------------------------------------------------------------------------------


def test_the_emulator_creative_upscales_a_wide_source_with_a_style_preset(bedrock):
    body = {"image": b64(png.solid(2048, 256, (5, 5, 5))), "prompt": "a sharp photo", "style_preset": "anime"}
    assert answer(bedrock, CREATIVE, body)["images"]


def test_the_emulator_refuses_a_creative_upscale_source_under_64_px_and_an_unlisted_preset(bedrock):
    small = {"image": b64(png.solid(63, 128, (5, 5, 5))), "prompt": "a sharp photo"}
    assert refusal(bedrock, CREATIVE, small).startswith("image dimensions 63x128 are too small")
    unlisted = {"image": b64(png.solid(256, 256, (5, 5, 5))), "prompt": "p", "style_preset": "watercolour"}
    assert "watercolour is not a valid enum value" in refusal(bedrock, CREATIVE, unlisted)


# --- Nova Canvas seeds; Titan sources with transparent pixels --------------------------------------------


def canvas_body(seed):
    return {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {"text": "a fox"},
        "imageGenerationConfig": {"seed": seed, "width": 512, "height": 512},
    }


def test_the_emulator_takes_canvas_seeds_up_to_2147483646(east):
    assert answer(east, CANVAS, canvas_body(2147483646))["images"]
    assert "2147483647 is not less or equal to 2147483646" in refusal(east, CANVAS, canvas_body(2147483647))


def test_the_emulator_takes_a_titan_source_with_transparent_pixels(east):
    body = {
        "taskType": "INPAINTING",
        "inPaintingParams": {
            "text": "a hat",
            "maskPrompt": "the head",
            "image": b64(rgba_png(512, 512, alpha_at={(3, 4): 0, (5, 6): 128})),
        },
        "imageGenerationConfig": {"numberOfImages": 1, "seed": 1},
    }
    assert answer(east, TITAN, body)["images"]


# --- InvokeModel's body limit, the emulator's own check ---------------------------------------------------


def test_the_emulator_refuses_a_body_over_25000000_bytes_but_not_one_of_exactly_that(bedrock):
    envelope = len(b'{"prompt": ""}')
    for size, refused in ((25_000_000, False), (25_000_001, True)):
        body = b'{"prompt": "' + b"x" * (size - envelope) + b'"}'
        with pytest.raises(ClientError) as caught:
            bedrock.invoke_model(modelId="stability.stable-image-core-v1:1", body=body)
        assert ("at most 25,000,000 are accepted" in caught.value.response["Error"]["Message"]) is refused


# --- the builders meet the emulator at these edges --------------------------------------------------------

EDGES = [
    ("stability.stable-fast-upscale-v1:0", ImageRequest(task=Task.UPSCALE, images=(png.solid(1536, 320, (1, 2, 3)),))),
    ("stability.stable-fast-upscale-v1:0", ImageRequest(task=Task.UPSCALE, images=(png.solid(32, 32, (1, 2, 3)),))),
    (
        "stability.stable-creative-upscale-v1:0",
        ImageRequest(task=Task.UPSCALE, images=(png.solid(2048, 256, (1, 2, 3)),), prompt="sharp", style="anime"),
    ),
    (CANVAS, ImageRequest(prompt="a fox", seed=2147483646, width=512, height=512)),
    (TITAN, ImageRequest(task=Task.VARIATION, images=(png.solid(640, 384, (1, 2, 3)),), width=768, height=1152)),
    (CANVAS, ImageRequest(task=Task.VARIATION, images=(png.solid(640, 384, (1, 2, 3)),), width=1024, height=320)),
    (
        TITAN,
        ImageRequest(
            task=Task.INPAINT, images=(rgba_png(512, 512, alpha_at={(1, 1): 0}),), prompt="a hat", mask_prompt="a head"
        ),
    ),
]


@pytest.mark.parametrize(("model_id", "request_"), EDGES, ids=[f"{m}-{i}" for i, (m, _) in enumerate(EDGES)])
def test_a_request_a_builder_makes_at_a_corrected_edge_is_one_the_emulator_accepts(east, emulator, model_id, request_):
    region = "us-east-1" if model_id in (TITAN, CANVAS) else "us-west-2"
    client = boto3.client("bedrock-runtime", region_name=region)
    built, result = invoke_image_model(client, model_id, request_, allow_retired=True)
    assert emulator.calls[-1]["status"] == 200 and result.images
    if built.size:
        assert (result.images[0].width, result.images[0].height) == built.size


# --- the emulator's rules come from its own table, by exact id --------------------------------------------


def test_the_emulator_has_its_own_reading_of_every_image_model_in_the_catalog_by_exact_id():
    from imagegen_local.emulator import shapes

    image_models = {m.id for m in all_models() if m.family != "converse-judge"}
    assert image_models <= set(shapes.MODELS)


def id_substring_tests(path: Path) -> list[str]:
    """Where a module decides by a substring or prefix of a model id: `"x" in model`, or
    `model.startswith(...)`, `model.endswith(...)` on a name holding a model id."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops):
            names = [
                c for c in node.comparators if isinstance(c, ast.Name) and c.id in ("model", "model_id", "service")
            ]
            if names and isinstance(node.left, ast.Constant):
                found.append(f"{path.name}:{node.lineno}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("startswith", "endswith")
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id in ("model", "model_id", "service")
        ):
            found.append(f"{path.name}:{node.lineno}")
    return found


def test_no_image_rule_is_chosen_by_a_substring_of_the_model_id():
    modules = [EMULATOR / name for name in ("rules.py", "amazon_rules.py", "stability_rules.py", "shapes.py")]
    assert [where for path in modules if path.exists() for where in id_substring_tests(path)] == []
