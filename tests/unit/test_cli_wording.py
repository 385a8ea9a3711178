"""A refused field in the words of the command that was typed: options for `imagegen` and
`imagegen api` (from the API's answer too), questions for `imagegen interactive`."""

from imagegen.errors import InvalidParameter

from imagegen_local.cli import wording
from imagegen_local.cli.api_http import error_of

UPSCALER = "stability.stable-fast-upscale-v1:0"


def test_interactive_names_the_question_not_the_field():
    too_big = InvalidParameter("images", "1224x1024 png", "at most 1048576 pixels", model_id=UPSCALER)
    assert wording.message(too_big, wording.asked_as) == (
        f"the image '1224x1024 png' is not allowed for {UPSCALER}: at most 1048576 pixels"
    )
    margin = InvalidParameter("margins.left", 3000, "0 to 2000", model_id="m")
    assert wording.message(margin, wording.asked_as) == "the left margin 3000 is not allowed for m: 0 to 2000"


def test_margins_read_as_typed_and_image_bytes_are_not_echoed():
    margins = InvalidParameter("margins", {"left": 0, "right": 64, "up": 0, "down": 0}, "not supported", model_id="m")
    assert wording.message(margins) == "--margins 0,64,0,0 is not allowed for m: not supported"
    mask = InvalidParameter("mask_image", b"\x89PNG" * 10, "not supported", model_id="m")
    assert wording.message(mask) == "--mask is not allowed for m: not supported"
    assert wording.message(mask, given=["--mask-rect=0,0,8,8"]) == "--mask-rect is not allowed for m: not supported"


def test_a_missing_mask_names_both_ways_to_give_one():
    missing = InvalidParameter("mask_image", None, "required", model_id="m", takes=["images", "mask_image"])
    assert (
        wording.message(missing)
        == "--mask or --mask-rect is not given; m needs it: required (this task takes: IMAGE, --mask)"
    )


def test_the_apis_answer_carries_what_the_option_wording_needs():
    refused = InvalidParameter("seed", -3, "a whole number from 0 to 9", model_id="m", takes=None)
    answered = error_of({"error": refused.to_dict()}, 400)
    assert answered.details == {"field": "seed", "value": -3, "allowed": "a whole number from 0 to 9", "model_id": "m"}
    assert (
        wording.message(answered)
        == wording.message(refused)
        == ("--seed -3 is not allowed for m: a whole number from 0 to 9")
    )
    assert wording.message(error_of({"error": {"code": "invalid_parameter", "message": "plain"}}, 400)) == "plain"
