"""The neutral request guarantees its own shape: forgiving where the meaning is clear, a typed
error naming the field otherwise. Builders then raise nothing but typed errors."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from imagegen.errors import ImageGenError, InvalidParameter, UnsupportedTask
from imagegen.models.images import build_request
from imagegen.models.registry import all_models
from imagegen.models.request import ImageRequest, Margins, Task

from tests.imagefactory import png_image

SOURCE = png_image(384, 320)


def test_a_task_name_is_accepted_as_the_task():
    request = ImageRequest(task="remove-background", images=[SOURCE])
    assert request.task is Task.REMOVE_BACKGROUND
    assert request.images == (SOURCE,)
    assert ImageRequest(images=None, colors=None).images == ()
    body = build_request("stability.stable-image-remove-background-v1:0", request).body
    assert set(body) == {"image", "output_format"}


def test_an_unknown_task_name_is_refused():
    with pytest.raises(InvalidParameter) as caught:
        ImageRequest(task="paint")
    assert caught.value.field == "task"


def test_margins_may_be_given_as_a_mapping():
    assert ImageRequest(margins={"left": 10, "up": 5}).margins == Margins(left=10, up=5)
    with pytest.raises(InvalidParameter, match="margins"):
        ImageRequest(margins={"sideways": 10})
    with pytest.raises(InvalidParameter, match="margins.left"):
        ImageRequest(margins={"left": "10"})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("prompt", 5),
        ("style", 5),
        ("aspect_ratio", 1.5),
        ("output_format", 5),
        ("outpaint_mode", 3),
        ("width", 1024.0),
        ("height", "1024"),
        ("seed", True),
        ("count", None),
        ("count", 1.5),
        ("cfg_scale", "7"),
        ("strength", False),
        ("images", (SOURCE, None)),
        ("images", SOURCE),
        ("mask_image", "mask.png"),
        ("reference_image", "reference.png"),
        ("colors", "#FFFFFF"),
        ("margins", 10),
        ("grow_mask", 2.5),
    ],
)
def test_a_value_of_the_wrong_type_is_named(field, value):
    with pytest.raises(InvalidParameter) as caught:
        ImageRequest(**{field: value})
    assert caught.value.field == field
    json.dumps(caught.value.to_dict())


def test_errors_never_carry_image_bytes_and_always_serialise():
    with pytest.raises(InvalidParameter) as caught:
        build_request("stability.stable-image-core-v1:1", ImageRequest(prompt="x", images=(SOURCE,)))
    shown = json.dumps(caught.value.to_dict())
    assert "PNG" not in shown and f"<{len(SOURCE)} bytes>" in shown
    with pytest.raises(InvalidParameter) as caught:
        build_request("stability.stable-image-core-v1:1", ImageRequest(prompt="x", margins=Margins(left=3)))
    assert json.loads(json.dumps(caught.value.to_dict()))["value"] == {"left": 3, "right": 0, "up": 0, "down": 0}


@pytest.mark.parametrize(
    ("model_id", "task"),
    [("stability.stable-image-search-replace-v1:0", Task.REPLACE), ("amazon.nova-canvas-v1:0", Task.GENERATE)],
)
def test_an_empty_style_is_refused_not_sent(model_id, task):
    edit = {"mask_prompt": "y", "images": (SOURCE,)} if task is Task.REPLACE else {}
    request = ImageRequest(task=task, prompt="x", style="", **edit)
    with pytest.raises(InvalidParameter) as caught:
        build_request(model_id, request, allow_retired=True)
    assert caught.value.field == "style"


def test_an_image_model_is_not_asked_to_judge_and_a_judge_is_not_asked_for_images():
    with pytest.raises(UnsupportedTask) as caught:
        build_request("amazon.nova-lite-v1:0", ImageRequest(task=Task.JUDGE))
    assert caught.value.http_status == 400
    with pytest.raises(UnsupportedTask):
        build_request("amazon.nova-lite-v1:0", ImageRequest(prompt="x"))


def test_an_unknown_or_missing_model_id_is_a_typed_error():
    for model_id in (None, 42, "", "   "):
        with pytest.raises(ImageGenError):
            build_request(model_id, ImageRequest(prompt="x"))  # type: ignore[arg-type]


anything = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5000)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.binary(max_size=8)
)
request_fields = st.fixed_dictionaries(
    {},
    optional={
        "task": st.sampled_from([*Task, "generate", "upscale", "nope"]),
        "prompt": st.text(max_size=20) | anything,
        "negative_prompt": anything,
        "width": st.sampled_from([320, 1024, 1173, 0, -16]) | anything,
        "height": st.sampled_from([320, 640, 1024, 4096]) | anything,
        "aspect_ratio": st.sampled_from(["16:9", "1:1", "0:1", "4:1", "x"]) | anything,
        "count": st.integers(-1, 7) | anything,
        "seed": st.integers(-1, 2**33) | anything,
        "quality": st.sampled_from(["standard", "Premium", ""]) | anything,
        "cfg_scale": st.floats(0, 12) | anything,
        "style": st.sampled_from(["anime", "PHOTOREALISM", ""]) | anything,
        "images": st.lists(st.sampled_from([SOURCE, b"junk", png_image(64, 64)]), max_size=6) | anything,
        "mask_prompt": anything,
        "mask_image": st.sampled_from([SOURCE, b"junk"]) | anything,
        "strength": st.floats(-1, 2) | anything,
        "margins": st.dictionaries(
            st.sampled_from(["left", "right", "up", "down", "in"]), st.integers(-1, 2100) | anything, max_size=3
        )
        | anything,
        "outpaint_mode": anything,
        "grow_mask": st.integers(-1, 30) | anything,
        "creativity": st.floats(0, 1.2) | anything,
        "output_format": st.sampled_from(["png", "jpg", "webp", "gif"]) | anything,
        "colors": st.lists(st.sampled_from(["#000000", "#abcdef", "red"]), max_size=11) | anything,
        "reference_image": st.sampled_from([SOURCE, b"junk"]) | anything,
    },
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fields=request_fields, model_id=st.sampled_from([m.id for m in all_models()]))
def test_builders_raise_nothing_but_typed_errors_and_build_json_bodies(fields, model_id):
    try:
        built = build_request(model_id, ImageRequest(**fields), allow_retired=True, region="us-west-2")
    except ImageGenError as exc:
        json.dumps(exc.to_dict())
        return
    json.loads(built.invoke_kwargs()["body"])
    assert built.model_id.endswith(model_id)


# at most one optional field beside the prompt (and the source image for edits)
plausible_extras = st.sampled_from(
    [
        {},
        {"seed": 7},
        {"negative_prompt": "blurry"},
        {"mask_prompt": "the dog"},
        {"mask_image": png_image(384, 320, (255, 255, 255))},
        {"strength": 0.5},
        {"margins": {"left": 64}},
        {"output_format": "jpg"},
        {"aspect_ratio": "16:9"},
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), model_id=st.sampled_from([m.id for m in all_models() if m.family != "converse-judge"]))
def test_plausible_requests_build_json_bodies_that_carry_the_prompt_and_seed(data, model_id):
    record = next(m for m in all_models() if m.id == model_id)
    task = data.draw(st.sampled_from(record.tasks))
    fields = {"task": task, "prompt": "a red fox", **data.draw(plausible_extras)}
    if task is not Task.GENERATE:
        fields["images"] = (SOURCE,)
    try:
        built = build_request(
            model_id,
            ImageRequest(**fields),
            allow_retired=True,
            region="us-west-2" if model_id.startswith("stab") else "us-east-1",
        )
    except InvalidParameter as exc:
        assert exc.field in {*fields, "mask_prompt", "mask_image", "margins", "strength", "style_image"}, exc.message
        return
    body = json.loads(built.invoke_kwargs()["body"])
    if built.seed is not None:
        assert built.seed in (body.get("seed"), body.get("imageGenerationConfig", {}).get("seed"))
    # every drawn request has a prompt, and a task that takes none was refused above
    assert "a red fox" in json.dumps(body)
