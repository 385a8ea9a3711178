"""Test-wide guarantees: dummy credentials, no AWS config from the machine, and no
connection outside loopback (a test that would reach AWS fails instead)."""

from __future__ import annotations

import os

import pytest

from imagegen_local import netguard

os.environ.update(
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    AWS_SESSION_TOKEN="testing",
    AWS_DEFAULT_REGION="us-west-2",
    AWS_REGION="us-west-2",
    AWS_CONFIG_FILE=os.devnull,
    AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    AWS_EC2_METADATA_DISABLED="true",
)
for name in [n for n in os.environ if n == "AWS_PROFILE" or n.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[name]  # endpoints are set by the tests that start local servers, and only there

netguard.loopback_only()  # a test that would reach AWS fails instead


@pytest.fixture
def bedrock_runtime():
    """A real bedrock-runtime client in us-west-2; pair it with botocore's Stubber."""
    import boto3

    return boto3.client("bedrock-runtime", region_name="us-west-2")
