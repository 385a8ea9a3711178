"""What a call costs before its own work, in the two places the test suite pays it most often.

- The command line: `imagegen`'s parser (every command and option, from the registry) built once
  per process, against one built for every run of cli.main, as before (the baseline). The run
  measured is `imagegen models --json`, which calls nothing.
- The local S3: moto's dispatcher remembering which backend serves a host, against moto's own
  lookup (its package's folders listed and every service's URL patterns tried, for every request).

CPU time per call, both variants in this process; the ratio is what matters.

    .venv/bin/python bench/per_call_overheads.py [--calls 300]
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import time
from collections.abc import Callable
from typing import Any

import boto3
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

from imagegen_local import netguard, s3local
from imagegen_local.world import environment

cli_main: Any = importlib.import_module("imagegen_local.cli.main")  # the module (the package exports its function)


def cpu_per_call(calls: int, call: Callable[[], Any]) -> float:
    call()  # warm-up
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls


def cli_run() -> None:
    assert cli_main.main(["models", "--json"], out=io.StringIO(), err=io.StringIO()) == 0


def cli_runs(calls: int, baseline: bool) -> float:
    cached = cli_main._parser
    if baseline:
        cli_main._parser = cli_main.build_parser  # a parser per run
    try:
        return cpu_per_call(calls, cli_run)
    finally:
        cli_main._parser = cached


def s3_requests(calls: int, baseline: bool) -> float:
    remembered = s3local._Dispatcher.get_backend_for_host
    if baseline:  # moto's lookup for every request
        s3local._Dispatcher.get_backend_for_host = DomainDispatcherApplication.get_backend_for_host  # type: ignore[method-assign]
    try:
        with s3local.LocalS3() as s3:
            client = boto3.client("s3", region_name="us-west-2", endpoint_url=s3.url)
            bucket = f"bench-{s3.port}"  # moto keeps its buckets for the process, across servers
            client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
            client.put_object(Bucket=bucket, Key="meta.json", Body=b'{"prompt": "a lighthouse"}')
            return cpu_per_call(calls, lambda: client.get_object(Bucket=bucket, Key="meta.json")["Body"].read())
    finally:
        s3local._Dispatcher.get_backend_for_host = remembered  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    netguard.loopback_only()
    os.environ.update(environment("http://127.0.0.1:1", "http://127.0.0.1:1"))  # dummy credentials, no AWS
    print(f"{args.calls} calls each; CPU ms per call (this process: client and servers alike)")
    print(f"  {'call':<38} {'baseline':>9} {'as shipped':>11} {'ratio':>7}")
    measures: list[tuple[str, Callable[[int, bool], float]]] = [
        ("imagegen models --json, in-process", cli_runs),
        ("local S3 GetObject", s3_requests),
    ]
    for name, measure in measures:
        before, after = measure(args.calls, True), measure(args.calls, False)
        print(f"  {name:<38} {before * 1000:9.2f} {after * 1000:11.2f} {after / before:7.3f}")


if __name__ == "__main__":
    main()
