"""A function builds its runtime (settings and clients) while Lambda imports its handler module,
in the init phase, not inside the first request; an environment that cannot build one at import
(no bucket, or no credentials in it) leaves the build to the first request, as before."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from imagegen import runtime
from imagegen.errors import ConfigurationError

ROOT = Path(__file__).resolve().parents[2]
FUNCTION_ENV = {
    "AWS_ACCESS_KEY_ID": "emulated",
    "AWS_SECRET_ACCESS_KEY": "emulated",
    "AWS_SESSION_TOKEN": "emulated",
    "AWS_REGION": "us-west-2",
    "AWS_DEFAULT_REGION": "us-west-2",
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
    # nothing listens on port 9: a call that slipped out would fail, never reach AWS
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:9",
    "IMAGEGEN_BUCKET": "my-images",
    "IMAGEGEN_EVALUATE_FUNCTION": "imagegen-evaluate",
    "AWS_LAMBDA_FUNCTION_NAME": "imagegen-generate",
}

# Counts the clients built while the module is imported, then serves one request that fails
# validation (no network call) and counts again.
PROBE = """
import json, sys, boto3
built = []
original = boto3.client
boto3.client = lambda service, *a, **k: built.append(service) or original(service, *a, **k)
import importlib
module = importlib.import_module(sys.argv[1])
at_import = list(built)
event = {"httpMethod": "POST", "resource": sys.argv[2], "body": "{}", "requestContext": {"requestId": "r1"}}
answer = module.handler(event, None)
print(json.dumps({"at_import": at_import, "in_request": built[len(at_import):], "status": answer["statusCode"]}))
"""


def probe(module: str, resource: str, env: dict[str, str]) -> dict:
    paths = os.pathsep.join(str(ROOT / p) for p in ("lambda_src", "src", "."))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, module, resource],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": paths, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    ("module", "resource"),
    [
        ("imagegen.handlers.generate", "/generate-image"),
        ("imagegen.handlers.modify", "/modify-image"),
        ("imagegen.handlers.evaluate", "/evaluate-image"),
    ],
)
def test_a_function_builds_its_clients_at_import_and_none_in_its_first_request(module, resource):
    seen = probe(module, resource, FUNCTION_ENV)
    assert sorted(seen["at_import"]) == ["bedrock-runtime", "bedrock-runtime", "lambda", "s3"]
    assert seen["in_request"] == []
    assert seen["status"] == 400


@pytest.mark.parametrize("missing", ["IMAGEGEN_BUCKET", "AWS_ACCESS_KEY_ID"])
def test_an_incomplete_environment_builds_nothing_at_import_and_the_first_request_says_why(missing):
    env = {k: v for k, v in FUNCTION_ENV.items() if k != missing}
    seen = probe("imagegen.handlers.generate", "/generate-image", env)
    assert seen["at_import"] == []
    if missing == "IMAGEGEN_BUCKET":  # the configuration error, answered by the first request
        assert (seen["in_request"], seen["status"]) == ([], 500)
    else:  # credentials come from elsewhere (a profile, a role): looked up when first needed
        assert sorted(seen["in_request"]) == ["bedrock-runtime", "bedrock-runtime", "lambda", "s3"]


def test_a_runtime_that_failed_at_init_is_built_again_on_first_use():
    attempts = []

    def factory():
        attempts.append(1)
        if len(attempts) == 1:
            raise ConfigurationError("not yet")
        return "runtime"

    get = runtime.built_at_init(factory, FUNCTION_ENV)
    assert attempts == [1]
    assert get() == get() == "runtime"
    assert len(attempts) == 2


def test_a_runtime_built_at_init_is_the_one_every_request_gets():
    built = []
    get = runtime.built_at_init(lambda: built.append(object()) or built[-1], FUNCTION_ENV)
    assert len(built) == 1
    assert get() is get() is built[0]


def test_without_credentials_in_the_environment_nothing_is_built_until_first_use():
    built = []
    env = {k: v for k, v in FUNCTION_ENV.items() if not k.startswith("AWS_SECRET")}
    get = runtime.built_at_init(lambda: built.append(1) or "runtime", env)
    assert built == []
    assert get() == "runtime" and built == [1]
