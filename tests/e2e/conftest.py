"""The offline world for end-to-end tests: the Bedrock emulator and a local S3, started once per
session on free loopback ports; each test points the standard endpoint variables at them."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest
from imagegen.storage import make_s3_client

from imagegen_local import cli
from imagegen_local.demo import environment
from imagegen_local.devapi import DevApi
from imagegen_local.emulator.server import Emulator, Faults
from imagegen_local.loopback import POLL_SECONDS
from imagegen_local.s3local import LocalS3

BUCKET = "imagegen-demo"  # the bucket `environment()` names


@pytest.fixture(scope="session")
def emulator():
    with Emulator() as running:
        yield running


@pytest.fixture(scope="session")
def local_s3():
    with LocalS3() as running:
        yield running


@pytest.fixture(scope="session")
def demo_bucket_client(emulator, local_s3) -> Any:
    """A client of the session's local S3, built once (one for each test: some 7 s a run)."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in environment(emulator.url, local_s3.url).items():
            patch.setenv(name, value)
        return make_s3_client("us-west-2")


@pytest.fixture
def local_env(emulator, local_s3, demo_bucket_client, monkeypatch):
    """The standard variables pointing every client at the local servers, for this test only;
    the bucket `environment()` names. It is made again when gone: the local S3 keeps its objects
    in moto's backends, which a service test's mock_aws empties in the same worker."""
    for name, value in environment(emulator.url, local_s3.url).items():
        monkeypatch.setenv(name, value)
    emulator.configure(**vars(Faults()))  # every test starts with no faults
    existing = {b["Name"] for b in demo_bucket_client.list_buckets().get("Buckets", [])}
    if BUCKET not in existing:
        demo_bucket_client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    return monkeypatch


@pytest.fixture
def bedrock(local_env):
    """A plain boto3 client, as any user would create one, talking to the emulator."""
    return boto3.client("bedrock-runtime", region_name="us-west-2")


@pytest.fixture
def dev_api(local_env):
    logs = io.StringIO()
    with DevApi(log_stream=logs) as api:
        api.logs = logs
        yield api


@pytest.fixture
def sent(monkeypatch):
    """Each image request the pipeline builds, as (model id, ImageRequest), in order."""
    from imagegen.usecases import generation

    requests = []
    build = generation.build_request

    def spy(model, request, **kwargs):
        requests.append((model, request))
        return build(model, request, **kwargs)

    monkeypatch.setattr(generation, "build_request", spy)
    return requests


@pytest.fixture
def run(local_env, tmp_path):
    """imagegen in-process in the offline world's environment."""
    return cli_runner(tmp_path)


def stored(key: str) -> bytes:
    """An object of the offline world's bucket."""
    return make_s3_client("us-west-2").get_object(Bucket=BUCKET, Key=key)["Body"].read()


def cli_runner(tmp_path, answer: str = ""):
    """imagegen in-process; returns (exit code, stdout, stderr). `ask` answers its questions
    (every question gets `answer` unless a test passes its own)."""

    def imagegen(*argv, ask=None):
        out, err = io.StringIO(), io.StringIO()
        code = cli.main([str(a) for a in argv], out=out, err=err, ask=ask or (lambda _: answer))
        return code, out.getvalue(), err.getvalue()

    imagegen.tmp = tmp_path
    return imagegen


@contextmanager
def canned_api(reply: Callable[[], tuple[int, bytes]], sent: list[Any] | None = None) -> Iterator[str]:
    """A stand-in API on loopback: every GET or POST gets the (status, body) `reply()` gives, and
    each POST's JSON body goes to `sent`; yields its /prd/ URL and stops the server afterwards."""

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"] or 0))
            if sent is not None:
                sent.append(json.loads(body))
            self.do_GET()

        def do_GET(self):
            status, body = reply()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True).start()  # stops within it
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/prd/"
    finally:
        server.shutdown()
        server.server_close()
