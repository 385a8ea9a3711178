"""`imagegen api`: the API's URL from the CloudFormation stack (moto's, on loopback), API keys,
missing credentials, a SigV4 signature that botocore itself recomputes, and exit codes by the
API's error code."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import datetime
from types import SimpleNamespace

import boto3
import botocore.auth
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from imagegen_local import cli
from tests.e2e.conftest import canned_api

CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]
IMAGE_ID = "AAAAAAAAAAAAAAAAAAAAAA"


@pytest.fixture
def run(local_env):
    def imagegen(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        code = cli.main(list(argv), out=out, err=err)
        return code, out.getvalue(), err.getvalue()

    return imagegen


@pytest.fixture
def cloudformation(local_env, local_s3):
    """moto's CloudFormation, served by the same loopback moto server as the local S3."""
    local_env.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", local_s3.url)
    client = boto3.client("cloudformation", region_name="us-west-2")
    made: list[str] = []

    def stack(name: str, outputs: dict[str, str]) -> str:
        template = {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},  # moto needs a resource it models
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
        client.create_stack(StackName=name, TemplateBody=json.dumps(template))
        made.append(name)
        return name

    yield stack
    for name in made:
        client.delete_stack(StackName=name)


def test_the_api_url_comes_from_the_stacks_apiurl_output(run, dev_api, cloudformation):
    name = cloudformation(f"ImageGen-{uuid.uuid4().hex[:8]}", {"ApiUrl": dev_api.url, "Other": "http://x/"})
    code, out, err = run("api", "get", IMAGE_ID, "--stack-name", name)
    assert (code, err) == (2, f"imagegen: no image with id {IMAGE_ID}\n")  # the stack's API answered
    assert dev_api.received[-1][:2] == ("GET", f"/prd/images/{IMAGE_ID}")


def test_the_default_stack_is_bedrockimagegeneval(run, dev_api, cloudformation):
    cloudformation("BedrockImageGenEval", {"ApiUrl": dev_api.url})
    before = len(dev_api.received)
    code, _, _ = run("api", "get", IMAGE_ID)
    assert code == 2 and len(dev_api.received) == before + 1


def test_imagegen_api_url_wins_over_the_stack(run, dev_api, cloudformation, local_env):
    cloudformation(f"ImageGen-{uuid.uuid4().hex[:8]}", {"ApiUrl": "http://127.0.0.1:9/prd/"})  # would fail
    local_env.setenv("IMAGEGEN_API_URL", dev_api.url.removesuffix("/"))  # the slash is added
    code, out, err = run("api", "generate", "a fox", "--no-evaluate", "--json")
    assert (code, err) == (0, "")
    assert dev_api.received[-1][:2] == ("POST", "/prd/generate-image")


def test_a_missing_stack_is_one_line_and_a_configuration_error(run, cloudformation):
    code, out, err = run("api", "get", IMAGE_ID, "--stack-name", "NoSuchStack")
    assert (code, out, err) == (
        6,
        "",
        "imagegen: no API URL: pass --api-url or set IMAGEGEN_API_URL (stack NoSuchStack in us-west-2: "
        "Stack with id NoSuchStack does not exist)\n",
    )


def test_a_stack_without_an_apiurl_output_is_a_configuration_error(run, cloudformation):
    name = cloudformation(f"ImageGen-{uuid.uuid4().hex[:8]}", {"BucketName": "b"})
    assert run("api", "get", IMAGE_ID, "--stack-name", name) == (
        6,
        "",
        f"imagegen: stack {name} has no ApiUrl output\n",
    )


def test_imagegen_api_key_is_sent_instead_of_a_signature(run, dev_api, local_env):
    local_env.setenv("IMAGEGEN_API_KEY", "k-from-env")
    code, _, err = run("api", "generate", "a fox", "--api-url", dev_api.url, "--no-evaluate")
    assert (code, err) == (0, "")
    headers = {k.lower(): v for k, v in dev_api.received[-1][2].items()}
    assert headers["x-api-key"] == "k-from-env" and "authorization" not in headers


def test_without_credentials_nothing_is_sent_unsigned(run, dev_api, local_env):
    for name in CREDENTIALS:
        local_env.delenv(name)
    before = len(dev_api.received)
    assert run("api", "get", IMAGE_ID, "--api-url", dev_api.url) == (
        6,
        "",
        "imagegen: no AWS credentials to sign the request: set AWS_PROFILE or configure credentials\n",
    )
    assert len(dev_api.received) == before


def test_without_credentials_the_stack_cannot_be_read_either(run, cloudformation, local_env):
    for name in CREDENTIALS:
        local_env.delenv(name)
    assert run("api", "get", IMAGE_ID) == (
        6,
        "",
        "imagegen: no AWS credentials to read stack BedrockImageGenEval: pass --api-url or set IMAGEGEN_API_URL, "
        "and configure credentials to sign the request\n",
    )


KEY, SECRET, TOKEN = "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "dummy-session-token"
AUTHORIZATION = re.compile(
    rf"AWS4-HMAC-SHA256 Credential={KEY}/(?P<day>\d{{8}})/us-west-2/execute-api/aws4_request, "
    r"SignedHeaders=(?P<signed>[a-z0-9;-]+), Signature=(?P<signature>[0-9a-f]{64})"
)


def resign(method: str, url: str, body: bytes, headers: dict[str, str], secret: str, monkeypatch) -> str:
    """The Authorization header botocore computes for this request at the time it says it was signed."""
    signed = AUTHORIZATION.fullmatch(headers["authorization"])["signed"].split(";")
    unsigned_by_botocore = {"host", "x-amz-date", "x-amz-security-token"}  # botocore adds these itself
    again = AWSRequest(
        method=method, url=url, data=body, headers={n: headers[n] for n in signed if n not in unsigned_by_botocore}
    )
    stamp = datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")
    with monkeypatch.context() as m:
        m.setattr(botocore.auth, "get_current_datetime", lambda: stamp)
        SigV4Auth(Credentials(KEY, secret, TOKEN), "execute-api", "us-west-2").add_auth(again)
    return again.headers["Authorization"]


@pytest.mark.parametrize(
    "argv",
    [["generate", "a fox", "--seed", "3", "--no-evaluate"], ["get", IMAGE_ID]],
    ids=["post-with-body", "get"],
)
def test_the_signature_sent_is_the_one_botocore_computes_with_the_same_time_and_keys(
    run, dev_api, local_env, monkeypatch, argv
):
    local_env.setenv("AWS_ACCESS_KEY_ID", KEY)
    local_env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    local_env.setenv("AWS_SESSION_TOKEN", TOKEN)
    captured: list[tuple[str, str, dict[str, str], bytes]] = []
    serve = dev_api.serve

    def capture(method: str, path: str, headers: dict[str, str], body: bytes):
        captured.append((method, path, {k.lower(): v for k, v in headers.items()}, body))
        return serve(method, path, headers, body)

    monkeypatch.setattr(dev_api, "serve", capture)
    run("api", *argv, "--api-url", dev_api.url)
    ((method, path, headers, body),) = captured
    match = AUTHORIZATION.fullmatch(headers["authorization"])
    assert match and headers["x-amz-date"].startswith(match["day"]) and headers["x-amz-security-token"] == TOKEN
    assert {"host", "x-amz-date", "x-amz-security-token"} <= set(match["signed"].split(";"))
    url = f"http://{headers['host']}{path}"
    assert resign(method, url, body, headers, SECRET, monkeypatch) == headers["authorization"]
    assert resign(method, url, body, headers, SECRET + "x", monkeypatch) != headers["authorization"]  # keys matter
    if body:  # and so does every byte of the body
        assert resign(method, url, body + b" ", headers, SECRET, monkeypatch) != headers["authorization"]


@pytest.fixture(scope="module")
def answering():
    """A stand-in API: every request gets the (status, JSON body) set in `answering.reply`."""
    state = SimpleNamespace(reply=(200, {}))
    with canned_api(lambda: (state.reply[0], json.dumps(state.reply[1]).encode())) as url:
        state.url = url
        yield state


def error(code: str) -> dict:
    return {"error": {"code": code, "message": f"the API's {code} message"}}


@pytest.mark.parametrize(
    ("status", "body", "exit_code"),
    [
        (503, error("no_time_left"), 4),  # retryable like throttling: nothing was paid for, send it again
        (503, error("storage_unavailable"), 7),
        (503, error("upstream_unavailable"), 8),
        (503, error("credentials_missing"), 6),
        (503, error("model_unavailable"), 5),
        (503, error("model_retired"), 5),
        (503, error("model_access_denied"), 5),
        (503, error("inference_profile_required"), 5),
        (429, error("throttled"), 4),
        (422, error("content_filtered"), 3),
        (422, error("image_too_large"), 2),
        (400, error("invalid_parameter"), 2),
        (404, error("image_not_found"), 2),
        (404, error("no_such_route"), 2),
        (502, error("judge_answer_invalid"), 8),
        (504, error("upstream_timeout"), 8),
        (500, error("configuration_error"), 6),
        (500, error("internal_error"), 1),
    ],
    ids=lambda value: value["error"]["code"] if isinstance(value, dict) else None,
)
def test_an_api_error_exits_by_its_code_as_the_same_error_does_locally(run, answering, status, body, exit_code):
    answering.reply = (status, body)
    code, out, err = run("api", "get", IMAGE_ID, "--api-url", answering.url, "--json")
    assert (code, err) == (exit_code, f"imagegen: {body['error']['message']}\n")
    assert json.loads(out) == body


@pytest.mark.parametrize(
    ("status", "body", "exit_code"),
    [
        (503, error("a_code_from_a_newer_api"), 8),
        (429, {"message": "Too Many Requests"}, 4),  # API Gateway's own answers have no code
        (403, {"message": "Missing Authentication Token"}, 6),
        (413, {"message": "Request Too Long"}, 2),
        (504, {"message": "Endpoint request timed out"}, 8),
    ],
    ids=["unknown-code-503", "gateway-429", "gateway-403", "gateway-413", "gateway-504"],
)
def test_an_api_error_without_a_known_code_exits_by_its_status(run, answering, status, body, exit_code):
    answering.reply = (status, body)
    code, _, err = run("api", "get", IMAGE_ID, "--api-url", answering.url)
    message = body["error"]["message"] if "error" in body else body["message"]
    assert (code, err) == (exit_code, f"imagegen: {message}\n")


def test_a_field_the_deployed_api_refuses_is_named_as_the_option_typed(run, dev_api):
    code, out, err = run("api", "generate", "a fox", "--no-evaluate", "--json", "--api-url", dev_api.url)
    assert code == 0, err
    image_id = json.loads(out)["answer"]["image_id"]
    modify = ["api", "modify", image_id, "--api-url", dev_api.url]
    code, _, err = run(*modify, "a cat", "--mode", "inpaint")
    assert code == 2 and err.startswith(
        "imagegen: --mask or --mask-rect is not given; stability.stable-image-inpaint-v1:0 needs"
    )
    sent = len(dev_api.received)  # what API Gateway's request model refuses is said here, and not sent
    code, _, err = run(*modify, "a cat", "--mode", "variation", "--seed", "-3")
    assert (code, err) == (2, "imagegen: --seed -3 is not allowed: the API takes at least 0\n")
    code, _, err = run(*modify, "x" * 10001, "--mode", "variation")
    assert code == 2 and err == "imagegen: PROMPT is not allowed: the API takes at most 10000 characters\n"
    assert len(dev_api.received) == sent
    code, _, err = run(*modify, "--mode", "erase", "--mask-rect", "0,0,8,8", "a cat")
    assert code == 2 and err.startswith("imagegen: PROMPT 'a cat' is not allowed for ")
    assert "(this task takes: --grow-mask, IMAGE, --mask, --output-format, --seed)" in err
