"""`imagegen`, every command, against the offline world: files on disk, objects in S3, the
printed JSON, one-line errors and their exit codes."""

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from imagegen import clock, png
from imagegen.models.fields import FIELDS
from imagegen.storage import make_s3_client

from imagegen_local import cli
from imagegen_local.cli import batch
from tests.e2e.conftest import canned_api, stored

BUCKET = "imagegen-demo"


def test_generate_saves_uploads_judges_and_prints_stable_json(run):
    code, out, err = run(
        "generate",
        "a red fox in snow",
        "--aspect-ratio",
        "16:9",
        "--seed",
        "7",
        "--json",
        "--output-dir",
        run.tmp / "gen",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert doc["command"] == "generate" and doc["prompt"] == "a red fox in snow"
    (image,) = doc["images"]
    assert set(image) == {
        "image_id",
        "url",
        "url_expires_at",
        "model",
        "seed",
        "format",
        "width",
        "height",
        "evaluation",
        "file",
    }
    assert image["seed"] == 7 and type(image["evaluation"]["score"]) is int
    local = Path(image["file"])
    assert local.parent == run.tmp / "gen" and local.read_bytes() == stored(f"images/{image['image_id']}/image.png")
    assert "X-Amz-Signature=" in image["url"]


def test_generate_as_text_shows_the_verdict_and_the_url(run):
    code, out, _ = run("generate", "a lighthouse", "--no-evaluate", "--output-dir", run.tmp)
    assert code == 0
    assert "saved" in out and "url     http://127.0.0.1" in out and "verdict not_requested" in out


def test_modify_a_local_file_uploads_it_then_saves_the_edit(run):
    source = run.tmp / "mine.png"
    source.write_bytes(png.solid(512, 384, (40, 90, 200)))
    code, out, _ = run(
        "modify",
        source,
        "a snow leopard",
        "--mode",
        "replace",
        "--mask-prompt",
        "the fox",
        "--json",
        "--output-dir",
        run.tmp / "upd",
    )
    assert code == 0
    doc = json.loads(out)
    edit = doc["images"][0]
    assert doc["mode"] == "replace" and Path(edit["file"]).parent == run.tmp / "upd"
    assert Path(edit["file"]).read_bytes() == stored(f"images/{edit['image_id']}/image.png")  # the saved edit
    assert stored(f"images/{doc['parent_id']}/image.png") == source.read_bytes()  # the upload
    assert json.loads(stored(f"images/{doc['parent_id']}/edits/{edit['image_id']}.json"))["mode"] == "replace"


def test_modify_a_stored_image_by_id(run):
    _, out, _ = run("generate", "a fox", "--no-evaluate", "--json", "--output-dir", run.tmp)
    image_id = json.loads(out)["images"][0]["image_id"]
    code, out, _ = run("modify", image_id, "--mode", "upscale", "--json", "--output-dir", run.tmp / "upd")
    doc = json.loads(out)
    assert code == 0 and doc["parent_id"] == image_id
    (edit,) = doc["images"]
    assert Path(edit["file"]).is_file()
    assert Path(edit["file"]).read_bytes() == stored(f"images/{edit['image_id']}/image.png")


def test_evaluate_an_id_or_a_local_file_with_its_prompt(run):
    _, out, _ = run("generate", "a fox", "--no-evaluate", "--json", "--output-dir", run.tmp)
    image_id = json.loads(out)["images"][0]["image_id"]
    code, out, _ = run("evaluate", image_id)
    assert code == 0 and "score" in out and "better" in out
    verdict = json.loads(stored(f"images/{image_id}/evaluation.json"))
    assert verdict["status"] == "done" and f"score   {verdict['score']}/10" in out  # the verdict printed is stored
    assert f"parts   adherence {verdict['sub_scores']['prompt_adherence']['score']}, quality " in out
    picture = run.tmp / "p.png"
    picture.write_bytes(png.solid(128, 128, (1, 2, 3)))
    code, out, _ = run("evaluate", picture, "--prompt", "a dark square", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["evaluation"]["status"] == "done"
    assert doc["evaluation"]["checklist"][0]["element"] == "a dark square"  # --json has the parts whole
    assert stored(f"images/{doc['image_id']}/image.png") == picture.read_bytes()  # the upload
    assert json.loads(stored(f"images/{doc['image_id']}/evaluation.json")) == doc["evaluation"]
    code, _, err = run("evaluate", picture)
    assert code == 2 and err.endswith("p.png is a local file: pass --prompt with what it should show\n")


def test_an_older_id_starting_with_a_dash_works_after_double_dash_and_is_hinted_without(run, monkeypatch):
    import imagegen.pipeline

    monkeypatch.setattr(imagegen.pipeline, "new_image_id", lambda: "-TFW53I7d0PcBp29-Vf90Q")
    code, _, _ = run("generate", "a fox", "--no-evaluate", "--json", "--output-dir", run.tmp)
    assert code == 0
    code, _, err = run("evaluate", "-TFW53I7d0PcBp29-Vf90Q")
    assert (code, err) == (
        2,
        "imagegen evaluate: the following arguments are required: image (an image id that starts with '-' goes "
        "after '--': imagegen ... -- -TFW53I7d0PcBp29-Vf90Q)\n",
    )
    code, out, _ = run("evaluate", "--json", "--", "-TFW53I7d0PcBp29-Vf90Q")
    assert code == 0 and type(json.loads(out)["evaluation"]["score"]) is int


def test_interactive_asks_generates_and_applies_each_modification(run):
    answers = iter(["a red fox in snow", "autumn colours", "at night", ""])
    code, out, _ = run(
        "interactive",
        "--output-dir",
        run.tmp / "gen",
        "--updated-dir",
        run.tmp / "upd",
        ask=lambda question: next(answers),
    )
    assert code == 0
    (first,) = (run.tmp / "gen").iterdir()
    edits = list((run.tmp / "upd").iterdir())
    assert len(edits) == 2 and out.count("variation of") == 2
    for saved in [first, *edits]:  # every image shown is the one stored
        assert saved.read_bytes() == stored(f"images/{saved.stem}/image.png")
    assert json.loads(stored(f"images/{first.stem}/meta.json"))["prompt"] == "a red fox in snow"
    chain = [first.stem]  # each modification applies to the one before
    while len(chain) < 3:
        (link,) = [k for k in s3_keys() if k.startswith(f"images/{chain[-1]}/edits/")]
        chain.append(json.loads(stored(link))["image_id"])
    assert sorted(chain[1:]) == sorted(e.stem for e in edits)


def test_batch_runs_prompts_concurrently_reports_failures_and_goes_on(run):
    prompts = run.tmp / "prompts.txt"
    prompts.write_text(
        "# comments are skipped\na fox\na lighthouse\na fox [blocked]\n\n"
        '{"prompt": "a cat", "aspect_ratio": "1:1", "seed": 3}\na boat\n'
    )
    report = run.tmp / "report.json"
    code, out, err = run("batch", prompts, "--concurrency", "3", "--report", report, "--output-dir", run.tmp / "gen")
    assert code == 1  # one prompt failed
    doc = json.loads(report.read_text())
    assert (doc["succeeded"], doc["failed"], doc["concurrency"]) == (4, 1, 3)
    assert [r["line"] for r in doc["results"]] == [2, 3, 4, 6, 7]
    failed = next(r for r in doc["results"] if r["status"] == "failed")
    assert failed["line"] == 4 and failed["error"]["code"] == "content_filtered"
    for result in (r for r in doc["results"] if r["status"] == "ok"):  # saved locally and kept in S3
        assert Path(result["file"]).read_bytes() == stored(f"images/{result['image_id']}/image.png")
        assert json.loads(stored(f"images/{result['image_id']}/meta.json"))["prompt"] == result["prompt"]
        assert json.loads(stored(f"images/{result['image_id']}/evaluation.json"))["score"] == result["score"]
    assert out.startswith("LINE  PROMPT") and "4 succeeded, 1 failed" in out
    assert err == ""  # no progress bar: stderr is no terminal here (tests/e2e/test_cli_batch.py has one)


def test_models_lists_the_registry(run):
    code, out, _ = run("models", "--json")
    assert code == 0
    docs = json.loads(out)["models"]
    core = next(m for m in docs if m["id"] == "stability.stable-image-core-v1:1")
    assert core == {
        "id": "stability.stable-image-core-v1:1",
        "name": "Stable Image Core 1.1",
        "family": "stability-text-to-image",
        "tasks": ["generate"],
        "state": "active",
        "legacy_since": None,
        "extended_access_from": None,
        "eol": None,
        "successor": None,
        "successor_note": None,
        "regions": ["us-west-2"],
        "profiles": {},
        "price": "$0.04/image",
    }
    code, out, _ = run("models", "--task", "judge")
    assert code == 0 and "amazon.nova-lite-v1:0" in out and "stability" not in out


@pytest.mark.parametrize(
    ("argv", "unset", "exit_code", "line"),
    [
        (
            ["generate", "a fox"],
            ["IMAGEGEN_BUCKET"],
            6,
            "no bucket: pass --bucket or set IMAGEGEN_BUCKET (the S3 bucket that keeps the images)",
        ),
        (
            ["generate", "a fox"],
            ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"],
            6,
            "no AWS credentials found: set AWS_PROFILE or configure credentials",
        ),
        (
            ["generate", "a fox [blocked]"],
            [],
            3,
            "Bedrock's content filters blocked the prompt; rephrase it and try again",
        ),
        (
            ["generate", "a fox", "--count", "2"],
            [],
            2,
            "--count 2 is not allowed for stability.stable-image-core-v1:1: not supported for 'generate' (this task "
            "takes: --aspect-ratio, --size, --negative-prompt, --output-format, PROMPT, --seed)",
        ),
        (
            ["generate", "a fox", "--model", "stability.stable-image-core-v2:0"],
            [],
            2,
            "unknown model id 'stability.stable-image-core-v2:0'; did you mean stability.stable-image-core-v1:1, "
            "stability.stable-image-control-sketch-v1:0, stability.stable-image-ultra-v1:1, "
            "stability.stable-image-search-recolor-v1:0?",
        ),
        (
            ["generate", "a fox", "--model", "amazon.nova-lite-v1:0"],
            [],
            2,
            "amazon.nova-lite-v1:0 cannot do 'generate'; it can do: judge",
        ),
        (["evaluate", "AAAAAAAAAAAAAAAAAAAAAA"], [], 2, "no image with id AAAAAAAAAAAAAAAAAAAAAA"),
        (
            ["modify", "AAAAAAAAAAAAAAAAAAAAAA", "--mode", "upscale", "--bucket", "no-such-bucket"],
            [],
            6,
            "bucket no-such-bucket (from --bucket) does not exist: create it or name another",
        ),
        (["modify", "mine.png", "--mode", "upscale"], [], 2, "'mine.png' is neither a file nor an image id"),
    ],
)
def test_errors_are_one_readable_line_and_a_nonzero_exit(run, local_env, argv, unset, exit_code, line):
    for name in unset:
        local_env.delenv(name)
    code, out, err = run(*argv)
    assert (code, err) == (exit_code, f"imagegen: {line}\n")


def test_model_access_not_granted_says_how_to_enable_it(run, emulator):
    emulator.configure(deny_models=["stability.stable-image-core-v1:1"])
    code, _, err = run("generate", "a fox")
    assert (code, err) == (
        5,
        "imagegen: this account has no access to stability.stable-image-core-v1:1: enable it under Model access "
        "in the Bedrock console\n",
    )


def pin_today(monkeypatch, day: str, emulator=None) -> None:
    """The lifecycle's 'today' for this test, in the CLI (clock.today) and, given one, in the emulator."""
    fixed = date.fromisoformat(day)
    monkeypatch.setattr(clock, "today", lambda: fixed)
    if emulator is not None:
        emulator.configure(today=day)


TITAN_V2_IN_US_EAST_1 = ["generate", "a fox", "--model", "amazon.titan-image-generator-v2:0", "--region", "us-east-1"]


def test_a_model_past_its_end_of_life_is_refused_with_its_successor_before_any_call(run, emulator, monkeypatch):
    pin_today(monkeypatch, "2026-07-01", emulator)  # the day after Titan v2's end of life
    calls = len(emulator.calls)
    code, _, err = run(*TITAN_V2_IN_US_EAST_1)
    assert (code, err) == (
        5,
        "imagegen: amazon.titan-image-generator-v2:0 (Titan Image Generator G1 v2) is retired on Bedrock; "
        "use stability.stable-image-core-v1:1 instead\n",
    )
    assert len(emulator.calls) == calls


def test_the_same_model_is_called_before_its_end_of_life(run, emulator, monkeypatch):
    pin_today(monkeypatch, "2026-06-29", emulator)  # the day before: the pinned date decides, not the calendar
    code, out, err = run(*TITAN_V2_IN_US_EAST_1, "--no-evaluate", "--json", "--output-dir", run.tmp)
    assert (code, err) == (
        0,
        "imagegen: warning: amazon.titan-image-generator-v2:0 is Legacy (end of life 2026-06-30): 1 day left; "
        "use stability.stable-image-core-v1:1 instead\n",
    )
    assert json.loads(out)["images"][0]["model"] == "amazon.titan-image-generator-v2:0"
    assert emulator.calls[-1] == {
        "model": "amazon.titan-image-generator-v2:0",
        "operation": "invoke",
        "region": "us-east-1",
        "status": 200,
    }


def test_json_errors_are_json_too(run):
    code, out, err = run("generate", "a fox [blocked]", "--json")
    assert code == 3 and json.loads(out) == {
        "error": {"code": "content_filtered", "message": err.strip().removeprefix("imagegen: ")}
    }


def test_api_commands_call_the_deployed_api_signed_with_sigv4(run, dev_api):
    code, out, err = run("api", "generate", "a fox", "--api-url", dev_api.url, "--json")
    assert code == 0, err
    answer = json.loads(out)["answer"]
    assert type(answer["evaluation_data"]["score"]) is int
    method, path, sent = dev_api.received[-1]
    headers = {k.lower(): v for k, v in sent.items()}
    assert (method, path) == ("POST", "/prd/generate-image")
    assert headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=emulated/")
    assert "/us-west-2/execute-api/aws4_request" in headers["authorization"]
    code, out, _ = run("api", "get", answer["image_id"], "--api-url", dev_api.url)
    assert code == 0 and answer["image_id"] in out
    code, out, _ = run("api", "modify", answer["image_id"], "--mode", "upscale", "--api-url", dev_api.url, "--json")
    assert code == 0 and json.loads(out)["answer"]["parent_id"] == answer["image_id"]
    code, out, _ = run("api", "evaluate", answer["image_id"], "--api-url", dev_api.url)
    assert code == 0 and "score" in out


def test_api_errors_and_api_keys(run, dev_api):
    code, _, err = run("api", "get", "AAAAAAAAAAAAAAAAAAAAAA", "--api-url", dev_api.url)
    assert code == 2 and "no image with id" in err
    code, _, err = run("api", "generate", "a fox", "--api-url", dev_api.url, "--api-key", "k-123", "--no-evaluate")
    assert code == 0
    headers = {k.lower(): v for k, v in dev_api.received[-1][2].items()}
    assert headers["x-api-key"] == "k-123" and "authorization" not in headers
    code, _, err = run("api", "generate", "", "--api-url", dev_api.url)
    assert (code, err) == (2, "imagegen: PROMPT is not allowed: the API takes at least 1 character\n")


def test_every_command_and_option_has_help():
    parser = cli.build_parser()

    def walk(p, path):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    helped = {a.dest for a in action._choices_actions}
                    assert name in helped, f"{path} {name} has no help"
                    walk(sub, f"{path} {name}")
            elif not isinstance(action, argparse._HelpAction):
                assert action.help, f"{path} {action.option_strings or action.dest} has no help"

    walk(parser, "imagegen")


def test_the_help_names_options_never_the_bodys_field_names():
    body_names = [row.name for row in FIELDS if "_" in row.name]  # mask_image, reference_image...
    helps = []

    def walk(p):
        helps.append(p.description or "")
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    walk(sub)
            elif action.help and action.help != argparse.SUPPRESS:
                helps.append(action.help)

    walk(cli.build_parser())
    for text in helps:
        named = [name for name in body_names if re.search(rf"(?<![-\w]){name}\b", text)]
        assert not named and "in a body" not in text, text
    assert any("with --colors:" in text for text in helps)
    assert any("(or words: --mask-prompt)" in text for text in helps)


def test_the_installed_command_prints_its_help():
    """The console script pip installed runs; the subcommands' help, in-process (the same main)."""
    done = subprocess.run(
        [Path(sys.executable).parent / "imagegen", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and "usage: imagegen" in done.stdout
    for argv in (["generate", "--help"], ["batch", "--help"], ["api", "generate", "--help"]):
        out = io.StringIO()
        with pytest.raises(SystemExit) as exited, contextlib.redirect_stdout(out):
            cli.main(argv, out=out, err=io.StringIO())
        assert exited.value.code == 0 and "usage: imagegen" in out.getvalue(), argv


def s3_keys():
    listing = make_s3_client("us-west-2").list_objects_v2(Bucket=BUCKET)
    return sorted(o["Key"] for o in listing.get("Contents", []))


def test_batch_lines_are_checked_like_api_bodies_and_a_bad_one_fails_alone(run):
    prompts = run.tmp / "p.txt"
    prompts.write_text(
        'a fox\n{"prompt": "a cat", "nope": 1}\n{"prompt": "a dog", "evaluate": "no"}\n'
        '{"prompt": "a boat", "size": "1344x768", "line": 99}\n'
    )
    code, out, _ = run("batch", prompts, "--report", run.tmp / "r.json", "--output-dir", run.tmp / "g", "--json")
    assert code == 1
    doc = json.loads(out)
    by_line = {r["line"]: r for r in doc["results"]}
    assert set(by_line) == {1, 2, 3, 4}
    assert by_line[2]["error"]["message"].startswith("nope=1 is not allowed")
    assert by_line[3]["error"]["message"].startswith("evaluate=no is not allowed")
    assert by_line[4]["error"]["message"].startswith("line=99 is not allowed")
    assert by_line[1]["status"] == "ok"
    shown = "command file concurrency seconds succeeded failed not_run estimated_cost_usd results report page"
    assert set(doc) == set(shown.split())
    assert doc["page"] == str(run.tmp / "r.html") and doc["report"] == str(run.tmp / "r.json")
    assert json.loads((run.tmp / "r.json").read_text())["results"] == doc["results"]  # the file, less the paths


def test_ctrl_c_cancels_the_rest_of_a_batch_and_still_reports(run, monkeypatch):
    prompts = run.tmp / "p.txt"
    prompts.write_text("\n".join(f"prompt {i}" for i in range(12)))
    real = batch.run_job

    def interrupting(pipeline, job, args, folder):
        if job["line"] == 3:
            raise KeyboardInterrupt
        return real(pipeline, job, args, folder)

    monkeypatch.setattr(batch, "run_job", interrupting)
    code, out, err = run(
        "batch", prompts, "--concurrency", "1", "--report", run.tmp / "r.json", "--output-dir", run.tmp / "g"
    )
    assert code == 130 and "interrupted" in err
    report = json.loads((run.tmp / "r.json").read_text())
    # lines 1 and 2, and line 4 if the worker took it before the rest was cancelled: it is paid for
    assert report["succeeded"] in (2, 3) and report["succeeded"] + report["not_run"] == 12
    assert report["succeeded"] == len(list((run.tmp / "g").glob("*.png")))


@pytest.mark.parametrize(
    ("argv", "exit_code", "line"),
    [
        (
            ["batch", "missing.txt"],
            2,
            "imagegen: cannot read missing.txt: [Errno 2] No such file or directory: 'missing.txt'",
        ),
        (["batch", "prompts.txt", "--concurrency", "0"], 2, "imagegen: --concurrency must be at least 1"),
        (
            ["batch", "prompts.txt", "--report", "no/such/dir/r.json"],
            2,
            "imagegen: cannot write the report to no/such/dir/r.json: no such folder",
        ),
        (
            ["generate", "a fox", "--output-dir", "a-file"],
            2,
            "imagegen: cannot use a-file as the output folder: File exists",
        ),
        (
            ["generate", "a fox", "--url-expiry", "0"],
            2,
            "imagegen generate: argument --url-expiry: must be 1 to 604800 seconds",
        ),
        (["generate"], 2, "imagegen generate: the following arguments are required: prompt"),
        (
            ["generate", "a fox", "--aws-profile", "no-such-profile"],
            6,
            "imagegen: The config profile (no-such-profile) could not be found",
        ),
        (
            ["api", "get", "../../x", "--api-url", "http://127.0.0.1:9/prd/"],
            2,
            "imagegen: IMAGE '../../x' is not allowed: an image id as returned by generate or modify (22 characters)",
        ),
        (
            ["api", "get", "AAAAAAAAAAAAAAAAAAAAAA", "--api-url", "not a url"],
            6,
            "imagegen: the API URL must start with https:// (or http:// for a local server), not 'not a url'",
        ),
        (["modify", ".", "--mode", "upscale"], 2, "imagegen: . is not an image file"),
    ],
)
def test_bad_invocations_fail_in_one_line_before_any_model_is_called(run, emulator, monkeypatch, argv, exit_code, line):
    monkeypatch.chdir(run.tmp)
    (run.tmp / "prompts.txt").write_text("a fox\n")
    (run.tmp / "a-file").write_text("not a folder")
    calls, keys = len(emulator.calls), s3_keys()
    code, out, err = run(*argv)
    assert (code, err) == (exit_code, line + "\n")
    assert len(emulator.calls) == calls and s3_keys() == keys  # nothing paid for, nothing stored


def test_argparse_errors_are_json_with_json(run):
    code, out, err = run("generate", "--json")
    assert code == 2 and json.loads(out)["error"]["code"] == "usage"


def test_interactive_at_end_of_input(run):
    def eof(_):
        raise EOFError

    code, _, err = run("interactive", "--output-dir", run.tmp / "g", "--updated-dir", run.tmp / "u", ask=eof)
    assert code == 2 and "no prompt given" in err
    answers = iter(["a fox"])

    def once(_):
        try:
            return next(answers)
        except StopIteration:
            raise EOFError from None

    code, out, _ = run("interactive", "--output-dir", run.tmp / "g", "--updated-dir", run.tmp / "u", ask=once)
    assert code == 0 and "generated" in out


def test_evaluating_a_local_file_without_its_prompt_uploads_nothing(run):
    picture = run.tmp / "p.png"
    picture.write_bytes(png.solid(64, 64, (1, 2, 3)))
    keys = s3_keys()
    code, _, _ = run("evaluate", picture)
    assert code == 2 and s3_keys() == keys


def test_a_file_this_tool_saved_is_its_stored_image(run):
    _, out, _ = run("generate", "a red fox", "--json", "--output-dir", run.tmp)
    saved = json.loads(out)["images"][0]
    code, out, _ = run(
        "modify",
        saved["file"],
        "a snow leopard",
        "--mode",
        "replace",
        "--mask-prompt",
        "the fox",
        "--json",
        "--output-dir",
        run.tmp / "u",
    )
    assert code == 0 and json.loads(out)["parent_id"] == saved["image_id"]  # no anonymous copy uploaded
    code, out, _ = run("evaluate", saved["file"], "--json")
    assert code == 0 and set(json.loads(out)) == {"command", "image_id", "evaluation"}


def test_count_saves_and_reports_every_image(run, emulator, monkeypatch):
    pin_today(monkeypatch, "2026-07-01", emulator)  # Titan v2 (which takes a count) is retired: allowed and served
    emulator.configure(serve_retired=True)
    code, out, err = run(
        "generate",
        "a fox",
        "--model",
        "amazon.titan-image-generator-v2:0",
        "--region",
        "us-east-1",
        "--allow-retired",
        "--count",
        "3",
        "--no-evaluate",
        "--json",
        "--output-dir",
        run.tmp / "g",
    )
    assert code == 0, err
    images = json.loads(out)["images"]
    assert len(images) == 3 and len({i["image_id"] for i in images}) == 3
    assert sorted(p.name for p in (run.tmp / "g").iterdir()) == sorted(f"{i['image_id']}.png" for i in images)


def test_api_answers_of_any_shape_end_in_one_line(run):
    replies = iter([(200, b"[1, 2]"), (400, b'"bad"'), (502, b"<html>Bad Gateway</html>"), (500, b'{"message": null}')])
    with canned_api(lambda: next(replies)) as url:
        results = [run("api", "get", "AAAAAAAAAAAAAAAAAAAAAA", "--api-url", url) for _ in range(4)]
    assert [code for code, _, _ in results] == [8, 2, 8, 1]
    assert all(err.count("\n") == 1 and err.startswith("imagegen: ") for _, _, err in results)
    assert "the API answered HTTP 502" in results[2][2] and "None" not in results[3][2]
