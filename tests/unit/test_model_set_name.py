"""The model set (current or original) is named so that it does not collide with AWS's --profile,
which names credentials; the old names keep working, each with a deprecation line."""

from __future__ import annotations

import pytest
from imagegen import config
from imagegen.config import Settings
from imagegen.errors import ConfigurationError

from stacks.config import StackConfigError, from_context

ENV = {"IMAGEGEN_BUCKET": "my-images", "AWS_REGION": "us-west-2"}


def test_imagegen_model_set_chooses_the_model_set():
    settings = Settings.from_env({**ENV, "IMAGEGEN_MODEL_SET": "original"})
    assert settings.model_set == "original"
    assert settings.generation_models[0] == "amazon.titan-image-generator-v2:0"
    assert config.deprecations({**ENV, "IMAGEGEN_MODEL_SET": "original"}) == []


def test_the_old_variable_still_chooses_it_with_a_deprecation_line():
    env = {**ENV, "IMAGEGEN_PROFILE": "original"}
    assert Settings.from_env(env).model_set == "original"
    assert config.deprecations(env) == [
        "IMAGEGEN_PROFILE is deprecated: set IMAGEGEN_MODEL_SET instead (the same values, current or original)"
    ]


def test_the_old_and_the_new_variable_must_agree():
    with pytest.raises(ConfigurationError, match="IMAGEGEN_MODEL_SET='current' and IMAGEGEN_PROFILE='original'"):
        Settings.from_env({**ENV, "IMAGEGEN_MODEL_SET": "current", "IMAGEGEN_PROFILE": "original"})


def test_an_unknown_model_set_names_the_variable_and_the_sets():
    with pytest.raises(ConfigurationError, match="unknown IMAGEGEN_MODEL_SET 'newest'; use one of current, original"):
        Settings.from_env({**ENV, "IMAGEGEN_MODEL_SET": "newest"})


def test_the_functions_get_the_new_variable_only():
    env = Settings.from_env({**ENV, "IMAGEGEN_PROFILE": "original"}).to_env()
    assert env["IMAGEGEN_MODEL_SET"] == "original" and "IMAGEGEN_PROFILE" not in env


def test_the_stack_takes_the_model_set_from_the_model_set_key():
    stack = from_context({"modelSet": "original"}.get)
    assert (stack.settings.model_set, stack.region) == ("original", "us-east-1")
    assert not any("deprecated" in w for w in stack.warnings)


def test_the_stack_still_takes_the_old_profile_key_with_a_warning():
    stack = from_context({"profile": "original"}.get)
    assert stack.settings.model_set == "original"
    assert stack.warnings[0].startswith("context key profile is deprecated: use -c modelSet=original")


def test_the_stack_prefers_the_new_key_and_says_the_old_one_is_ignored():
    """An older cdk.json may still hold "profile": "current" while -c modelSet=original is given."""
    stack = from_context({"modelSet": "original", "profile": "current"}.get)
    assert stack.settings.model_set == "original"
    assert "context key profile='current' is ignored: modelSet='original' is set" in stack.warnings[0]


def test_an_unknown_model_set_is_named_by_the_key_it_came_from():
    with pytest.raises(StackConfigError, match="unknown profile 'newest'"):
        from_context({"profile": "newest"}.get)
    with pytest.raises(StackConfigError, match="unknown modelSet 'newest'"):
        from_context({"modelSet": "newest"}.get)


def test_cdk_json_sets_no_model_set_so_the_old_key_on_the_command_line_still_counts():
    """With "modelSet" in cdk.json, `-c profile=original` (the old usage) would be ignored."""
    import json
    from pathlib import Path

    context = json.loads((Path(__file__).parents[2] / "cdk.json").read_text())["context"]
    assert "modelSet" not in context and "profile" not in context
