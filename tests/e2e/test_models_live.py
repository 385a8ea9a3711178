"""`imagegen models --live` against the emulator's control plane: the catalog checked against what
the account answers in the region, drift injected through the emulator's faults."""

import json
from datetime import date

import boto3
import pytest
from botocore.exceptions import ClientError
from imagegen import clock
from imagegen.models.registry import all_models

from .conftest import cli_runner

JUDGE = "amazon.nova-lite-v1:0"
GENERATOR = "stability.stable-image-core-v1:1"
UPSCALER = "stability.stable-fast-upscale-v1:0"
DAY = date(2026, 12, 3)  # Claude Sonnet 4.5 Legacy, Titan v2 and Nova Canvas past their end of life


@pytest.fixture
def imagegen(tmp_path, local_env, emulator, monkeypatch):
    """The command line and the emulated account, both on DAY."""
    monkeypatch.setattr(clock, "today", lambda: DAY)
    emulator.configure(today=DAY.isoformat())
    return cli_runner(tmp_path)


def live_json(imagegen, *args):
    code, out, err = imagegen("models", "--live", "--json", *args)
    return code, json.loads(out), err


def test_no_drift_exits_0_and_lists_every_model_in_use_and_offered(imagegen):
    code, out, err = imagegen("models", "--live")
    assert code == 0, err
    assert err == ""
    assert "no drift that breaks a call" in out.splitlines()[-1]
    offered = [m.id for m in all_models() if m.offered_in("us-west-2")]
    assert all(model_id in out for model_id in offered)
    assert "Drift:" not in out and "BREAKS" not in out


def test_a_model_turned_legacy_is_a_drift_that_breaks(imagegen, emulator):
    emulator.configure(legacy_models=[JUDGE])
    code, out, err = imagegen("models", "--live")
    assert code == 5
    [line] = [line for line in out.splitlines() if "BREAKS" in line]
    assert f"{JUDGE}: Legacy in us-west-2 since {DAY}, Active in the catalog" in line
    assert "use " in line and " instead" in line  # an Active judge to move to
    assert out.splitlines()[-1].startswith("1 drift would break a call")
    assert err.startswith("imagegen: 1 drift would break a call")


def test_access_not_granted_is_a_drift_that_says_how_to_grant_it(imagegen, emulator):
    emulator.configure(deny_models=[GENERATOR])
    code, out, _ = imagegen("models", "--live")
    assert code == 5
    [line] = [line for line in out.splitlines() if "BREAKS" in line]
    assert f"{GENERATOR}: access not granted (authorizationStatus NOT_AUTHORIZED" in line
    assert "Model access page" in line and "region=us-west-2#/modelaccess" in line


def test_a_model_missing_from_the_account_is_a_drift_that_breaks(imagegen, emulator):
    emulator.configure(unlisted_models=[UPSCALER])
    code, doc, _ = live_json(imagegen)
    assert code == 5
    assert doc["drift"] == [
        {
            "model": UPSCALER,
            "kind": "not_listed",
            "breaks": True,
            "message": "not listed in us-west-2: the account cannot call it there",
        }
    ]
    row = next(r for r in doc["models"] if r["id"] == UPSCALER)
    assert row["listed"] is False and row["roles"] == ["modify upscale"]


def test_a_missing_inference_profile_breaks_the_model_called_through_it(imagegen, emulator):
    emulator.configure(unlisted_profiles=[f"us.{JUDGE}"])
    code, doc, _ = live_json(imagegen)
    assert code == 5
    assert [(d["model"], d["kind"], d["breaks"]) for d in doc["drift"]] == [(JUDGE, "profile_missing", True)]
    assert next(r for r in doc["models"] if r["id"] == JUDGE)["profile"] == {"id": f"us.{JUDGE}", "available": False}


def test_json_document_shape(imagegen):
    code, doc, _ = live_json(imagegen)
    assert code == 0
    assert set(doc) == {"command", "region", "model_set", "models", "drift", "missing_from_catalog", "summary"}
    assert (doc["command"], doc["region"], doc["model_set"], doc["drift"]) == (
        "models --live",
        "us-west-2",
        "current",
        [],
    )
    judge = next(r for r in doc["models"] if r["id"] == JUDGE)
    assert judge == {
        "id": JUDGE,
        "roles": ["judge"],
        "call_id": f"us.{JUDGE}",
        "listed": True,
        "lifecycle": {
            "account": "ACTIVE",
            "account_legacy_since": None,
            "account_eol": None,
            "catalog": "active",
            "catalog_eol": None,
        },
        "access": {"granted": True, "why": None, "authorization": "AUTHORIZED", "agreement": "AVAILABLE"},
        "profile": {"id": f"us.{JUDGE}", "available": True},
    }
    sonnet = next(r for r in doc["models"] if r["id"] == "anthropic.claude-sonnet-4-5-20250929-v1:0")
    assert sonnet["lifecycle"]["account"] == "LEGACY" and sonnet["lifecycle"]["account_eol"] == "2027-04-08"
    assert doc["summary"] == {
        "models": len(doc["models"]),
        "breaking": 0,
        "notes": 0,
        "missing_from_catalog": len(doc["missing_from_catalog"]),
    }


def test_image_capable_models_the_catalog_lacks_are_listed(imagegen):
    _, doc, _ = live_json(imagegen)
    catalog = {m.id for m in all_models()}
    lacking = doc["missing_from_catalog"]
    assert lacking and not {m["id"] for m in lacking} & catalog
    assert all(m["kind"] in ("image output", "image input (a judge?)") for m in lacking)
    ids = {m["id"] for m in lacking}
    assert "amazon.titan-embed-image-v1" not in ids  # image input, but embeddings out: no judge
    assert "amazon.nova-micro-v1:0" not in ids  # text only


def test_a_retired_model_the_settings_use_is_a_drift_when_the_account_no_longer_lists_it(imagegen):
    code, doc, _ = live_json(imagegen, "--model-set", "original", "--region", "us-east-1")
    assert code == 5
    titan = [d for d in doc["drift"] if d["model"] == "amazon.titan-image-generator-v2:0"]
    assert titan and titan[0]["kind"] == "not_listed" and titan[0]["breaks"]


def test_live_options_need_live(imagegen):
    code, _, err = imagegen("models", "--region", "us-east-1")
    assert code == 2 and "go with --live" in err


def test_the_emulator_refuses_a_malformed_control_plane_call_as_the_service_does(local_env):
    bedrock = boto3.client("bedrock", region_name="us-west-2")
    with pytest.raises(ClientError) as unknown:
        bedrock.get_foundation_model_availability(modelId="amazon.no-such-model-v1:0")
    assert unknown.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert unknown.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as malformed:
        bedrock.get_foundation_model_availability(modelId="Not A Model")
    assert malformed.value.response["Error"]["Code"] == "ValidationException"
    assert "at 'modelId' failed to satisfy constraint" in malformed.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as enum:
        bedrock.list_foundation_models(byOutputModality="VIDEO")
    assert enum.value.response["Error"]["Code"] == "ValidationException"


def test_the_emulated_account_answers_with_the_service_models_fields(local_env):
    bedrock = boto3.client("bedrock", region_name="us-west-2")
    image = bedrock.list_foundation_models(byOutputModality="IMAGE")["modelSummaries"]
    core = next(m for m in image if m["modelId"] == GENERATOR)
    assert core["modelArn"] == f"arn:aws:bedrock:us-west-2::foundation-model/{GENERATOR}"
    assert core["modelLifecycle"] == {"status": "ACTIVE"} and core["outputModalities"] == ["IMAGE"]
    pages = bedrock.get_paginator("list_inference_profiles").paginate(PaginationConfig={"PageSize": 5})
    profiles = [p for page in pages for p in page["inferenceProfileSummaries"]]
    lite = next(p for p in profiles if p["inferenceProfileId"] == f"us.{JUDGE}")
    assert lite["inferenceProfileArn"].startswith("arn:aws:bedrock:us-west-2:") and lite["status"] == "ACTIVE"
    assert len({p["inferenceProfileId"] for p in profiles}) == len(profiles) > 5  # every page, once
    answer = bedrock.get_foundation_model_availability(modelId=JUDGE)
    assert (answer["authorizationStatus"], answer["agreementAvailability"]["status"]) == ("AUTHORIZED", "AVAILABLE")


def test_a_model_unlisted_by_the_account_is_an_invalid_id_to_the_runtime(local_env, emulator, bedrock):
    emulator.configure(unlisted_models=[GENERATOR])
    with pytest.raises(ClientError) as refused:
        bedrock.invoke_model(modelId=GENERATOR, body=json.dumps({"prompt": "a fox"}))
    assert refused.value.response["Error"]["Message"] == "The provided model identifier is invalid."


def test_the_offline_world_points_the_control_plane_at_the_emulator():
    from imagegen_local.world import environment

    env = environment("http://127.0.0.1:1", "http://127.0.0.1:2")
    assert env["AWS_ENDPOINT_URL_BEDROCK"] == env["AWS_ENDPOINT_URL_BEDROCK_RUNTIME"] == "http://127.0.0.1:1"


def test_a_denied_profile_id_withholds_its_model_in_the_control_plane_too(local_env, emulator):
    emulator.configure(deny_models=[f"us.{JUDGE}"])
    answer = boto3.client("bedrock", region_name="us-west-2").get_foundation_model_availability(modelId=JUDGE)
    assert answer["authorizationStatus"] == "NOT_AUTHORIZED"
