"""The image cost in meta.json and in the answer is the model's rate for the quality its
builder reports (BuiltRequest.quality), whatever the family calls that in its body."""

import dataclasses

import pytest

PROMPT = "a red fox sitting in fresh snow"


def _image_cost(world, body):
    status, answer = world.generate({"prompt": PROMPT, "evaluate": False, **body})
    assert status == 200, answer
    return world.json_object(f"images/{answer['image_id']}/meta.json")["estimated_cost_usd"]["image"], answer


@pytest.mark.parametrize(("quality", "rate"), [(None, 0.008), ("standard", 0.008), ("premium", 0.01)])
def test_a_titan_image_is_priced_at_the_rate_of_its_quality(original_world, quality, rate):
    cost, answer = _image_cost(original_world, {"quality": quality} if quality else {})
    assert cost == rate and answer["estimated_cost_usd"] == rate


def test_a_premium_canvas_edit_is_priced_at_the_premium_rate(original_world):
    original_world.bedrock.size = (512, 512)  # Canvas edits sources of 320 px a side or more
    _, parent = original_world.generate({"prompt": PROMPT, "evaluate": False})
    status, edit = original_world.modify(
        {"image_id": parent["image_id"], "mode": "variation", "prompt": "in winter", "quality": "premium"}
    )
    assert status == 200, edit
    assert original_world.json_object(f"images/{edit['image_id']}/meta.json")["estimated_cost_usd"]["image"] == 0.08


def test_a_stability_image_is_priced_at_its_flat_rate(world):
    cost, _ = _image_cost(world, {"model": "stability.stable-image-ultra-v1:1"})
    assert cost == 0.14


def test_the_price_follows_the_builders_report_not_a_key_of_its_body(monkeypatch, original_world):
    """A builder that says premium while its body says standard is priced premium: pricing
    reads the report, not imageGenerationConfig."""
    from imagegen.usecases import generation

    real = generation.build_request

    def premium(*args, **kwargs):
        built = real(*args, **kwargs)
        assert built.body["imageGenerationConfig"]["quality"] == "standard"
        return dataclasses.replace(built, quality="premium")

    monkeypatch.setattr(generation, "build_request", premium)
    cost, _ = _image_cost(original_world, {})
    assert cost == 0.01
