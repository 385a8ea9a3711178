"""A command that calls no AWS service starts without loading the AWS SDK: `imagegen --version`,
`--help`, `models`, `serve --env` and a mistyped command answer in a fraction of the 0.3 s that
importing boto3 and botocore's HTTP stack takes (jsonschema too, for the API's request models)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("boto3", "botocore.config", "botocore.auth", "botocore.awsrequest", "urllib3", "jsonschema")

LIGHT = {
    "version": ["--version"],
    "help": ["--help"],
    "models": ["models", "--json"],
    "serve --env, nothing listening": ["serve", "--env", "--port-base", "1"],
    "a usage error": ["generate", "--no-such-flag", "a fox"],
}

# Each command runs in an interpreter of its own (what one command loaded would hide what the next
# loads) and prints which of HEAVY it loaded.
PROGRAM = """
import contextlib, io, json, sys
from imagegen_local.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(json.loads(sys.argv[1]))
    except SystemExit:
        pass
print(json.dumps([name for name in json.loads(sys.argv[2]) if name in sys.modules]))
"""


def loaded(argv: list[str]) -> list[str]:
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens, no call leaves the machine
    env = {**os.environ, "AWS_ENDPOINT_URL_BEDROCK": closed, "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": closed}
    run = subprocess.run(
        [sys.executable, "-c", PROGRAM, json.dumps(argv), json.dumps(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_commands_that_call_no_aws_service_load_no_aws_sdk():
    found = {what: loaded(argv) for what, argv in LIGHT.items()}
    assert found == {what: [] for what in LIGHT}


def test_a_command_that_calls_aws_loads_it_when_it_runs():
    """The check sees the SDK where a command uses it: `models --live` asks the control plane
    (here a closed loopback port, so it fails, after building its client)."""
    assert "boto3" in loaded(["models", "--live", "--region", "us-west-2", "--json"])
