"""The command line as a newcomer meets it: argument order, abbreviations, --version, pipes,
--open without a viewer, and errors that name the flags typed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import webbrowser

import pytest

from imagegen_local.cli import build_parser
from imagegen_local.cli.context import Usage
from tests.e2e.conftest import cli_runner

IMAGEGEN = [sys.executable, "-m", "imagegen_local.cli"]


def test_a_modify_prompt_may_come_after_the_options():
    args = build_parser().parse_args(["modify", "photo.png", "--mode", "inpaint", "--mask-prompt", "the sky", "a cat"])
    assert (args.image, args.mode, args.mask_prompt, args.prompt) == ("photo.png", "inpaint", "the sky", "a cat")


def test_an_api_modify_prompt_may_come_after_the_options():
    args = build_parser().parse_args(["api", "modify", "0" * 32, "--mode", "inpaint", "a cat", "--mask-prompt", "sky"])
    assert (args.image_id, args.prompt, args.mask_prompt) == ("0" * 32, "a cat", "sky")


def test_an_image_id_that_starts_with_a_dash_still_goes_after_double_dash():
    args = build_parser().parse_args(["modify", "--mode", "upscale", "--", "-TFW53I7d0PcBp29-Vf90Q"])
    assert (args.image, args.prompt) == ("-TFW53I7d0PcBp29-Vf90Q", None)


@pytest.mark.parametrize(
    "argv",
    [
        ["api", "modify", "0" * 32, "a cat", "--mask-p", "the sky"],
        ["models", "--jso"],
        ["generate", "a fox", "--neg", "blur"],
    ],
)
def test_an_abbreviated_or_foreign_option_is_refused_not_guessed(argv):
    with pytest.raises(Usage) as refused:
        build_parser().parse_args(argv)
    assert "unrecognized arguments" in refused.value.message


def test_version_answers_the_installed_version(tmp_path):
    from importlib.metadata import version

    code, out, err = cli_runner(tmp_path)("--version")
    assert (code, out.strip(), err) == (0, f"imagegen {version('bedrock-imagegen-eval')}", "")


def test_a_reader_that_stops_early_leaves_no_broken_pipe_line():
    """`imagegen models | true`: the reader is gone before imagegen writes; imagegen ends quietly."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        writer = subprocess.run(
            [*IMAGEGEN, "models"], stdout=write_end, stderr=subprocess.PIPE, timeout=60, check=False
        )
    finally:
        os.close(write_end)
    assert writer.stderr.decode() == ""
    assert writer.returncode == 141  # as a shell tool killed by SIGPIPE: 128 + 13


def test_open_without_a_viewer_says_where_the_image_is(local_env, tmp_path, monkeypatch):
    """webbrowser.open answers False where no viewer can be started (a server, a container)."""
    monkeypatch.setattr(webbrowser, "open", lambda url: False)
    code, out, err = cli_runner(tmp_path)("generate", "a red fox", "--open", "--output-dir", tmp_path / "out")
    saved = next((tmp_path / "out").iterdir())
    assert code == 0
    assert err == f"imagegen: no image viewer to open {saved} (set BROWSER to a program that can)\n"


@pytest.fixture
def stored_image(local_env, tmp_path):
    code, out, _ = cli_runner(tmp_path)("generate", "a red fox", "--no-evaluate", "--json", "--output-dir", tmp_path)
    assert code == 0
    return json.loads(out)["images"][0]["image_id"]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["--mode", "inpaint", "a cat"],
            "--mask or --mask-rect is not given; stability.stable-image-inpaint-v1:0 needs it: required, unless "
            "transparent pixels "
            "in the source image mark the area (it has no alpha channel)",
        ),
        (
            ["--mode", "erase", "a cat"],
            "PROMPT 'a cat' is not allowed for stability.stable-image-erase-object-v1:0: not supported for 'erase' "
            "(this task takes: --grow-mask, IMAGE, --mask, --output-format, --seed)",
        ),
        (
            ["--mode", "outpaint", "more sky"],
            "--margins is not given; stability.stable-outpaint-v1:0 needs it: at least one of left, right, up, down "
            "above 0 (at most 2000)",
        ),
        (
            ["a cat", "--mode", "variation", "--seed", "-3"],
            "--seed -3 is not allowed for stability.sd3-5-large-v1:0: a whole number from 0 to 4294967294",
        ),
        (  # the mask it made is named by the option typed, and its bytes are no value the user gave
            ["a cat", "--mode", "replace", "--mask-prompt", "the fox", "--mask-rect", "0,0,10,10"],
            "--mask-rect is not allowed for stability.stable-image-search-replace-v1:0: not supported for "
            "'replace' (this task takes: --grow-mask, IMAGE, --mask-prompt, --negative-prompt, --output-format, "
            "PROMPT, --seed, --style)",
        ),
        (
            ["a cat", "--mode", "inpaint", "--mask-rect", "0,0,10,10", "--margins", "0,64,0,0"],
            "--margins 0,64,0,0 is not allowed for stability.stable-image-inpaint-v1:0: not supported for 'inpaint' "
            "(this task takes: --grow-mask, IMAGE, --mask, --negative-prompt, --output-format, PROMPT, --seed, "
            "--style)",
        ),
    ],
)
def test_a_refused_option_is_named_as_it_was_typed(stored_image, tmp_path, argv, line):
    code, _, err = cli_runner(tmp_path)("modify", stored_image, *argv, "--output-dir", tmp_path)
    assert (code, err) == (2, f"imagegen: {line}\n")


def test_the_api_still_names_the_body_fields(stored_image):
    from imagegen.errors import InvalidParameter

    refused = InvalidParameter("mask_image", None, "required", model_id="m", takes=("images", "mask_image"))
    assert refused.message == "mask_image=None is not allowed for m: required (this task takes: images, mask_image)"


@pytest.mark.parametrize(
    ("how", "deprecation"),
    [
        (["--model-set", "original"], None),
        (["--profile", "original"], "imagegen: --profile is deprecated: use --model-set original"),
        ("IMAGEGEN_PROFILE", "imagegen: IMAGEGEN_PROFILE is deprecated: set IMAGEGEN_MODEL_SET instead"),
        ("IMAGEGEN_MODEL_SET", None),
    ],
)
def test_the_model_set_has_a_name_of_its_own_and_the_old_ones_still_work(
    emulator, local_env, tmp_path, how, deprecation
):
    emulator.configure(serve_retired=True)  # the original set's Titan v2 is past its end of life
    flags = how if isinstance(how, list) else []
    if isinstance(how, str):
        local_env.setenv(how, "original")
    code, out, err = cli_runner(tmp_path)(
        "generate", "a red fox", *flags, "--no-evaluate", "--json", "--output-dir", tmp_path
    )
    assert code == 0, err
    assert json.loads(out)["images"][0]["model"] == "amazon.titan-image-generator-v2:0"
    assert err.splitlines()[0].startswith(deprecation) if deprecation else err == ""


def test_the_old_and_the_new_flag_must_agree(local_env, tmp_path):
    code, _, err = cli_runner(tmp_path)("generate", "a fox", "--model-set", "current", "--profile", "original")
    assert (code, err) == (2, "imagegen: --model-set current and --profile original disagree; give --model-set only\n")


def test_the_flag_wins_over_the_old_variable(emulator, local_env, tmp_path):
    local_env.setenv("IMAGEGEN_PROFILE", "original")
    code, out, err = cli_runner(tmp_path)(
        "generate", "a red fox", "--model-set", "current", "--no-evaluate", "--json", "--output-dir", tmp_path
    )
    assert (code, err) == (0, "")
    assert json.loads(out)["images"][0]["model"] == "stability.stable-image-core-v1:1"


@pytest.mark.parametrize("task", [None, "judge", "generate", "inpaint"])
def test_the_models_table_fits_100_columns(tmp_path, task):
    code, out, _ = cli_runner(tmp_path)("models", *(["--task", task] if task else []))
    widest = max(out.splitlines(), key=len)
    assert code == 0 and len(widest) <= 100, widest
