"""`imagegen` and the bucket: a missing one is found before any model is paid for, one that only
refuses to be listed is used, and a saved file edited since is a new image, not the stored one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from botocore.awsrequest import AWSResponse, HeadersDict
from imagegen import png
from imagegen.storage import make_s3_client

from imagegen_local.cli import aws
from tests.e2e.conftest import cli_runner

BUCKET = "imagegen-demo"


@pytest.fixture
def run(local_env, tmp_path, monkeypatch):
    """imagegen in-process in the offline world, in a scratch folder; returns (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    return cli_runner(tmp_path, answer="a fox")


def s3():
    return make_s3_client("us-west-2")


def stored(key: str) -> bytes:
    return s3().get_object(Bucket=BUCKET, Key=key)["Body"].read()


def generated(run) -> dict:
    code, out, err = run("generate", "a red fox", "--no-evaluate", "--json", "--output-dir", run.tmp / "gen")
    assert (code, err) == (0, "")
    return json.loads(out)["images"][0]


COMMANDS = [
    ["generate", "a fox"],
    ["modify", "AAAAAAAAAAAAAAAAAAAAAA", "a snow leopard"],
    ["evaluate", "AAAAAAAAAAAAAAAAAAAAAA"],
    ["interactive"],
    ["batch", "prompts.txt"],
]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: argv[0])
def test_a_missing_bucket_given_by_flag_is_refused_before_any_model_is_called(run, emulator, argv):
    (run.tmp / "prompts.txt").write_text("a fox\na lighthouse\na boat\n")  # three prompts, none paid for
    calls = len(emulator.calls)
    code, out, err = run(*argv, "--bucket", "no-such-bucket-xyz")
    assert (code, out, err) == (
        6,
        "",
        "imagegen: bucket no-such-bucket-xyz (from --bucket) does not exist: create it or name another\n",
    )
    assert len(emulator.calls) == calls
    assert sorted(p.name for p in run.tmp.iterdir()) == ["prompts.txt"]  # no folder made, no report written


def test_a_missing_bucket_given_by_the_environment_says_so(run, local_env, emulator):
    local_env.setenv("IMAGEGEN_BUCKET", "no-such-bucket-xyz")
    calls = len(emulator.calls)
    code, out, err = run("generate", "a fox", "--json")
    line = "bucket no-such-bucket-xyz (from IMAGEGEN_BUCKET) does not exist: create it or name another"
    assert (code, err) == (6, f"imagegen: {line}\n")
    assert json.loads(out) == {"error": {"code": "configuration_error", "message": line}}
    assert len(emulator.calls) == calls


def test_a_bucket_name_s3_cannot_have_is_a_configuration_error(run, emulator):
    calls = len(emulator.calls)
    code, _, err = run("generate", "a fox", "--bucket", "Not_A/Bucket")
    assert (code, err) == (6, "imagegen: bucket Not_A/Bucket (from --bucket) is not a valid bucket name\n")
    assert len(emulator.calls) == calls


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: object):
        yield self.data


def s3_answers(monkeypatch, operation: str, status: int, body: bytes = b"") -> None:
    """The CLI's S3 client gets this answer to `operation` (HeadBucket, PutObject...) in place of
    the local S3's, as real S3 gives it: a HEAD's error has no body, a PUT's is XML."""
    made = aws.make_s3_client

    def make(*args, **kwargs):
        client = made(*args, **kwargs)
        client.meta.events.register(
            f"before-send.s3.{operation}",
            lambda request, **_: AWSResponse(request.url, status, HeadersDict(), _Body(body)),
        )
        return client

    monkeypatch.setattr(aws, "make_s3_client", make)


def test_a_bucket_that_refuses_head_for_want_of_list_bucket_is_still_used(run, monkeypatch):
    s3_answers(monkeypatch, "HeadBucket", 403)  # a policy with s3:GetObject and s3:PutObject only
    code, out, err = run("generate", "a fox", "--no-evaluate", "--json")
    assert (code, err) == (0, "")
    image = json.loads(out)["images"][0]
    assert stored(f"images/{image['image_id']}/image.png") == Path(image["file"]).read_bytes()


def test_with_verbose_a_head_refused_is_one_warning_in_the_log(run, monkeypatch):
    s3_answers(monkeypatch, "HeadBucket", 403)
    code, _, err = run("generate", "a fox", "--no-evaluate", "--verbose")
    assert code == 0
    (warning,) = [json.loads(line) for line in err.splitlines() if json.loads(line)["level"] == "WARNING"]
    assert (warning["event"], warning["bucket"], warning["status"]) == ("bucket_not_checked", BUCKET, 403)


def test_a_bucket_closed_to_writes_too_fails_at_the_first_write_as_storage(run, monkeypatch):
    s3_answers(monkeypatch, "HeadBucket", 403)
    denied = b"<?xml version='1.0'?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    s3_answers(monkeypatch, "PutObject", 403, denied)
    code, out, err = run("generate", "a fox", "--no-evaluate", "--output-dir", run.tmp / "out")
    (kept,) = (run.tmp / "out").iterdir()  # paid for: kept here, since S3 has it not
    assert kept.read_bytes().startswith(b"\x89PNG") and kept.name.startswith("not-stored-")
    assert (code, out) == (7, "")
    assert err == (
        "imagegen: 1 generated image could not be stored in S3 (could not store the image in S3 (AccessDenied)); "
        f"saved here instead, with no id or URL: {kept}\n"
    )


def test_an_expired_session_token_is_a_credentials_error_before_any_model_is_called(run, emulator, monkeypatch):
    s3_answers(monkeypatch, "HeadBucket", 400)  # S3's bodiless answer to a HEAD with an expired token
    calls = len(emulator.calls)
    code, out, err = run("generate", "a fox", "--json")
    line = "the AWS credentials were refused (expired session token?)"
    assert (code, err) == (6, f"imagegen: {line}\n")
    assert json.loads(out) == {"error": {"code": "credentials_missing", "message": line}}
    assert len(emulator.calls) == calls


def test_any_other_answer_to_the_bucket_check_is_a_storage_error_before_any_model_is_called(run, emulator, monkeypatch):
    s3_answers(monkeypatch, "HeadBucket", 501)  # an S3 look-alike without HeadBucket
    calls = len(emulator.calls)
    code, out, err = run("generate", "a fox")
    assert (code, out, err) == (
        7,
        "",
        f"imagegen: could not check bucket {BUCKET} (from IMAGEGEN_BUCKET) in S3 (501)\n",
    )
    assert len(emulator.calls) == calls


def test_an_unreachable_s3_is_one_line_that_says_why(run, local_env):
    local_env.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")  # the discard port: nothing listens
    code, out, err = run("generate", "a fox")
    assert (code, out, err) == (
        7,
        "",
        f"imagegen: could not reach S3 to check bucket {BUCKET} (from IMAGEGEN_BUCKET): Could not connect to the "
        f'endpoint URL: "http://127.0.0.1:9/{BUCKET}"\n',
    )


def test_the_bucket_named_is_the_one_used(run, local_env):
    s3().create_bucket(Bucket="imagegen-other", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    local_env.setenv("IMAGEGEN_BUCKET", "no-such-bucket-xyz")  # the flag wins over the variable
    code, out, err = run("generate", "a fox", "--bucket", "imagegen-other", "--no-evaluate", "--json")
    assert (code, err) == (0, "")
    image = json.loads(out)["images"][0]
    key = f"images/{image['image_id']}/image.png"
    assert s3().get_object(Bucket="imagegen-other", Key=key)["Body"].read() == Path(image["file"]).read_bytes()


def test_a_saved_file_unchanged_stands_for_its_stored_image(run):
    image = generated(run)
    code, out, err = run("modify", image["file"], "--mode", "upscale", "--json", "--output-dir", run.tmp / "upd")
    assert (code, err) == (0, "")
    assert json.loads(out)["parent_id"] == image["image_id"]


def test_a_saved_file_edited_since_is_uploaded_as_a_new_image_and_stderr_says_so(run):
    image = generated(run)
    original = stored(f"images/{image['image_id']}/image.png")
    edited = png.solid(image["width"], image["height"], (250, 250, 250))  # painted over locally
    Path(image["file"]).write_bytes(edited)
    code, out, err = run("modify", image["file"], "--mode", "upscale", "--json", "--output-dir", run.tmp / "upd")
    doc = json.loads(out)
    new_id = doc["parent_id"]
    assert code == 0 and new_id != image["image_id"]
    assert err == (
        f"imagegen: {image['file']} differs from stored image {image['image_id']} (edited since it was saved?): "
        f"uploaded it as new image {new_id}\n"
    )
    assert stored(f"images/{new_id}/image.png") == edited  # the edit is what was modified
    assert stored(f"images/{image['image_id']}/image.png") == original  # the stored original is untouched
    meta = json.loads(stored(f"images/{new_id}/meta.json"))
    assert (meta["kind"], meta["judge_prompt"]) == ("upload", "a red fox")  # judged against what it was made for


def test_an_edited_file_is_judged_against_the_given_prompt_or_else_the_stored_one(run):
    image = generated(run)
    Path(image["file"]).write_bytes(png.solid(64, 64, (9, 9, 9)))
    code, out, err = run("evaluate", image["file"], "--json")
    new_id = json.loads(out)["image_id"]
    assert code == 0 and new_id != image["image_id"] and err.count("\n") == 1
    assert json.loads(stored(f"images/{new_id}/meta.json"))["judge_prompt"] == "a red fox"
    code, out, _ = run("evaluate", image["file"], "--prompt", "a grey square", "--json")
    newer = json.loads(out)["image_id"]
    assert code == 0 and json.loads(stored(f"images/{newer}/meta.json"))["judge_prompt"] == "a grey square"


def test_without_a_sha256_in_the_metadata_the_bytes_are_compared(run):
    image = generated(run)
    key = f"images/{image['image_id']}/meta.json"
    meta = json.loads(stored(key))
    assert meta["image"].pop("sha256") == hashlib.sha256(Path(image["file"]).read_bytes()).hexdigest()
    s3().put_object(Bucket=BUCKET, Key=key, Body=json.dumps(meta).encode())  # metadata from an older version
    code, out, err = run("evaluate", image["file"], "--json")
    assert (code, err) == (0, "") and json.loads(out)["image_id"] == image["image_id"]
    Path(image["file"]).write_bytes(png.solid(64, 64, (9, 9, 9)))
    code, out, err = run("evaluate", image["file"], "--json")
    assert code == 0 and json.loads(out)["image_id"] != image["image_id"] and "differs from stored image" in err
