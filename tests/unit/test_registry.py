import dataclasses
from datetime import date

import pytest
from imagegen.errors import ModelRetired, ModelUnavailable, UnknownModel, UnsupportedTask
from imagegen.models import registry
from imagegen.models.images import FAMILIES
from imagegen.models.request import Task

TODAY = date(2026, 11, 24)

REQUIRED = {
    "amazon.titan-image-generator-v1": {Task.GENERATE},
    "amazon.titan-image-generator-v2:0": {
        Task.GENERATE,
        Task.VARIATION,
        Task.INPAINT,
        Task.OUTPAINT,
        Task.REMOVE_BACKGROUND,
    },
    "amazon.nova-canvas-v1:0": {Task.GENERATE, Task.VARIATION, Task.INPAINT, Task.OUTPAINT, Task.REMOVE_BACKGROUND},
    "stability.sd3-5-large-v1:0": {Task.GENERATE, Task.VARIATION},
    "stability.stable-image-core-v1:1": {Task.GENERATE},
    "stability.stable-image-ultra-v1:1": {Task.GENERATE, Task.VARIATION},
    "stability.stable-image-inpaint-v1:0": {Task.INPAINT},
    "stability.stable-outpaint-v1:0": {Task.OUTPAINT},
    "stability.stable-image-search-replace-v1:0": {Task.REPLACE},
    "stability.stable-image-search-recolor-v1:0": {Task.RECOLOR},
    "stability.stable-image-erase-object-v1:0": {Task.ERASE},
    "stability.stable-image-remove-background-v1:0": {Task.REMOVE_BACKGROUND},
    "stability.stable-fast-upscale-v1:0": {Task.UPSCALE},
    "amazon.nova-lite-v1:0": {Task.JUDGE},
    "amazon.nova-2-lite-v1:0": {Task.JUDGE},
    "amazon.nova-pro-v1:0": {Task.JUDGE},
    "anthropic.claude-haiku-4-5-20251001-v1:0": {Task.JUDGE},
    "anthropic.claude-sonnet-4-5-20250929-v1:0": {Task.JUDGE},
}


@pytest.mark.parametrize(("model_id", "tasks"), REQUIRED.items(), ids=list(REQUIRED))
def test_registry_holds_each_required_model_with_its_tasks(model_id, tasks):
    record = registry.get(model_id)
    assert tasks <= set(record.tasks)


def test_every_record_is_complete_and_interpretable():
    for record in registry.all_models():
        assert record.tasks, record.id
        assert record.regions or record.profiles, record.id
        assert record.family in FAMILIES or record.family == "converse-judge", record.id
        assert record.price.per_image or record.price.input_per_million is not None, record.id
        if Task.JUDGE in record.tasks:
            assert record.tasks == (Task.JUDGE,)
        if record.successor:
            successor = registry.get(record.successor)
            assert successor.lifecycle.state(TODAY) == "active"
            assert set(successor.tasks) & set(record.tasks)


@pytest.mark.parametrize(
    ("given", "base", "prefix"),
    [
        ("amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", None),
        ("us.amazon.nova-lite-v1:0", "amazon.nova-lite-v1:0", "us"),
        ("global.amazon.nova-2-lite-v1:0", "amazon.nova-2-lite-v1:0", "global"),
        ("eu.anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0", "eu"),
        ("us.stability.stable-outpaint-v1:0", "stability.stable-outpaint-v1:0", "us"),
        ("arn:aws:bedrock:us-west-2::foundation-model/stability.sd3-5-large-v1:0", "stability.sd3-5-large-v1:0", None),
        (
            "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0",
            "amazon.nova-pro-v1:0",
            "us",
        ),
    ],
)
def test_a_profile_id_or_arn_resolves_to_its_base_record(given, base, prefix):
    resolved = registry.resolve(given)
    assert (resolved.record.id, resolved.profile_prefix) == (base, prefix)


def test_an_unknown_id_raises_with_close_matches():
    with pytest.raises(UnknownModel) as caught:
        registry.resolve("amazon.nova-lite-v2:0")
    assert "amazon.nova-lite-v1:0" in caught.value.details["close_matches"]
    assert "did you mean" in caught.value.message


def test_an_unknown_id_far_from_everything_has_no_suggestions():
    with pytest.raises(UnknownModel) as caught:
        registry.resolve("openai.dall-e-3")
    assert caught.value.details["close_matches"] == []


def test_a_profile_the_model_does_not_have_is_unknown_and_points_to_real_ones():
    with pytest.raises(UnknownModel) as caught:
        registry.resolve("jp.amazon.nova-lite-v1:0")
    assert caught.value.details["close_matches"] == ["us.amazon.nova-lite-v1:0", "eu.amazon.nova-lite-v1:0"]


@pytest.mark.parametrize(
    ("model_id", "day", "state"),
    [
        ("amazon.titan-image-generator-v2:0", date(2026, 6, 29), "legacy"),
        ("amazon.titan-image-generator-v2:0", date(2026, 6, 30), "retired"),
        ("amazon.nova-canvas-v1:0", date(2026, 9, 29), "legacy"),
        ("amazon.nova-canvas-v1:0", date(2026, 9, 30), "retired"),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", date(2026, 3, 1), "retired"),
        ("amazon.titan-image-generator-v1", date(2024, 1, 1), "retired"),
        ("stability.stable-image-core-v1:1", TODAY, "active"),
        ("amazon.nova-lite-v1:0", TODAY, "active"),
    ],
)
def test_lifecycle_state_follows_the_dates(model_id, day, state):
    assert registry.get(model_id).lifecycle.state(day) == state


def test_a_retired_model_names_what_to_use_instead():
    with pytest.raises(ModelRetired, match="use stability.stable-image-core-v1:1 instead"):
        registry.get("amazon.nova-canvas-v1:0").check_callable(TODAY)
    registry.get("stability.stable-image-core-v1:1").check_callable(TODAY)  # active: no error


AFTER_EOL = date(2026, 12, 1)  # past Titan v2's (2026-06-30) and Canvas's (2026-09-30) end of life


@pytest.mark.parametrize(
    ("model_id", "task", "successor"),
    [
        ("amazon.nova-canvas-v1:0", Task.GENERATE, "stability.stable-image-core-v1:1"),  # the declared one
        ("amazon.nova-canvas-v1:0", Task.VARIATION, "stability.sd3-5-large-v1:0"),
        ("amazon.nova-canvas-v1:0", Task.INPAINT, "stability.stable-image-inpaint-v1:0"),
        ("amazon.titan-image-generator-v2:0", Task.REMOVE_BACKGROUND, "stability.stable-image-remove-background-v1:0"),
        ("amazon.titan-image-generator-v1", Task.ERASE, "stability.stable-image-erase-object-v1:0"),
        ("anthropic.claude-3-5-sonnet-20240620-v1:0", Task.JUDGE, "anthropic.claude-haiku-4-5-20251001-v1:0"),
    ],
)
def test_retired_model_advice_names_an_active_model_that_can_do_the_task(model_id, task, successor):
    with pytest.raises(ModelRetired) as caught:
        registry.get(model_id).check_callable(AFTER_EOL, task)
    assert caught.value.message.endswith(f"is retired on Bedrock; use {successor} instead")
    named = registry.get(successor)
    assert named.supports(task) and named.lifecycle.state(AFTER_EOL) == "active"


def test_when_no_active_model_can_do_the_task_the_advice_says_so(monkeypatch):
    canvas = registry.get("amazon.nova-canvas-v1:0")
    monkeypatch.setattr(registry, "all_models", lambda: [canvas, registry.get("amazon.titan-image-generator-v2:0")])
    with pytest.raises(ModelRetired, match="retired on Bedrock; no Active model in the registry can do 'variation'"):
        dataclasses.replace(canvas, successor=None).check_callable(AFTER_EOL, Task.VARIATION)


def test_without_a_task_the_advice_is_the_declared_successor_if_it_is_active():
    assert (
        registry.get("amazon.nova-canvas-v1:0").instead(today=AFTER_EOL)
        == "use stability.stable-image-core-v1:1 instead"
    )
    no_successor = dataclasses.replace(registry.get("amazon.nova-canvas-v1:0"), successor=None)
    assert no_successor.instead(today=AFTER_EOL) == "choose an Active model from the registry"


@pytest.mark.parametrize(
    ("model_id", "region", "expected"),
    [
        ("amazon.nova-lite-v1:0", "us-east-1", "amazon.nova-lite-v1:0"),
        ("amazon.nova-lite-v1:0", "us-west-2", "us.amazon.nova-lite-v1:0"),
        ("amazon.nova-lite-v1:0", "eu-west-1", "eu.amazon.nova-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0", "us-east-1", "us.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0", "ap-northeast-1", "jp.amazon.nova-2-lite-v1:0"),
        ("amazon.nova-2-lite-v1:0", "sa-east-1", "global.amazon.nova-2-lite-v1:0"),
        ("stability.stable-image-inpaint-v1:0", "us-east-2", "us.stability.stable-image-inpaint-v1:0"),
        ("stability.sd3-5-large-v1:0", "us-west-2", "stability.sd3-5-large-v1:0"),
    ],
)
def test_the_id_to_call_depends_on_the_region(model_id, region, expected):
    assert registry.resolve(model_id).call_id(region) == expected


@pytest.mark.parametrize(
    ("model_id", "region"),
    [
        ("amazon.titan-image-generator-v2:0", "eu-central-1"),
        ("stability.stable-image-erase-object-v1:0", "us-west-1"),
        ("stability.stable-image-core-v1:1", "us-east-1"),
        ("eu.amazon.nova-lite-v1:0", "us-east-1"),
    ],
)
def test_a_model_not_offered_in_the_region_is_refused_before_any_call(model_id, region):
    with pytest.raises(ModelUnavailable):
        registry.resolve(model_id).call_id(region)


def test_without_a_region_a_profile_only_model_gets_its_first_profile():
    assert registry.resolve("stability.stable-fast-upscale-v1:0").call_id() == "us.stability.stable-fast-upscale-v1:0"
    assert registry.resolve("amazon.nova-lite-v1:0").call_id() == "amazon.nova-lite-v1:0"


def test_prices_estimate_images_and_tokens():
    assert registry.get("amazon.titan-image-generator-v2:0").price.image_cost(2, "premium") == 0.02
    assert registry.get("amazon.titan-image-generator-v2:0").price.image_cost(1) == 0.008
    assert registry.get("stability.stable-image-ultra-v1:1").price.image_cost(1, "premium") == 0.14
    assert registry.get("amazon.nova-lite-v1:0").price.token_cost(1_000_000, 500_000) == 0.18
    assert registry.get("amazon.nova-lite-v1:0").price.token_cost(None, 10) is None
    assert registry.get("amazon.nova-lite-v1:0").price.image_cost(1) is None


def test_require_names_the_tasks_a_model_can_do():
    with pytest.raises(UnsupportedTask) as caught:
        registry.get("stability.stable-image-core-v1:1").require(Task.INPAINT)
    assert caught.value.details["supported"] == ["generate"]
    assert caught.value.http_status == 400


def test_models_for_a_task_lists_every_capable_model():
    judges = {m.id for m in registry.models_for(Task.JUDGE)}
    assert {"amazon.nova-lite-v1:0", "amazon.nova-2-lite-v1:0", "anthropic.claude-haiku-4-5-20251001-v1:0"} <= judges
    assert "stability.stable-image-core-v1:1" not in judges


def test_offered_in_covers_bare_ids_and_profiles():
    assert registry.get("stability.sd3-5-large-v1:0").offered_in("us-west-2")
    assert not registry.get("stability.sd3-5-large-v1:0").offered_in("us-east-1")
    assert registry.get("amazon.nova-2-lite-v1:0").offered_in("sa-east-1")  # through the global profile
    assert not registry.get("stability.stable-image-inpaint-v1:0").offered_in("eu-west-1")
