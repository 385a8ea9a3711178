"""Settings, ids, retries, the storage layout and the Lambda runtime's wiring."""

import json
import random

import boto3
import pytest
from botocore.stub import Stubber
from imagegen import runtime as runtime_module
from imagegen.clock import Deadline
from imagegen.config import Settings
from imagegen.errors import (
    ConfigurationError,
    InvalidParameter,
    ModelAccessDenied,
    NoTimeLeft,
    Throttled,
    UpstreamUnavailable,
)
from imagegen.handlers import api, evaluate
from imagegen.ids import checked_image_id, new_image_id
from imagegen.retry import with_retries
from imagegen.runtime import Runtime, cached, evaluation_scheduler
from imagegen.storage import edit_link_key, evaluation_key, image_key, meta_key

from tests.fakes import FakeClock

ENV = {"IMAGEGEN_BUCKET": "my-images", "AWS_REGION": "us-west-2"}

# --- settings -------------------------------------------------------------------------------------


def test_the_current_profile_is_the_default_and_uses_active_models():
    settings = Settings.from_env(ENV)
    assert settings.model_set == "current"
    assert settings.generation_models[0] == "stability.stable-image-core-v1:1"
    assert settings.judge_models[0] == "amazon.nova-lite-v1:0"
    assert settings.modify_models["inpaint"] == "stability.stable-image-inpaint-v1:0"
    assert not settings.allow_retired


def test_the_original_profile_allows_its_retired_models():
    settings = Settings.from_env({**ENV, "IMAGEGEN_MODEL_SET": "original"})
    assert settings.generation_models[0] == "amazon.titan-image-generator-v2:0"
    assert set(settings.modify_models.values()) == {"amazon.nova-canvas-v1:0"}
    assert settings.allow_retired


def test_environment_overrides_models_lists_and_numbers():
    settings = Settings.from_env(
        {
            **ENV,
            "IMAGEGEN_GENERATION_MODEL": "stability.stable-image-ultra-v1:1, stability.stable-image-core-v1:1",
            "IMAGEGEN_JUDGE_MODEL": "us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "IMAGEGEN_MODIFY_MODELS": json.dumps({"upscale": "stability.stable-creative-upscale-v1:0"}),
            "IMAGEGEN_URL_EXPIRY": "600",
            "IMAGEGEN_EVALUATE_FUNCTION": "evaluate-fn",
        }
    )
    assert settings.generation_models == ("stability.stable-image-ultra-v1:1", "stability.stable-image-core-v1:1")
    assert settings.judge_models[0] == "us.anthropic.claude-haiku-4-5-20251001-v1:0"
    assert settings.modify_models["upscale"] == "stability.stable-creative-upscale-v1:0"
    assert settings.modify_models["erase"] == "stability.stable-image-erase-object-v1:0"
    assert (settings.url_expiry_seconds, settings.evaluate_function) == (600, "evaluate-fn")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"AWS_REGION": "us-west-2"}, "IMAGEGEN_BUCKET"),
        ({**ENV, "IMAGEGEN_MODEL_SET": "newest"}, "unknown IMAGEGEN_MODEL_SET"),
        ({**ENV, "IMAGEGEN_GENERATION_MODEL": "amazon.nova-lite-v1:0"}, "generation model is not usable"),
        ({**ENV, "IMAGEGEN_JUDGE_MODEL": "amazon.nova-lite-v2:0"}, "did you mean amazon.nova-lite-v1:0"),
        ({**ENV, "IMAGEGEN_MODIFY_MODELS": "{not json"}, "JSON object"),
        ({**ENV, "IMAGEGEN_MODIFY_MODELS": '{"sharpen": "stability.stable-fast-upscale-v1:0"}'}, "unknown modify mode"),
        (
            {**ENV, "IMAGEGEN_MODIFY_MODELS": '{"inpaint": "stability.stable-fast-upscale-v1:0"}'},
            "modify inpaint model",
        ),
        ({**ENV, "IMAGEGEN_URL_EXPIRY": "604801"}, "IMAGEGEN_URL_EXPIRY"),
        ({**ENV, "IMAGEGEN_JUDGE_SECONDS": "soon"}, "not a number"),
    ],
)
def test_bad_settings_are_a_configuration_error_that_says_what_to_fix(env, message):
    with pytest.raises(ConfigurationError, match=message):
        Settings.from_env(env)


def test_a_mode_this_deployment_has_no_model_for_is_a_400():
    settings = Settings.from_env({**ENV, "IMAGEGEN_MODEL_SET": "original"})
    with pytest.raises(InvalidParameter) as caught:
        settings.modify_model("recolor")
    assert caught.value.http_status == 400


# --- ids ------------------------------------------------------------------------------------------


def test_ids_are_random_url_safe_and_checked():
    ids = {new_image_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(checked_image_id(i) == i for i in ids)
    for bad in ("short", "A" * 23, "../../etc/passwd00000", None, 7, "A" * 21 + "/", "A" * 22 + "\n"):
        with pytest.raises(InvalidParameter):
            checked_image_id(bad)


def test_new_ids_never_start_with_a_dash_so_a_command_line_takes_them_as_arguments():
    # base64url puts "-" first in 1 of 64 ids: 2000 draws would show ~31 of them
    assert not any(new_image_id().startswith("-") for _ in range(2000))


# --- retries --------------------------------------------------------------------------------------


def _flaky(errors):
    calls = []

    def call():
        calls.append(1)
        if errors:
            raise errors.pop(0)
        return "ok"

    return call, calls


def test_retryable_errors_are_retried_with_full_jitter_below_an_exponential_cap():
    clock = FakeClock()
    call, calls = _flaky([Throttled("t"), Throttled("t"), UpstreamUnavailable("u"), Throttled("t")])
    assert with_retries(call, Deadline.after(clock, 60), rng=random.Random(3), base=0.5, cap=4.0) == "ok"
    assert len(calls) == 5
    assert [s <= b for s, b in zip(clock.slept, [0.5, 1.0, 2.0, 4.0], strict=True)] == [True] * 4


def test_an_error_that_is_not_retryable_is_raised_at_once():
    clock = FakeClock()
    call, calls = _flaky([ModelAccessDenied("no")])
    with pytest.raises(ModelAccessDenied):
        with_retries(call, Deadline.after(clock, 60))
    assert (len(calls), clock.slept) == (1, [])


def test_retrying_stops_when_the_deadline_leaves_no_room_for_another_call():
    clock = FakeClock()
    call, calls = _flaky([Throttled("t")] * 10)

    def slow_call():
        clock.now += 1.0  # the throttled call took a second: 1.5 s are left, a call needs 2
        return call()

    with pytest.raises(Throttled):
        with_retries(slow_call, Deadline.after(clock, 2.5), rng=random.Random(1), call_seconds=2.0)
    assert (len(calls), clock.slept) == (1, [])


def test_the_first_call_is_not_made_when_it_cannot_finish_in_the_time_left():
    clock = FakeClock()
    call, calls = _flaky([])
    with pytest.raises(NoTimeLeft) as caught:
        with_retries(call, Deadline.after(clock, 7.0), call_seconds=24.0)
    assert calls == []
    assert (caught.value.http_status, caught.value.code) == (503, "no_time_left")
    assert caught.value.details == {"seconds_left": 7.0, "seconds_needed": 24.0}
    assert "not enough time left in this request to call the model" in caught.value.message


def test_retrying_stops_after_max_attempts():
    call, calls = _flaky([Throttled("t")] * 10)
    with pytest.raises(Throttled):
        with_retries(call, Deadline.after(FakeClock(), 600), max_attempts=3)
    assert len(calls) == 3


# --- storage layout -------------------------------------------------------------------------------


def test_one_prefix_per_image_id():
    assert image_key("abc", "png") == "images/abc/image.png"
    assert image_key("abc", "jpeg") == "images/abc/image.jpg"
    assert meta_key("abc") == "images/abc/meta.json"
    assert evaluation_key("abc") == "images/abc/evaluation.json"
    assert edit_link_key("abc", "def") == "images/abc/edits/def.json"


# --- the Lambda runtime ---------------------------------------------------------------------------


def test_runtime_from_env_wires_regional_clients_that_leave_retrying_to_the_pipeline():
    runtime = Runtime.from_env({**ENV, "IMAGEGEN_EVALUATE_FUNCTION": "evaluate-fn"}, judge_timeout=7)
    services = runtime.pipeline.services
    assert services.bedrock.meta.region_name == "us-west-2"
    assert services.bedrock.meta.config.retries["total_max_attempts"] == 1
    assert services.judge_bedrock.meta.config.read_timeout == 7
    assert services.store.s3.meta.config.signature_version == "s3v4"
    assert services.bedrock.meta.config.read_timeout + 2.0 == services.image_call_seconds
    assert services.judge_call_seconds == 9.0
    assert services.store.bucket == "my-images"
    assert services.schedule_evaluation is not None


def test_an_api_request_keeps_time_before_and_after_its_longest_image_call():
    services = Runtime.from_env(ENV).pipeline.services
    usable = api.API_TIMEOUT_SECONDS - api.SAFETY_SECONDS
    before_and_after = usable - services.image_call_seconds
    assert before_and_after >= 3.0  # a cold start or a modify's reads, then the writes
    s3 = services.store.s3.meta.config
    assert s3.connect_timeout + s3.read_timeout <= before_and_after  # one stalled S3 attempt
    assert s3.retries["total_max_attempts"] == 2  # a transient S3 error costs one retry, not two


def test_the_judge_of_the_evaluate_function_fits_in_an_api_request():
    services = Runtime.from_env(ENV, judge_timeout=evaluate.JUDGE_TIMEOUT_SECONDS).pipeline.services
    assert services.judge_bedrock.meta.config.read_timeout == evaluate.JUDGE_TIMEOUT_SECONDS
    assert services.judge_call_seconds + 3.0 <= api.API_TIMEOUT_SECONDS - api.SAFETY_SECONDS


def test_scheduling_a_background_evaluation_takes_one_short_attempt(monkeypatch):
    clients = []
    monkeypatch.setattr(runtime_module, "evaluation_scheduler", lambda client, function: clients.append(client))
    Runtime.from_env({**ENV, "IMAGEGEN_EVALUATE_FUNCTION": "evaluate-fn"})
    config = clients[0].meta.config
    assert config.retries["total_max_attempts"] == 1  # a retry could pay for the same evaluation twice
    assert config.connect_timeout + config.read_timeout <= api.SAFETY_SECONDS + 1.0


def test_runtime_without_an_evaluate_function_judges_in_the_request():
    assert Runtime.from_env(ENV).pipeline.services.schedule_evaluation is None


def test_runtime_needs_a_region():
    with pytest.raises(ConfigurationError, match="AWS_REGION"):
        Runtime.from_env({"IMAGEGEN_BUCKET": "b"})


def test_the_scheduler_invokes_the_evaluate_function_as_an_event():
    client = boto3.client("lambda", region_name="us-west-2")
    with Stubber(client) as stub:
        stub.add_response(
            "invoke",
            {"StatusCode": 202},
            {
                "FunctionName": "evaluate-fn",
                "InvocationType": "Event",
                "Payload": json.dumps({"image_id": "abc", "judge_model": "amazon.nova-lite-v1:0"}).encode(),
            },
        )
        evaluation_scheduler(client, "evaluate-fn")("abc", "amazon.nova-lite-v1:0")
        stub.assert_no_pending_responses()


def test_cached_builds_once_but_does_not_keep_a_failure():
    attempts = []

    def factory():
        attempts.append(1)
        if len(attempts) == 1:
            raise ConfigurationError("not yet")
        return "runtime"

    get = cached(factory)
    with pytest.raises(ConfigurationError):
        get()
    assert get() == get() == "runtime"
    assert len(attempts) == 2


@pytest.mark.parametrize("code", ["ExpiredToken", "InvalidAccessKeyId", "SignatureDoesNotMatch"])
def test_credentials_s3_refuses_are_a_credentials_error_not_a_storage_failure(code):
    from botocore.exceptions import ClientError
    from imagegen.errors import CredentialsMissing, StorageFailure
    from imagegen.storage import s3_errors

    with pytest.raises(CredentialsMissing, match=f"refused by S3 \\({code}\\)"), s3_errors("store the image"):
        raise ClientError({"Error": {"Code": code, "Message": "no"}}, "PutObject")
    with (
        pytest.raises(StorageFailure, match="could not store the image in S3 \\(SlowDown\\)"),
        s3_errors("store the image"),
    ):
        raise ClientError({"Error": {"Code": "SlowDown", "Message": "no"}}, "PutObject")


@pytest.mark.parametrize(
    "env",
    [
        {"IMAGEGEN_BUCKET": "b"},
        {
            "IMAGEGEN_BUCKET": "b",
            "IMAGEGEN_MODEL_SET": "original",
            "IMAGEGEN_JUDGE_MODEL": "amazon.nova-lite-v1:0,us.anthropic.claude-haiku-4-5-20251001-v1:0",
            "IMAGEGEN_MODIFY_MODELS": '{"upscale": "stability.stable-creative-upscale-v1:0"}',
            "IMAGEGEN_URL_EXPIRY": "60",
            "IMAGEGEN_JUDGE_SECONDS": "7.5",
            "IMAGEGEN_ALLOW_RETIRED": "false",
            "IMAGEGEN_EVALUATE_FUNCTION": "evaluate-fn",
            "IMAGEGEN_CORS_ORIGIN": "https://app.example.com",
        },
    ],
    ids=["defaults", "every-setting"],
)
def test_settings_written_as_variables_read_back_as_the_same_settings(env):
    settings = Settings.from_env(env)
    assert Settings.from_env(settings.to_env()) == settings
