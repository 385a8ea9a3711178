"""Every builder reports the quality and output size it chose, so that pricing (and anyone
else) never reads a family's wire keys."""

import pytest
from imagegen.models.images import build_request
from imagegen.models.request import ImageRequest, Task

from tests.imagefactory import png_image

TITAN = "amazon.titan-image-generator-v2:0"
CANVAS = "amazon.nova-canvas-v1:0"
SOURCE = png_image(512, 512)


def build(model_id, **fields):
    """Titan and Canvas are retired by now: the `original` profile still calls them."""
    return build_request(model_id, ImageRequest(**fields), region="us-east-1", allow_retired=True)


@pytest.mark.parametrize("model_id", [TITAN, CANVAS])
def test_titan_and_canvas_report_the_quality_they_ask_for_standard_by_default(model_id):
    assert build(model_id, prompt="a fox").quality == "standard"
    assert build(model_id, prompt="a fox", quality="Premium").quality == "premium"


def test_titan_and_canvas_report_the_size_they_ask_for():
    assert build(TITAN, prompt="a fox").size == (1024, 1024)
    built = build(CANVAS, prompt="a fox", aspect_ratio="16:9")
    config = built.body["imageGenerationConfig"]
    assert built.size == (config["width"], config["height"]) and built.size[0] > built.size[1]


def test_an_edit_reports_its_quality_and_leaves_the_size_to_its_source():
    built = build(CANVAS, task=Task.VARIATION, images=(SOURCE,), quality="premium")
    assert (built.quality, built.size) == ("premium", None)
    cut_out = build(TITAN, task=Task.REMOVE_BACKGROUND, images=(SOURCE,))
    assert (cut_out.quality, cut_out.size) == (None, None)  # no quality to choose: priced as standard


@pytest.mark.parametrize(
    ("model_id", "fields"),
    [
        ("stability.stable-image-ultra-v1:1", {"prompt": "a fox", "aspect_ratio": "16:9"}),
        ("stability.stable-fast-upscale-v1:0", {"task": Task.UPSCALE, "images": (SOURCE,)}),
    ],
)
def test_stability_reports_no_quality_and_no_size_it_does_not_choose(model_id, fields):
    built = build_request(model_id, ImageRequest(**fields), region="us-west-2")
    assert (built.quality, built.size) == (None, None)
