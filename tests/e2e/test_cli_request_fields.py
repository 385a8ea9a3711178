"""Every field of a request reaches the model the same way from the API, the local commands and
`imagegen api`: the options come from the field table, and each command sends the API's body."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from imagegen import imageinfo, png
from imagegen.storage import make_s3_client

from imagegen_local import cli

BUCKET = "imagegen-demo"
LOCAL_ONLY = {
    "--output-dir",
    "--open",
    "--verbose",
    "--bucket",
    "--model-set",
    "--profile",
    "--allow-retired",
    "--url-expiry",
}
API_ONLY = {"--api-url", "--stack-name", "--api-key"}


def options_of(*names: str) -> set[str]:
    parser: argparse.ArgumentParser = cli.build_parser()
    for name in names:
        (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = action.choices[name]
    return {option for action in parser._actions for option in action.option_strings}


def meta(image_id: str) -> dict:
    body = make_s3_client("us-west-2").get_object(Bucket=BUCKET, Key=f"images/{image_id}/meta.json")["Body"]
    return json.loads(body.read())


@pytest.mark.parametrize("command", ["generate", "modify"])
def test_imagegen_api_offers_every_request_option_the_local_command_has(command):
    assert options_of(command) - LOCAL_ONLY == options_of("api", command) - API_ONLY


def test_api_modify_outpaints_with_margins_against_the_dev_api(run, dev_api):
    code, out, err = run(
        "api", "generate", "a fox", "--size", "1024x1024", "--no-evaluate", "--api-url", dev_api.url, "--json"
    )
    assert code == 0, err
    source = json.loads(out)["answer"]
    code, out, err = run(
        "api", "modify", source["image_id"], "a beach", "--mode", "outpaint", "--margins", "0,256,0,128",
        "--api-url", dev_api.url, "--json",
    )  # fmt: skip
    assert code == 0, err
    edit = json.loads(out)["answer"]
    assert (edit["parent_id"], edit["mode"]) == (source["image_id"], "outpaint")
    assert (edit["width"], edit["height"]) == (source["width"] + 256, source["height"] + 128)
    assert meta(edit["image_id"])["parameters"]["right"] == 256


def test_api_modify_sends_a_mask_file_for_inpainting(run, dev_api):
    code, out, err = run(
        "api", "generate", "a fox", "--size", "1024x1024", "--no-evaluate", "--api-url", dev_api.url, "--json"
    )
    assert code == 0, err
    source = json.loads(out)["answer"]
    mask = run.tmp / "mask.png"
    mask.write_bytes(png.solid(source["width"], source["height"], (255, 255, 255)))
    code, out, err = run(
        "api", "modify", source["image_id"], "a hat", "--mode", "inpaint", "--mask", mask,
        "--api-url", dev_api.url, "--json",
    )  # fmt: skip
    assert code == 0, err
    assert meta(json.loads(out)["answer"]["image_id"])["parameters"]["mask"].startswith("<base64 image")


def test_a_mask_file_that_cannot_be_read_is_a_usage_error(run, dev_api):
    code, _, err = run(
        "api", "modify", "A" * 22, "--mode", "inpaint", "--mask", run.tmp / "none.png", "--api-url", dev_api.url
    )
    assert code == 2
    assert (
        err == f"imagegen api modify: argument --mask: cannot read {run.tmp / 'none.png'}: No such file or directory\n"
    )


@pytest.mark.parametrize("via_api", [False, True], ids=["local", "api"])
def test_output_format_jpeg_saves_a_real_jpeg(run, dev_api, via_api):
    if via_api:
        code, out, err = run(
            "api", "generate", "a fox", "--output-format", "jpeg", "--no-evaluate", "--api-url", dev_api.url, "--json"
        )
        assert code == 0, err
        answer = json.loads(out)["answer"]
        image_id, fmt = answer["image_id"], answer["format"]
        data = make_s3_client("us-west-2").get_object(Bucket=BUCKET, Key=answer["key"])["Body"].read()
    else:
        code, out, err = run(
            "generate", "a fox", "--output-format", "JPEG", "--no-evaluate", "--json", "--output-dir", run.tmp
        )
        assert code == 0, err
        image = json.loads(out)["images"][0]
        image_id, fmt = image["image_id"], image["format"]
        assert image["file"].endswith(".jpg")
        data = Path(image["file"]).read_bytes()
    assert fmt == "jpeg" and data[:3] == b"\xff\xd8\xff"
    assert imageinfo.probe(data).format == "jpeg"
    assert meta(image_id)["parameters"]["output_format"] == "jpeg"


@pytest.mark.parametrize("via_api", [False, True], ids=["local", "api"])
def test_colour_guided_generation_from_the_command_line(run, emulator, dev_api, local_env, via_api):
    emulator.configure(serve_retired=True)  # Titan v2, the original model set's generator, is past its end of life
    local_env.setenv("IMAGEGEN_MODEL_SET", "original")
    reference = run.tmp / "palette.png"
    reference.write_bytes(png.solid(64, 64, (200, 120, 20)))
    guidance = [
        "a poster of a fox",
        "--colors",
        "#ff9800,#000000",
        "--reference-image",
        reference,
        "--no-evaluate",
        "--json",
    ]
    if via_api:
        code, out, err = run("api", "generate", *guidance, "--api-url", dev_api.url)
        image_id = json.loads(out)["answer"]["image_id"] if code == 0 else None
    else:
        code, out, err = run("generate", *guidance, "--output-dir", run.tmp)
        image_id = json.loads(out)["images"][0]["image_id"] if code == 0 else None
    assert code == 0, err
    parameters = meta(image_id)["parameters"]
    assert parameters["taskType"] == "COLOR_GUIDED_GENERATION"
    assert parameters["colorGuidedGenerationParams"]["colors"] == ["#FF9800", "#000000"]
    assert parameters["colorGuidedGenerationParams"]["referenceImage"].startswith("<base64 image")
