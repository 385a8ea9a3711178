"""Every documented response shape, filtered ones included, and the guarantee that a parser
raises nothing but the project's typed errors."""

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagegen.errors import ContentFiltered, ImageGenError, UpstreamFailure
from imagegen.models.contracts import BuiltRequest
from imagegen.models.images import parse_response

from tests.imagefactory import jpeg_header, png_image

TITAN = "amazon.titan-image-generator-v2:0"
CANVAS = "amazon.nova-canvas-v1:0"
CORE = "stability.stable-image-core-v1:1"
ERASE = "stability.stable-image-erase-object-v1:0"
PNG = png_image(40, 30)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def amazon_built(count=1, seed=42):
    return BuiltRequest(
        TITAN,
        {"taskType": "TEXT_IMAGE", "imageGenerationConfig": {"numberOfImages": count, "seed": seed}},
        seed,
        quality="standard",
        size=(1024, 1024),
    )


def stability_built(seed=5):
    return BuiltRequest(CORE, {"prompt": "x", "seed": seed}, seed, quality=None, size=None)


# --- Titan and Canvas ------------------------------------------------------------------------


def test_titan_images_are_decoded_with_their_real_format_size_and_seed():
    payload = json.dumps({"images": [b64(PNG), b64(png_image(8, 6))], "error": None}).encode()
    result = parse_response(TITAN, payload, amazon_built(count=2))
    assert [(i.format, i.width, i.height, i.seed) for i in result.images] == [("png", 40, 30, 42), ("png", 8, 6, 42)]
    assert result.images[0].data == PNG
    assert (result.filtered, result.notice) == (0, None)


def test_canvas_output_blocked_entirely_is_content_filtered_not_an_index_error():
    payload = {"images": [], "error": "All of the generated images have been blocked by our content filters."}
    with pytest.raises(ContentFiltered) as caught:
        parse_response(CANVAS, json.dumps(payload), amazon_built())
    assert caught.value.stage == "output"
    assert caught.value.http_status == 422
    assert caught.value.upstream == payload["error"]
    assert "upstream" not in caught.value.to_dict()
    assert "rephrase the prompt" in caught.value.message


def test_canvas_output_partly_blocked_keeps_the_images_that_passed():
    payload = {"images": [b64(PNG)], "error": "Some of the generated images have been blocked by our content filters."}
    result = parse_response(CANVAS, json.dumps(payload), amazon_built(count=3))
    assert len(result.images) == 1
    assert result.filtered == 2
    assert result.notice == "2 of 3 requested images were withheld by the model or its content filters"
    assert "Some of the generated" not in result.notice  # Bedrock's own text stays out of answers


def test_a_titan_error_that_arrives_with_images_is_kept_for_the_logs_not_dropped():
    payload = {"images": [b64(PNG)], "error": "Image quality degraded: reference image was resized"}
    result = parse_response(TITAN, json.dumps(payload), amazon_built())
    assert len(result.images) == 1
    assert result.upstream == payload["error"]
    assert (result.filtered, result.notice) == (0, None)  # Bedrock's own text stays out of answers


def test_a_partly_filtered_answer_keeps_bedrocks_text_for_the_logs():
    canvas = {"images": [b64(PNG)], "error": "Some of the generated images have been blocked by our content filters."}
    assert parse_response(CANVAS, json.dumps(canvas), amazon_built(count=2)).upstream == canvas["error"]
    stability = {"seeds": [1, 2], "finish_reasons": [None, "Filter reason: output image"], "images": [b64(PNG)] * 2}
    result = parse_response(CORE, json.dumps(stability), stability_built())
    assert (len(result.images), result.filtered, result.upstream) == (1, 1, "Filter reason: output image")


@pytest.mark.parametrize("error", [None, ""])
def test_a_clean_answer_has_no_upstream_text(error):
    result = parse_response(TITAN, json.dumps({"images": [b64(PNG)], "error": error}), amazon_built())
    assert result.upstream is None


def test_titan_error_without_images_is_an_upstream_failure():
    with pytest.raises(UpstreamFailure, match="returned no image"):
        parse_response(TITAN, json.dumps({"images": [], "error": "Internal failure"}), amazon_built())


def test_titan_response_without_images_key_is_an_upstream_failure():
    with pytest.raises(UpstreamFailure):
        parse_response(TITAN, b"{}", amazon_built())


# --- Stability ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "SUCCESS"])
def test_stability_success_uses_the_seed_the_model_reports(reason):
    payload = {"seeds": [123456], "finish_reasons": [reason], "images": [b64(PNG)]}
    result = parse_response(CORE, json.dumps(payload), stability_built(seed=5))
    assert [(i.format, i.seed) for i in result.images] == [("png", 123456)]


def test_stability_jpeg_output_is_labelled_jpeg_from_the_bytes():
    payload = {"seeds": [1], "finish_reasons": [None], "images": [b64(jpeg_header(1344, 768))]}
    image = parse_response(CORE, json.dumps(payload), stability_built()).images[0]
    assert (image.format, image.width, image.height) == ("jpeg", 1344, 768)


@pytest.mark.parametrize(
    ("reason", "stage"),
    [
        ("Filter reason: prompt", "prompt"),
        ("Filter reason: output image", "output"),
        ("Filter reason: input image", "input_image"),
    ],
)
def test_stability_filter_reasons_are_content_filtered_with_their_stage(reason, stage):
    for payload in ({"seeds": [1], "finish_reasons": [reason], "images": [b64(PNG)]}, {"finish_reasons": [reason]}):
        with pytest.raises(ContentFiltered) as caught:
            parse_response(ERASE, json.dumps(payload), stability_built())
        assert caught.value.stage == stage
        assert caught.value.upstream == reason


def test_stability_inference_error_is_an_upstream_failure():
    with pytest.raises(UpstreamFailure) as caught:
        parse_response(
            CORE, json.dumps({"seeds": [1], "finish_reasons": ["Inference error"], "images": []}), stability_built()
        )
    assert caught.value.upstream == "Inference error"


def test_stability_missing_seeds_fall_back_to_the_seed_sent():
    payload = {"finish_reasons": [None], "images": [b64(PNG)]}
    assert parse_response(CORE, json.dumps(payload), stability_built(seed=77)).images[0].seed == 77


# --- malformed answers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("model_id", [TITAN, CORE])
@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b"[" * 100_000,
        b'{"images": "abc"}',
        b'{"images": ["***"]}',
        json.dumps({"images": [b64(b"plain text")]}).encode(),
        json.dumps({"images": [17]}).encode(),
    ],
    ids=["text", "not-utf8", "list", "deeply-nested", "images-not-list", "bad-base64", "not-an-image", "not-a-string"],
)
def test_a_malformed_answer_is_an_upstream_failure(model_id, payload):
    built = amazon_built() if model_id == TITAN else stability_built()
    with pytest.raises(UpstreamFailure):
        parse_response(model_id, payload, built)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(
        [b64(PNG), "Filter reason: prompt", "All of the generated images have been blocked by our content filters."]
    ),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["images", "error", "seeds", "finish_reasons", "other"]), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(doc=json_values, model_id=st.sampled_from([TITAN, CANVAS, CORE, ERASE]))
def test_parsers_raise_nothing_but_typed_errors(doc, model_id):
    built = amazon_built() if model_id in (TITAN, CANVAS) else stability_built()
    try:
        result = parse_response(model_id, json.dumps(doc).encode(), built)
    except ImageGenError:
        return
    assert result.images, "a result without an error always holds at least one image"
