"""GET /models: the deployment's generation models, judges and modify modes, from its settings and
the registry, with the fields each takes as its builder accepts them and the limits of uploads."""

from __future__ import annotations

from imagegen.handlers import evaluate
from imagegen.usecases.offered import LAMBDA_REQUEST_BYTES, MAX_UPLOAD_BYTES

from tests.fakes import api_event

from .conftest import World, settings_for


def models(world) -> dict:
    status, body = world.call(evaluate, api_event("GET", "/models"))
    assert status == 200, body
    return body


def by_name(fields: list[dict]) -> dict[str, dict]:
    return {field["name"]: field for field in fields}


def test_the_configured_generation_models_and_judges_are_listed_the_first_the_default(world):
    body = models(world)
    assert [m["id"] for m in body["generation"]] == list(world.settings.generation_models)
    assert [m["default"] for m in body["generation"]] == [True, False]
    assert [m["id"] for m in body["judges"]] == list(world.settings.judge_models)
    assert body["judges"][0]["default"] and body["judges"][0]["name"] == "Nova Lite"
    assert body["model_set"] == "current"
    core = body["generation"][0]
    assert by_name(core["fields"])["prompt"]["required"] is True
    assert "aspect_ratio" in by_name(core["fields"]) and "mask_image" not in by_name(core["fields"])


def test_each_modify_mode_lists_the_fields_its_model_takes_and_the_ones_it_needs(world):
    modes = {m["mode"]: m for m in models(world)["modify"]}
    assert list(modes) == list(world.settings.modify_models)
    inpaint = by_name(modes["inpaint"]["fields"])
    assert inpaint["mask_image"]["required"] and inpaint["prompt"]["required"]
    assert inpaint["grow_mask"]["range"] == [0, 20]
    outpaint = by_name(modes["outpaint"]["fields"])
    assert "margins" in outpaint and outpaint["margins"]["range"] == [0, 2000] and "mask_image" not in outpaint
    transfer = by_name(modes["style-transfer"]["fields"])
    assert transfer["style_image"]["required"] and "style_image_id" in transfer
    assert modes["style-transfer"]["limits"]["input_image"]["formats"] == ["png", "jpeg", "webp"]
    assert [f["name"] for f in modes["upscale"]["fields"]] == ["output_format"]
    assert modes["inpaint"]["model"]["id"] == "stability.stable-image-inpaint-v1:0"


def test_another_model_set_offers_its_own_modes_and_fields(world):
    original = World(
        s3=world.s3, bedrock=world.bedrock, clock=world.clock, settings=settings_for("original", bucket="x")
    )
    modes = {m["mode"]: m for m in models(original)["modify"]}
    assert "style-transfer" not in modes and "recolor" not in modes
    inpaint = by_name(modes["inpaint"]["fields"])
    assert {"mask_image", "mask_prompt", "quality"} <= set(inpaint) and "grow_mask" not in inpaint
    assert modes["outpaint"]["limits"]["input_image"]["max_side"] == 4096
    assert by_name(modes["outpaint"]["fields"])["outpaint_mode"]["choices"] == ["DEFAULT", "PRECISE"]


def test_the_upload_limit_fits_a_base64_body_in_lambdas_request_payload(world):
    body = models(world)
    assert body["limits"]["max_upload_bytes"] == MAX_UPLOAD_BYTES
    assert MAX_UPLOAD_BYTES * 4 / 3 < LAMBDA_REQUEST_BYTES
    assert [o["name"] for o in body["refine"]["options"]] == ["target_score", "max_rounds", "budget_usd"]
