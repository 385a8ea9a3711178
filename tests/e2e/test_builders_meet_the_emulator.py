"""The product's builders and the emulator read the documentation independently; every request a
builder produces must be one the emulator accepts, through the product's own client code."""

import functools
import os

import boto3
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from imagegen import png
from imagegen.errors import ContentFiltered, ImageGenError, ModelRetired
from imagegen.models.images import invoke_image_model
from imagegen.models.judge import JudgeOptions, judge_image
from imagegen.models.registry import all_models
from imagegen.models.request import ImageRequest, Margins, Task

from imagegen_local.emulator import jpeg

SOURCE = png.solid(384, 320, (90, 120, 30))
MASK = png.encode(png.Raster(384, 320, "L", tuple(bytes([255] * 100 + [0] * 284) for _ in range(320))))
IMAGE_MODELS = [m for m in all_models() if m.family != "converse-judge"]

PLAUSIBLE = {
    Task.GENERATE: {"prompt": "a red fox in snow"},
    Task.VARIATION: {"prompt": "the same fox in autumn", "images": (SOURCE,), "strength": 0.5},
    Task.INPAINT: {"prompt": "a straw hat", "images": (SOURCE,), "mask_image": MASK},
    Task.OUTPAINT: {"prompt": "more snowy forest", "images": (SOURCE,), "mask_prompt": "the fox"},
    Task.REPLACE: {"prompt": "a snow leopard", "images": (SOURCE,), "mask_prompt": "the fox"},
    Task.RECOLOR: {"prompt": "bright blue", "images": (SOURCE,), "mask_prompt": "the fox"},
    Task.ERASE: {"images": (SOURCE,), "mask_image": MASK},
    Task.REMOVE_BACKGROUND: {"images": (SOURCE,)},
    Task.UPSCALE: {"images": (png.solid(256, 256, (1, 2, 3)),)},
    Task.CONTROL_SKETCH: {"prompt": "a castle on a cliff", "images": (SOURCE,)},
    Task.CONTROL_STRUCTURE: {"prompt": "a castle on a cliff", "images": (SOURCE,)},
    Task.STYLE_GUIDE: {"prompt": "a lighthouse", "images": (SOURCE,)},
    Task.STYLE_TRANSFER: {"images": (SOURCE,), "style_image": png.solid(320, 256, (200, 40, 90))},
}


def plausible(record, task, source=None):
    fields = dict(PLAUSIBLE[task])
    if source is not None and "images" in fields and task is not Task.UPSCALE:
        fields["images"] = (source,)
        if "mask_image" in fields and record.family != "stability-image-services":
            del fields["mask_image"]  # Titan and Canvas need a mask of the source's size: name the area instead
            fields["mask_prompt"] = "the fox"
    if task is Task.OUTPAINT and record.family == "stability-image-services":
        fields = {"prompt": "more forest", "images": (SOURCE,), "margins": Margins(left=128, up=64)}
    if task is Task.VARIATION and "similarity_strength" not in record.limits and record.family == "titan-image":
        fields.pop("strength")  # Titan v1 takes no similarity strength
    if task is Task.UPSCALE and "fast" in record.id:
        fields.pop("prompt", None)
    elif task is Task.UPSCALE:
        fields["prompt"] = "a sharp photograph"
    return ImageRequest(task=task, **fields)


def client_for(record):
    """A plain client in the model's region; one for each region and AWS_ environment (endpoint,
    credentials, config files), made once: a boto3 client takes some 10 ms to make, and some 250
    are asked for."""
    region = "us-east-1" if record.family in ("titan-image", "nova-canvas") else "us-west-2"
    return _client(region, tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("AWS_"))))


@functools.cache
def _client(region, environment):
    return boto3.client("bedrock-runtime", region_name=region)


@pytest.mark.parametrize(("model_id", "task"), [(m.id, t) for m in IMAGE_MODELS for t in m.tasks], ids=lambda v: str(v))
def test_every_model_and_task_builds_a_request_the_emulator_accepts(emulator, local_env, model_id, task):
    emulator.configure(serve_retired=True)
    record = next(m for m in IMAGE_MODELS if m.id == model_id)
    built, result = invoke_image_model(client_for(record), model_id, plausible(record, task), allow_retired=True)
    image = result.images[0]
    assert image.format == "png" and image.data.startswith(b"\x89PNG")
    if task is Task.GENERATE and record.family != "stability-text-to-image":
        assert (image.width, image.height) == (
            built.body["imageGenerationConfig"]["width"],
            built.body["imageGenerationConfig"]["height"],
        )
    assert emulator.calls[-1]["status"] == 200


extras = st.sampled_from(
    [
        {},
        {"seed": 11},
        {"negative_prompt": "blurry"},
        {"count": 2},
        {"quality": "premium"},
        {"cfg_scale": 7.5},
        {"aspect_ratio": "16:9"},
        {"width": 1152, "height": 640},
        {"style": "anime"},
        {"style": "PHOTOREALISM"},
        {"output_format": "png"},
        {"grow_mask": 5},
        {"creativity": 0.3},
        {"outpaint_mode": "precise"},
        {"colors": ("#ff0000", "#00FF00")},
        {"control_strength": 0.0},
        {"control_strength": 1.0},
        {"fidelity": 0.9},
        {"aspect_ratio": "9:21"},
        {"composition_fidelity": 0.0, "style_strength": 1.0},
        {"change_strength": 0.1},
        {"prompt": "in watercolour"},
    ]
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(data=st.data())
def test_whatever_a_builder_accepts_the_emulator_accepts(emulator, local_env, data):
    emulator.configure(serve_retired=True)
    record = data.draw(st.sampled_from(IMAGE_MODELS))
    task = data.draw(st.sampled_from(record.tasks))
    request = plausible(record, task, data.draw(sources))
    extra = data.draw(extras)
    try:
        request = ImageRequest(**{**{f: getattr(request, f) for f in request.fields_set()}, "task": task, **extra})
        invoke_image_model(client_for(record), record.id, request, allow_retired=True)
    except ImageGenError as exc:
        # the builder may refuse (a typed 4xx, before any call); the emulator must never have to
        assert exc.http_status == 400, f"{record.id} {task} {extra}: {exc.code} {exc.message} {exc.upstream}"
        event("refused by the builder")
        return
    event("accepted by the emulator")


def _source(width, height, fmt):
    rows = tuple(bytes([(y * 3) % 256, 90, 160]) * width for y in range(height))
    return png.encode(png.Raster(width, height, "RGB", rows)) if fmt == "png" else jpeg.encode(width, height, rows)


sources = st.sampled_from(
    [None, *(_source(w, h, f) for (w, h) in ((320, 320), (640, 384), (400, 800)) for f in ("png", "jpeg"))]
)


ACTIVE_JUDGES = [m.id for m in all_models() if m.family == "converse-judge" and m.lifecycle.state() == "active"]


@pytest.mark.parametrize("edit", [False, True], ids=["generation", "edit"])
@pytest.mark.parametrize("judge", ACTIVE_JUDGES)
def test_every_active_judge_gives_sub_scores_a_checklist_and_a_derived_score_through_the_same_call(
    bedrock, judge, edit
):
    verdict = judge_image(bedrock, judge, SOURCE, "a red fox with a blue hat in snow", JudgeOptions(edit=edit))
    assert type(verdict.score) is int and 1 <= verdict.score <= 10
    assert verdict.answered_with == "tool"
    assert verdict.description.startswith(f"[emulated by {judge}]")
    edit_parts = {"edit_success", "preservation"} if edit else set()
    assert set(verdict.sub_scores) == {"prompt_adherence", "visual_quality", *edit_parts}
    assert [item["element"] for item in verdict.checklist] == ["a red fox", "a blue hat in snow"]


def test_a_judge_answering_in_text_is_still_understood(emulator, bedrock):
    emulator.configure(judge_text_answers=True)
    verdict = judge_image(bedrock, "amazon.nova-lite-v1:0", SOURCE, "a red fox in snow")
    assert verdict.answered_with == "text" and type(verdict.score) is int
    assert verdict.checklist and all(item["note"].startswith("emulated") for item in verdict.checklist)


def test_a_judge_that_filters_is_a_typed_error(bedrock):
    with pytest.raises(ContentFiltered) as caught:
        judge_image(bedrock, "amazon.nova-lite-v1:0", SOURCE, "a fox [unjudgeable]")
    assert caught.value.stage == "judge"


def test_the_originals_dead_judge_answers_end_of_life_as_a_typed_error(bedrock):
    with pytest.raises(ModelRetired):
        judge_image(
            bedrock, "anthropic.claude-3-5-sonnet-20240620-v1:0", SOURCE, "a fox", JudgeOptions(allow_retired=True)
        )
