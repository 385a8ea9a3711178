"""What Nagle's algorithm costs a keep-alive client of the offline world's servers.

http.server and werkzeug write an answer's headers and its body in two sends. Without
TCP_NODELAY the second small send waits for the client's ACK of the first, which a keep-alive
client delays (about 40 ms on Linux): every answer after the connection's first few stalls.
Each server is measured as it is now and as a variant of itself with Nagle's algorithm left on
(the baseline, in this process); the ratio is what matters, not the milliseconds.

    .venv/bin/python bench/keepalive_stall.py [--calls 100]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import time
from collections.abc import Callable
from typing import Any

import boto3

from imagegen_local import netguard
from imagegen_local.devapi import DevApi
from imagegen_local.emulator.server import Emulator
from imagegen_local.loopback import LoopbackServer
from imagegen_local.s3local import LocalS3
from imagegen_local.world import environment

IMAGE_BODY = json.dumps({"prompt": "a lighthouse on a cliff"})


def with_nagle(server: type[LoopbackServer]) -> type[LoopbackServer]:
    """`server` with TCP_NODELAY left off its accepted sockets, as before the fix."""

    class Baseline(server):  # type: ignore[misc, valid-type]
        def _bind(self, port: int) -> Any:
            bound = super()._bind(port)
            handler = bound.RequestHandlerClass
            bound.RequestHandlerClass = type(handler.__name__, (handler,), {"disable_nagle_algorithm": False})
            return bound

    return Baseline


def per_call(calls: int, call: Callable[[], Any]) -> float:
    """Mean seconds per call over one keep-alive connection, after a warm-up call."""
    call()
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls


def emulator_images(server: type[LoopbackServer], calls: int) -> float:
    with server() as emulator:
        client = boto3.client("bedrock-runtime", region_name="us-west-2", endpoint_url=emulator.url)
        return per_call(
            max(3, calls // 10),  # an image takes the emulator tens of milliseconds to draw
            lambda: client.invoke_model(modelId="stability.stable-image-core-v1:1", body=IMAGE_BODY)["body"].read(),
        )


def emulator_refusals(server: type[LoopbackServer], calls: int) -> float:
    with server() as emulator:
        client = boto3.client("bedrock-runtime", region_name="us-west-2", endpoint_url=emulator.url)

        def call() -> None:
            with contextlib.suppress(client.exceptions.ValidationException):
                client.invoke_model(modelId="stability.stable-image-core-v1:1", body=b"{}")

        return per_call(calls, call)


def s3_calls(server: type[LoopbackServer], calls: int) -> float:
    with server() as s3:
        client = boto3.client("s3", region_name="us-west-2", endpoint_url=s3.url)
        bucket = f"bench-{s3.port}"  # moto keeps its buckets for the process, across servers
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        client.put_object(Bucket=bucket, Key="meta.json", Body=b'{"prompt": "a lighthouse"}')
        return per_call(calls, lambda: client.get_object(Bucket=bucket, Key="meta.json")["Body"].read())


def dev_api_calls(server: type[LoopbackServer], calls: int) -> float:
    with server() as api:
        connection = http.client.HTTPConnection("127.0.0.1", api.port, timeout=10)

        def call() -> None:  # an OPTIONS preflight: the dev API's own answer, no handler behind it
            connection.request("OPTIONS", f"{api.path}generate-image", headers={"Origin": "http://localhost"})
            connection.getresponse().read()

        try:
            return per_call(calls, call)
        finally:
            connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args()
    netguard.loopback_only()
    os.environ.update(environment("http://127.0.0.1:1", "http://127.0.0.1:1"))  # dummy credentials, no AWS
    print(f"{args.calls} keep-alive calls per server; ms per call")
    print(f"  {'server':<34} {'Nagle on (baseline)':>20} {'as shipped':>11} {'ratio':>7}")
    for name, server, measure in [
        ("Bedrock emulator, InvokeModel image", Emulator, emulator_images),
        ("Bedrock emulator, InvokeModel 400", Emulator, emulator_refusals),
        ("local S3 (moto), GetObject", LocalS3, s3_calls),
        ("dev API, OPTIONS preflight", DevApi, dev_api_calls),
    ]:
        before = measure(with_nagle(server), args.calls)
        after = measure(server, args.calls)
        print(f"  {name:<34} {before * 1000:20.2f} {after * 1000:11.2f} {after / before:7.3f}")


if __name__ == "__main__":
    main()
